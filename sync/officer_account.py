"""The real adapters for officer mode's ports (``app/officer_ports.py``): HTTP to the backend.

Refusals come back as ``AccountError`` with the server's own code and plain-words message, as
the victim's adapters in ``sync/account.py`` do (the same ``_Http`` carries both).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

import httpx
from pydantic import TypeAdapter

from app.domain import Identity
from app.officer_ports import Colleague, Enrolment, Invitation, OfficerProfile, Rules, RulesVersion, TemplateOffer
from app.ports import AccountError
from sync import protocol
from sync.account import _Http, _parse
from sync.engine import request_body

_TOKEN = TypeAdapter(protocol.TokenPublic)
_OFFICER = TypeAdapter(protocol.OfficerPublic)
_ENROLMENT = TypeAdapter(protocol.TotpEnrolmentPublic)
_INVITATION = TypeAdapter(protocol.InvitationPublic)
_TEMPLATES = TypeAdapter(protocol.UpdateTemplatesPublic)
_COLLEAGUES = TypeAdapter(list[protocol.OfficerNamePublic])
_RULES = TypeAdapter(protocol.EligibilityRulesPublic)
_RULES_VERSIONS = TypeAdapter(protocol.EligibilityRulesVersionsPublic)


class HttpOfficerSignIn:
    def __init__(self, server_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = _Http(server_url, transport=transport)

    async def login(
        self, force_code: str, username: str, password: str, totp_code: str | None, device_name: str
    ) -> Identity:
        body = request_body(
            protocol.OfficerLogin.model_construct(
                force_code=force_code,
                username=username,
                password=password,
                totp_code=totp_code,
                device_name=device_name,
            )
        )
        token: protocol.TokenPublic = _parse(_TOKEN, await self._http.call("POST", "/auth/officer/login", body))
        return Identity(
            "officer",
            self._http.server_url,
            token.token,
            username,
            force_code=token.force_code,
            revoke_key=token.revoke_key or "",
        )


class HttpOfficerAccount:
    def __init__(self, identity: Identity, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = _Http(identity.server_url, identity.token, transport)

    async def me(self) -> OfficerProfile:
        return _profile(_parse(_OFFICER, await self._http.call("GET", "/officers/me")))

    async def start_enrolment(self, password: str) -> Enrolment:
        body = request_body(protocol.TotpEnrol.model_construct(password=password, totp_code=None))
        wire: protocol.TotpEnrolmentPublic = _parse(
            _ENROLMENT, await self._http.call("POST", "/auth/officer/totp", body)
        )
        return Enrolment(wire.secret, wire.provisioning_uri)

    async def confirm_enrolment(self, code: str) -> None:
        body = request_body(protocol.TotpConfirm.model_construct(totp_code=code))
        await self._http.call("POST", "/auth/officer/totp/confirm", body)

    async def update_templates(self, case_id: str) -> list[TemplateOffer]:
        wire: protocol.UpdateTemplatesPublic = _parse(
            _TEMPLATES, await self._http.call("GET", f"/cases/{_id(case_id)}/update-templates")
        )
        return [
            TemplateOffer(
                t.template.value,
                t.status.value if t.status else None,
                t.closed_outcome.value if t.closed_outcome else None,
                t.working_days,
                t.due_by,
            )
            for t in wire.data
        ]

    async def post_update(
        self,
        case_id: str,
        text: str,
        *,
        status: str | None = None,
        closed_outcome: str | None = None,
        template: str | None = None,
    ) -> None:
        body = request_body(
            protocol.CaseUpdateCreate.model_construct(
                status=protocol.CaseStatus(status) if status else None,
                closed_outcome=protocol.ClosedOutcome(closed_outcome) if closed_outcome else None,
                text=text,
                template=protocol.UpdateTemplate(template) if template else None,
            )
        )
        await self._http.call("POST", f"/cases/{_id(case_id)}/updates", body)

    async def colleagues(self) -> list[Colleague]:
        officers: list[protocol.OfficerNamePublic] = _parse(
            _COLLEAGUES, await self._http.call("GET", "/officers/colleagues")
        )
        return [Colleague(str(o.id), o.name, o.collar_number) for o in officers]

    async def hand_over(self, case_id: str, officer_id: str) -> None:
        body = request_body(protocol.HandOverCreate.model_construct(officer_id=uuid.UUID(officer_id)))
        await self._http.call("POST", f"/cases/{_id(case_id)}/hand-over", body)

    async def invite(self, case_id: str) -> Invitation:
        body = request_body(protocol.InvitationCreate.model_construct(channel=None))
        wire: protocol.InvitationPublic = _parse(
            _INVITATION, await self._http.call("POST", f"/cases/{_id(case_id)}/invitations", body)
        )
        return Invitation(
            str(wire.id),
            str(wire.case_id),
            "email" if wire.channel == protocol.ContactChannel.EMAIL else "sms",
            wire.expires_at,
            wire.delivery.status != protocol.DeliveryStatus.FAILED,
        )

    async def withdraw_invitation(self, case_id: str, invitation_id: str) -> None:
        await self._http.call("DELETE", f"/cases/{_id(case_id)}/invitations/{_id(invitation_id)}")

    async def decide_invitation(self, case_id: str, decision: Literal["invite", "never"], reason: str) -> None:
        body = request_body(
            protocol.InviteDecisionOverride.model_construct(decision=protocol.InviteDecision(decision), reason=reason)
        )
        await self._http.call("PUT", f"/cases/{_id(case_id)}/invite-decision", body)

    async def mark_phone_risk(self, case_id: str, at_risk: bool) -> None:
        body = request_body(protocol.PhoneRiskMark.model_construct(at_risk=at_risk))
        await self._http.call("PUT", f"/cases/{_id(case_id)}/phone-risk", body)

    async def set_availability(
        self, reply_within_hours: int, away_message: str | None, back_on: date | None = None
    ) -> OfficerProfile:
        body = request_body(
            protocol.OfficerAvailability.model_construct(
                reply_within_hours=reply_within_hours, away_message=away_message or None, back_on=back_on
            )
        )
        return _profile(_parse(_OFFICER, await self._http.call("PUT", "/officers/me/availability", body)))

    async def eligibility_rules(self) -> RulesVersion | None:
        try:
            response = await self._http.call("GET", "/eligibility-rules")
        except AccountError as exc:
            if exc.code == "no_rules":
                return None
            raise
        return _rules_version(_parse(_RULES, response))

    async def eligibility_versions(self) -> list[RulesVersion]:
        wire: protocol.EligibilityRulesVersionsPublic = _parse(
            _RULES_VERSIONS, await self._http.call("GET", "/eligibility-rules/versions")
        )
        return [_rules_version(v) for v in wire.data]

    async def set_eligibility_rules(self, rules: Rules) -> RulesVersion:
        # built unchecked: the server's own reasons (naming the field) reach the admin's form
        body = {
            "invite_crime_types": list(rules.invite_crime_types),
            "officer_crime_types": list(rules.officer_crime_types),
            "pilot_percent": rules.pilot_percent,
            "pilot_by": rules.pilot_by,
            "exclude_domestic_abuse": rules.exclude_domestic_abuse,
            "exclude_sexual_offence": rules.exclude_sexual_offence,
            "exclude_phone_risk": rules.exclude_phone_risk,
            "minimum_age": rules.minimum_age,
        }
        return _rules_version(_parse(_RULES, await self._http.call("PUT", "/eligibility-rules", body)))


def _rules_version(wire: protocol.EligibilityRulesPublic) -> RulesVersion:
    r = wire.rules
    return RulesVersion(
        wire.version,
        Rules(
            tuple(r.invite_crime_types),
            tuple(r.officer_crime_types),
            r.pilot_percent,
            r.pilot_by,
            r.exclude_domestic_abuse,
            r.exclude_sexual_offence,
            r.exclude_phone_risk,
            r.minimum_age,
        ),
        wire.created_at,
        wire.created_by,
    )


def _id(value: str) -> str:
    """A case's or invitation's id as the path takes it (never a path of its own)."""
    return str(uuid.UUID(value))


def _profile(wire: protocol.OfficerPublic) -> OfficerProfile:
    return OfficerProfile(
        str(wire.id),
        wire.name,
        wire.collar_number,
        wire.role.value,
        wire.totp_enabled,
        wire.reply_within_hours,
        wire.away_message,
        wire.back_on,
    )


class HttpOfficerConnector:
    def __init__(self, server_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._server_url = server_url
        self._transport = transport

    def officer_sign_in(self) -> HttpOfficerSignIn:
        return HttpOfficerSignIn(self._server_url, transport=self._transport)

    def officer_account(self, identity: Identity) -> HttpOfficerAccount:
        return HttpOfficerAccount(identity, transport=self._transport)
