"""Cases as the force's record system sends them (its integration key, or ``import-cases``):
created and updated idempotently by crime reference.

Sending a case the portal already has compares it field by field: nothing different, nothing
written (and the same case answered); a different status becomes a timeline update in the
force's words, a different officer a hand-over, and changed facts the rules weigh a new
invitation decision. Each submission holds the force's counter lock from its first statement
(``changes.lock_counter``), so identical submissions at once take turns and only the first
finds anything to change: the update happens exactly once, on any number of workers.

What the record system cannot undo: an officer's mark that the victim is at risk from someone
with access to their phone, and a victim's "no" (only a new "yes" replaces it).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import CaseCreate, CasePublic, CaseStatus, CaseUpdateCreate, ContactChannel, InviteDecision
from sync.server import audit, changes, eligibility, wording
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import BadRequest
from sync.server.models import case, officer, victim
from sync.server.notify.outbox import send_after_commit
from sync.server.services import attention, handovers, invitations, invite_decisions
from sync.server.services.authentication import authenticate
from sync.server.services.case_changes import emit_case_changed
from sync.server.services.case_updates import record_update
from sync.server.services.cases import check_new, insert_case, open_case, victim_values
from sync.server.services.rendering import render
from sync.server.services.visibility import CaseRow, case_query
from sync.server.victims_code import next_update_due

Action = Literal["create", "update", "unchanged"]

# What the rules weigh: a change to any of these decides the invitation again.
_ELIGIBILITY_FIELDS = {
    "crime_type",
    "domestic_abuse",
    "sexual_offence",
    "phone_risk",
    "date_of_birth",
    "age",
    "portal_consent",
}
_CASE_FIELDS = ("crime_type", "summary", "reported_on", "domestic_abuse", "sexual_offence", "phone_risk")
_VICTIM_FIELDS = (
    "name",
    "phone",
    "email",
    "preferred_channel",
    "safe_contact_notes",
    "enhanced_rights",
    "date_of_birth",
    "age",
    "portal_consent",
)


@dataclass(frozen=True)
class Plan:
    """What submitting a case would do: create it, change the fields named, or nothing."""

    action: Action
    changed: tuple[str, ...] = ()
    case_values: Mapping[str, Any] | None = None
    victim_values: Mapping[str, Any] | None = None
    officer_id: uuid.UUID | None = None


Officers = Mapping[str, uuid.UUID]  # active officers of the force by collar number


def active_officers(conn: Connection, force_id: uuid.UUID) -> dict[str, uuid.UUID]:
    rows = conn.execute(
        sa.select(officer.c.collar_number, officer.c.id).where(officer.c.force_id == force_id, officer.c.active)
    ).all()
    return {row.collar_number.upper(): row.id for row in rows}


def _officer_for(body: CaseCreate, officers: Officers, existing: CaseRow | None) -> uuid.UUID:
    if body.officer_id is not None:
        if body.officer_id not in set(officers.values()):
            raise BadRequest(
                "No active officer in your force matches the officer in charge given.", code="officer_unknown"
            )
        return body.officer_id
    if body.officer_collar_number is not None:
        found = officers.get(body.officer_collar_number.upper())
        if found is None:
            raise BadRequest(
                "No active officer in your force matches the officer in charge given.", code="officer_unknown"
            )
        return found
    if existing is not None:
        return existing.officer_id  # type: ignore[no-any-return]
    raise BadRequest("Say who the officer in charge is (officer_id or officer_collar_number).", code="officer_missing")


def plan(ctx: Context, body: CaseCreate, existing: CaseRow | None, officers: Officers) -> Plan:
    """What ``body`` would do to the case stored as ``existing``; raises ``BadRequest`` for a
    submission that must be refused. Reads nothing, writes nothing."""
    if existing is None:
        check_new(body, ctx)
        values = victim_values(body.victim)  # refuses a victim who cannot be contacted
        return Plan("create", officer_id=_officer_for(body, officers, None), victim_values=values)
    if body.reported_on > ctx.now().date():
        raise BadRequest("The reported date is in the future.", code="invalid_date")
    if body.status == CaseStatus.CLOSED and body.closed_outcome is None:
        raise BadRequest("Say how the case was closed (closed_outcome).", code="outcome_missing")
    if body.closed_outcome is not None and body.status != CaseStatus.CLOSED:
        raise BadRequest("An outcome goes with closing the case (status 'closed').", code="invalid_outcome")
    officer_id = _officer_for(body, officers, existing)
    wanted_victim = victim_values(body.victim)
    # A victim's "no" stands until a "yes"; an officer's mark of risk stands whatever is sent.
    if wanted_victim["portal_consent"] is None:
        wanted_victim["portal_consent"] = existing.victim_portal_consent
    wanted_case: dict[str, Any] = {
        "crime_type": body.crime_type,
        "summary": body.summary,
        "reported_on": body.reported_on,
        "domestic_abuse": body.domestic_abuse,
        "sexual_offence": body.sexual_offence,
        "phone_risk": body.phone_risk or existing.phone_risk,
    }
    changed = [name for name in _CASE_FIELDS if wanted_case[name] != getattr(existing, name)]
    changed += [
        f"victim.{name}" for name in _VICTIM_FIELDS if wanted_victim[name] != getattr(existing, f"victim_{name}")
    ]
    if body.status.value != existing.status or (
        body.closed_outcome is not None and body.closed_outcome.value != existing.closed_outcome
    ):
        changed.append("status")
    if officer_id != existing.officer_id:
        changed.append("officer")
    if not changed:
        return Plan("unchanged")
    return Plan(
        "update",
        tuple(changed),
        case_values={name: wanted_case[name] for name in _CASE_FIELDS if name in changed},
        victim_values={name: wanted_victim[name] for name in _VICTIM_FIELDS if f"victim.{name}" in changed},
        officer_id=officer_id,
    )


def find(conn: Connection, force_id: uuid.UUID, crime_reference: str) -> CaseRow | None:
    return conn.execute(
        case_query.where(case.c.force_id == force_id, case.c.crime_reference == crime_reference)
    ).one_or_none()


def submit(
    conn: Connection,
    ctx: Context,
    caller: Caller,
    body: CaseCreate,
    *,
    officers: Officers | None = None,
    rules: invite_decisions.Rules | invite_decisions.Unknown = invite_decisions.UNKNOWN,
) -> tuple[Action, CaseRow]:
    """Creates or updates the case with ``body``'s crime reference; what was done, and the case."""
    # First, so that identical submissions at once take turns (see the module's docstring).
    changes.lock_counter(conn, caller.force_id)
    existing = find(conn, caller.force_id, body.crime_reference)
    if officers is None:
        officers = active_officers(conn, caller.force_id)
    todo = plan(ctx, body, existing, officers)
    if todo.action == "create":
        assert todo.officer_id is not None
        return "create", insert_case(conn, ctx, caller, body, todo.officer_id, rules=rules)
    assert existing is not None
    if todo.action == "unchanged":
        return "unchanged", existing
    return "update", _apply(conn, ctx, caller, body, existing, todo, rules)


