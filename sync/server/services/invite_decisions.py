"""Each case's invitation decision: made by the force's rules in force when the case is created
or its facts change (``sync.server.eligibility``), stored with the rules' version and the rule
that decided; overridden by an officer with a recorded reason, never by the record system.

A later version of the rules never rewrites a decision: only a change to the case's own facts
decides it again. Whatever decided, "never" revokes any invitation not yet used, so no case an
exclusion covers is left with a way in. "Invite" sends one invitation, by the victim's
preferred channel, once their contact details and agreement are on record.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import (
    CasePublic,
    CaseStatus,
    ContactChannel,
    EligibilityRules,
    InviteDecision,
    InviteDecisionOverride,
    PhoneRiskMark,
    Role,
)
from sync.server import audit, eligibility
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import Forbidden
from sync.server.models import case, invitation
from sync.server.notify.outbox import send_after_commit
from sync.server.services import invitations
from sync.server.services.authentication import authenticate, require_officer
from sync.server.services.case_changes import emit_case_changed
from sync.server.services.eligibility_rules import current
from sync.server.services.rendering import render
from sync.server.services.visibility import CaseRow, case_query, load_visible

Rules = tuple[int, EligibilityRules] | None


class Unknown:
    """Rules not looked up yet (a bulk import looks them up once for every row)."""


UNKNOWN = Unknown()


def rules_now(conn: Connection, force_id: uuid.UUID) -> Rules:
    found = current(conn, force_id)
    return (found.version, found.rules) if found is not None else None


def facts(row: CaseRow, force_code: str) -> eligibility.Facts:
    return eligibility.Facts(
        force_code=force_code,
        crime_reference=row.crime_reference,
        crime_type=row.crime_type,
        domestic_abuse=row.domestic_abuse,
        sexual_offence=row.sexual_offence,
        phone_risk=row.phone_risk,
        portal_consent=row.victim_portal_consent,
        date_of_birth=row.victim_date_of_birth,
        age=row.victim_age,
    )


def decide(
    conn: Connection, ctx: Context, actor: Caller | None, row: CaseRow, force_code: str, rules: Rules
) -> CaseRow:
    """Decides (again) for a case just created or whose facts changed; the caller holds its row
    lock. An officer's override stands unless the rules now say never. Returns the row as stored."""
    now = ctx.now()
    verdict = eligibility.decide(rules[1] if rules else None, facts(row, force_code), today=now.date())
    overridden = row.decision_overridden_by is not None
    if overridden and verdict.decision != InviteDecision.NEVER:
        return _after_decision(conn, ctx, actor, row)
    version = rules[0] if rules else None
    if (row.invite_decision, row.decision_rule, row.decision_rules_version) != (
        verdict.decision.value,
        verdict.rule,
        version,
    ):
        conn.execute(
            sa.update(case)
            .where(case.c.id == row.id)
            .values(
                invite_decision=verdict.decision.value,
                decision_rule=verdict.rule,
                decision_rules_version=version,
                decided_at=now,
                decision_overridden_by=None,
                decision_override_reason=None,
            )
        )
        audit.record(
            conn,
            actor,
            "invite_decision.decide",
            now=now,
            case_id=row.id,
            force_id=row.force_id,
            detail={"decision": verdict.decision.value, "rule": verdict.rule, "rules_version": version},
        )
        row = _reload(conn, row.id)
    return _after_decision(conn, ctx, actor, row)


def _reload(conn: Connection, case_id: uuid.UUID) -> CaseRow:
    return conn.execute(case_query.where(case.c.id == case_id)).one()


def _after_decision(conn: Connection, ctx: Context, actor: Caller | None, row: CaseRow) -> CaseRow:
    """Never: no unused invitation survives. Invite: the one automatic invitation, when it can go."""
    if row.invite_decision == InviteDecision.NEVER:
        invitations.revoke_unused(conn, invitation.c.case_id == row.id, now=ctx.now())
        return row
    if row.invite_decision != InviteDecision.INVITE or row.auto_invited_at is not None:
        return row
    if row.status == CaseStatus.CLOSED:
        return row
    # The rules invite only with the victim's agreement; an officer's override is its own reason.
    if row.decision_overridden_by is None and row.victim_portal_consent is not True:
        return row
    channel = ContactChannel(row.victim_preferred_channel)
    if not (row.victim_phone if channel == ContactChannel.SMS else row.victim_email):
        return row
    sent = invitations.issue(conn, ctx, row, channel, actor=actor, created_by="system:eligibility")
    send_after_commit(conn, sent.notification_id)
    conn.execute(sa.update(case).where(case.c.id == row.id).values(auto_invited_at=ctx.now()))
    return _reload(conn, row.id)


def override(
    conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID, body: InviteDecisionOverride
) -> CasePublic:
    """The officer on the case (or a supervisor) decides instead of the rules, giving a reason."""
    caller = authenticate(conn, ctx, request)
    if caller.kind == "integration":
        raise Forbidden("Only an officer can override an invitation decision.", code="override_by_officer_only")
    require_officer(caller, Role.OFFICER, Role.SUPERVISOR)
    row = load_visible(conn, caller, case_id, lock=True)
    now = ctx.now()
    conn.execute(
        sa.update(case)
        .where(case.c.id == row.id)
        .values(
            invite_decision=body.decision.value,
            decision_rule=f"officer_override_{body.decision.value}",
            decided_at=now,
            decision_overridden_by=caller.name,
            decision_override_reason=body.reason,
            # An override to invite sends a fresh invitation even if the rules sent one before.
            auto_invited_at=None,
            updated_at=now,
        )
    )
    audit.record(
        conn,
        caller,
        "invite_decision.override",
        now=now,
        case_id=row.id,
        detail={"from": row.invite_decision, "to": body.decision.value, "reason": body.reason},
    )
    row = _after_decision(conn, ctx, caller, _reload(conn, row.id))
    emit_case_changed(conn, ctx, row)
    return render(conn, caller, [row], now=ctx.now())[0]


def mark_phone_risk(
    conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID, body: PhoneRiskMark
) -> CasePublic:
    """The officer on the case (or a supervisor) marks, or clears, a risk from someone with access
    to the victim's phone; the rules in force now decide again (the record system cannot clear it)."""
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.OFFICER, Role.SUPERVISOR)
    row = load_visible(conn, caller, case_id, lock=True)
    if row.phone_risk == body.at_risk:
        return render(conn, caller, [row], now=ctx.now())[0]
    now = ctx.now()
    conn.execute(sa.update(case).where(case.c.id == row.id).values(phone_risk=body.at_risk, updated_at=now))
    audit.record(conn, caller, "case.phone_risk", now=now, case_id=row.id, detail={"at_risk": body.at_risk})
    row = decide(conn, ctx, caller, _reload(conn, row.id), caller.force_code, rules_now(conn, row.force_id))
    emit_case_changed(conn, ctx, row)
    return render(conn, caller, [row], now=ctx.now())[0]
