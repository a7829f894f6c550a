"""Officer mode's seams to the server, beside the victim's in ``app/ports.py``: signing in with
an authenticator, and what an officer asks of the server outside the sync feed (updates,
invitations, availability). ``sync/officer_account.py`` holds the HTTP adapters. No Flet, no HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from app.domain import Identity, away_message_holds

Role = Literal["officer", "supervisor", "admin"]


@dataclass(frozen=True)
class OfficerProfile:
    """The signed-in officer as the server knows them."""

    id: str
    name: str
    collar_number: str
    role: Role
    totp_enabled: bool
    reply_within_hours: int = 48
    away_message: str | None = None
    back_on: date | None = None  # the UK date they are back, shown with the away message

    def away_on(self, day: date) -> bool:
        """Victims see their away message on this (UK) day."""
        return away_message_holds(self.away_message, self.back_on, day)


@dataclass(frozen=True)
class Enrolment:
    """An authenticator being set up: the secret as text, and the same as a link for a QR code."""

    secret: str
    provisioning_uri: str


@dataclass(frozen=True)
class Invitation:
    id: str
    case_id: str
    channel: Literal["sms", "email"]
    expires_at: datetime
    delivered: bool


@dataclass(frozen=True)
class TemplateOffer:
    """A Victims' Code template as it applies to one case (the server's answer): what posting it
    changes, and the deadline it meets for this victim if the event happened now."""

    template: str
    status: str | None
    closed_outcome: str | None  # None with status "closed": the officer chooses the outcome
    working_days: int
    due_by: datetime


@dataclass(frozen=True)
class Rules:
    """A force's eligibility rules as the admin's form edits them (``protocol.EligibilityRules``)."""

    invite_crime_types: tuple[str, ...] = ()
    officer_crime_types: tuple[str, ...] = ()
    pilot_percent: int = 100
    pilot_by: Literal["crime_type", "crime_reference"] = "crime_type"
    exclude_domestic_abuse: bool = True
    exclude_sexual_offence: bool = True
    exclude_phone_risk: bool = True
    minimum_age: int = 16


@dataclass(frozen=True)
class RulesVersion:
    version: int
    rules: Rules
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class Colleague:
    id: str
    name: str
    collar_number: str


class OfficerSignIn(Protocol):
    async def login(
        self, force_code: str, username: str, password: str, totp_code: str | None, device_name: str
    ) -> Identity:
        """A session (its role in ``Identity.display_name`` is not set here: ``me`` says who it is)."""


class OfficerAccount(Protocol):
    """What a signed-in officer asks of the server outside the sync feed."""

    async def me(self) -> OfficerProfile: ...
    async def start_enrolment(self, password: str) -> Enrolment: ...
    async def confirm_enrolment(self, code: str) -> None: ...
    async def update_templates(self, case_id: str) -> list[TemplateOffer]: ...
    async def post_update(
        self,
        case_id: str,
        text: str,
        *,
        status: str | None = None,
        closed_outcome: str | None = None,
        template: str | None = None,
    ) -> None: ...
    async def colleagues(self) -> list[Colleague]:
        """The force's active officers and supervisors a case may be handed to (not the caller)."""

    async def hand_over(self, case_id: str, officer_id: str) -> None: ...
    async def invite(self, case_id: str) -> Invitation: ...
    async def withdraw_invitation(self, case_id: str, invitation_id: str) -> None: ...
    async def decide_invitation(self, case_id: str, decision: Literal["invite", "never"], reason: str) -> None:
        """Overrides the force's rules with a recorded reason (the change comes back by sync)."""

    async def mark_phone_risk(self, case_id: str, at_risk: bool) -> None:
        """Someone with access to the victim's phone may put them at risk; the rules decide again."""

    async def set_availability(
        self, reply_within_hours: int, away_message: str | None, back_on: date | None = None
    ) -> OfficerProfile: ...
    async def eligibility_rules(self) -> RulesVersion | None:
        """The force's rules now (None: the force has none yet); admins and supervisors."""

    async def eligibility_versions(self) -> list[RulesVersion]: ...
    async def set_eligibility_rules(self, rules: Rules) -> RulesVersion: ...


class OfficerConnector(Protocol):
    def officer_sign_in(self) -> OfficerSignIn: ...
    def officer_account(self, identity: Identity) -> OfficerAccount: ...