def _apply(
    conn: Connection,
    ctx: Context,
    caller: Caller,
    body: CaseCreate,
    row: CaseRow,
    todo: Plan,
    rules: invite_decisions.Rules | invite_decisions.Unknown,
) -> CaseRow:
    now = ctx.now()
    if todo.victim_values:
        conn.execute(sa.update(victim).where(victim.c.id == row.victim_id).values(**todo.victim_values))
    conn.execute(sa.update(case).where(case.c.id == row.id).values(updated_at=now, **(todo.case_values or {})))
    row = _reload(conn, row.id)
    if "officer" in todo.changed:
        assert todo.officer_id is not None
        row = hand_over(conn, ctx, caller, row, todo.officer_id)
    if "status" in todo.changed:
        status = body.status
        record_update(
            conn,
            ctx,
            caller,
            row,
            CaseUpdateCreate(
                status=status,
                closed_outcome=body.closed_outcome if status == CaseStatus.CLOSED else None,
                text=wording.status_change(status.value, caller.force_settings),
            ),
        )
        row = _reload(conn, row.id)
    if _ELIGIBILITY_FIELDS & {name.removeprefix("victim.") for name in todo.changed}:
        if isinstance(rules, invite_decisions.Unknown):
            rules = invite_decisions.rules_now(conn, caller.force_id)
        row = invite_decisions.decide(conn, ctx, caller, row, caller.force_code, rules)
    emit_case_changed(conn, ctx, row)
    audit.record(conn, caller, "case.record_update", now=now, case_id=row.id, detail={"changed": list(todo.changed)})
    return row


def hand_over(conn: Connection, ctx: Context, caller: Caller, row: CaseRow, officer_id: uuid.UUID) -> CaseRow:
    """The record system names another officer in charge: the same hand-over officers make
    (``handovers.move``): the victim's timeline names the new officer, the old officer's caseload
    hears it has gone, the victim is alerted without detail."""
    to = conn.execute(
        sa.select(officer.c.id, officer.c.name, officer.c.collar_number).where(officer.c.id == officer_id)
    ).one()
    moved, _ = handovers.move(conn, ctx, caller, row, to)
    return moved


def _reload(conn: Connection, case_id: uuid.UUID) -> CaseRow:
    return conn.execute(case_query.where(case.c.id == case_id)).one()


def submit_case(conn: Connection, ctx: Context, request: RequestInfo, body: CaseCreate) -> tuple[CasePublic, bool]:
    """``POST /v1/cases``: the case, and whether it is new. Officers open new cases only; the
    record system's submissions are idempotent by crime reference."""
    caller = authenticate(conn, ctx, request)
    if caller.kind != "integration":
        return open_case(conn, ctx, caller, body), True
    action, row = submit(conn, ctx, caller, body)
    return render(conn, caller, [row], now=ctx.now())[0], action == "create"


def create_many(
    conn: Connection,
    ctx: Context,
    caller: Caller,
    items: list[tuple[CaseCreate, Plan]],
    rules: invite_decisions.Rules,
) -> None:
    """``insert_case`` for many new cases (each with its plan) in a few statements:
    what a bulk import spends its time on. The same rows, the same events and the same decisions;
    the automatic invitations too."""
    if not items:
        return
    now = ctx.now()
    settings = caller.force_settings
    victims: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    for body, todo in items:
        assert todo.officer_id is not None
        assert todo.victim_values is not None
        officer_id, victim_row = todo.officer_id, todo.victim_values
        victim_id, case_id = uuid.uuid4(), uuid.uuid4()
        victims.append({"id": victim_id, "force_id": caller.force_id, "created_at": now, **victim_row})
        verdict = eligibility.decide(
            rules[1] if rules else None,
            eligibility.Facts(
                force_code=caller.force_code,
                crime_reference=body.crime_reference,
                crime_type=body.crime_type,
                domestic_abuse=body.domestic_abuse,
                sexual_offence=body.sexual_offence,
                phone_risk=body.phone_risk,
                portal_consent=victim_row["portal_consent"],
                date_of_birth=victim_row["date_of_birth"],
                age=victim_row["age"],
            ),
            today=now.date(),
        )
        # What attention.refresh stores for a case no one has updated yet.
        due = next_update_due(
            closed=False,
            reported_on=body.reported_on,
            enhanced=body.victim.enhanced_rights,
            officer_updates=0,
            last_officer_update_at=None,
            open_request_dues=[],
            settings=settings,
        )
        cases.append(
            {
                "id": case_id,
                "force_id": caller.force_id,
                "crime_reference": body.crime_reference,
                "crime_type": body.crime_type,
                "status": body.status.value,
                "summary": body.summary,
                "reported_on": body.reported_on,
                "officer_id": officer_id,
                "victim_id": victim_id,
                "created_at": now,
                "updated_at": now,
                "domestic_abuse": body.domestic_abuse,
                "sexual_offence": body.sexual_offence,
                "phone_risk": body.phone_risk,
                "next_update_due": due,
                "queue_position": attention.queue_position(closed=False, next_due=due, updated_at=now),
                "invite_decision": verdict.decision.value,
                "decision_rule": verdict.rule,
                "decision_rules_version": rules[0] if rules else None,
                "decided_at": now,
            }
        )
    # The rules' automatic invitations, for victims who agreed: nothing older to revoke for them.
    first: list[invitations.FirstInvitation] = []
    for c, v in zip(cases, victims, strict=True):
        channel = ContactChannel(v["preferred_channel"])
        contact = v["phone"] if channel == ContactChannel.SMS else v["email"]
        if c["invite_decision"] == InviteDecision.INVITE and v["portal_consent"] is True and contact:
            first.append(invitations.FirstInvitation(caller.force_id, c["id"], v["id"], channel, contact))
            c["auto_invited_at"] = now
    conn.execute(sa.insert(victim), victims)
    conn.execute(sa.insert(case), [{"auto_invited_at": None, **c} for c in cases])
    for notification_id in invitations.issue_first(conn, ctx, first, actor=caller, created_by="system:eligibility"):
        send_after_commit(conn, notification_id)
    seq = changes.take_seqs(conn, caller.force_id, len(cases))
    changes.append_many(
        conn,
        [
            changes.NewEvent(_Ids(c["id"], c["force_id"], c["officer_id"], c["victim_id"]), "case", seq + n, "")
            for n, c in enumerate(cases)
        ],
        now=now,
    )
    audit.record_many(
        conn,
        [(caller, "case.create", c["id"], {}) for c in cases]
        + [
            (
                caller,
                "invite_decision.decide",
                c["id"],
                {
                    "decision": c["invite_decision"],
                    "rule": c["decision_rule"],
                    "rules_version": c["decision_rules_version"],
                },
            )
            for c in cases
        ],
        now=now,
    )


@dataclass(frozen=True)
class _Ids:
    id: uuid.UUID
    force_id: uuid.UUID
    officer_id: uuid.UUID
    victim_id: uuid.UUID
