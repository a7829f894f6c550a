"""Cases themselves: opening one (with its victim and officer in charge) and reading one."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import CaseCreate, CasePublic, CaseStatus, ContactChannel, Role, VictimCreate
from sync.server import audit
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import BadRequest, Conflict
from sync.server.models import case, officer, victim
from sync.server.services import invite_decisions
from sync.server.services.authentication import authenticate, require_officer
from sync.server.services.case_changes import emit_case_changed
from sync.server.services.phone_numbers import normalise_phone
from sync.server.services.rendering import render
from sync.server.services.visibility import CaseRow, case_query, load_visible


def get_case(conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID) -> CasePublic:
    caller = authenticate(conn, ctx, request)
    row = load_visible(conn, caller, case_id)
    if caller.kind == "officer":
        audit.record(conn, caller, "case.read", now=ctx.now(), case_id=case_id)
    return render(conn, caller, [row], now=ctx.now())[0]


def victim_values(body: VictimCreate) -> dict[str, Any]:
    phone = normalise_phone(body.phone) if body.phone else None
    email = str(body.email).lower() if body.email else None
    if phone is None and email is None:
        raise BadRequest("Give the victim's mobile number or email address, or both.", code="victim_contact_missing")
    if body.preferred_channel == ContactChannel.SMS and phone is None:
        raise BadRequest("The victim prefers text messages but has no mobile number.", code="victim_contact_missing")
    if body.preferred_channel == ContactChannel.EMAIL and email is None:
        raise BadRequest("The victim prefers email but has no email address.", code="victim_contact_missing")
    return {
        "name": body.name,
        "phone": phone,
        "email": email,
        "preferred_channel": body.preferred_channel.value,
        "safe_contact_notes": body.safe_contact_notes,
        "enhanced_rights": body.enhanced_rights,
        "contact_channels": [body.preferred_channel.value],
        "contact_times": "",
        "safe_to_leave_voicemail": False,
        "date_of_birth": body.date_of_birth,
        "age": body.age,
        "portal_consent": body.portal_consent,
    }


def _officer_in_charge(conn: Connection, caller: Caller, body: CaseCreate) -> uuid.UUID:
    where: sa.ColumnElement[bool]
    if body.officer_id is not None:
        where = officer.c.id == body.officer_id
    elif body.officer_collar_number is not None:
        where = officer.c.collar_number == body.officer_collar_number
    elif caller.kind == "officer":
        return caller.id
    else:
        raise BadRequest(
            "Say who the officer in charge is (officer_id or officer_collar_number).", code="officer_missing"
        )
    found = conn.execute(
        sa.select(officer.c.id).where(where, officer.c.force_id == caller.force_id, officer.c.active)
    ).scalar_one_or_none()
    if found is None:
        raise BadRequest("No active officer in your force matches the officer in charge given.", code="officer_unknown")
    return found  # type: ignore[no-any-return]


def create_case(conn: Connection, ctx: Context, request: RequestInfo, body: CaseCreate) -> CasePublic:
    """An officer (or the record system, for a reference not yet known) opens a case."""
    return open_case(conn, ctx, authenticate(conn, ctx, request), body)


def open_case(conn: Connection, ctx: Context, caller: Caller, body: CaseCreate) -> CasePublic:
    if caller.kind != "integration":
        require_officer(caller, Role.OFFICER, Role.SUPERVISOR)
    check_new(body, ctx)
    exists = conn.execute(
        sa.select(case.c.id).where(case.c.force_id == caller.force_id, case.c.crime_reference == body.crime_reference)
    ).first()
    if exists:
        raise Conflict("A case with this crime reference already exists in your force.", code="duplicate_reference")
    row = insert_case(conn, ctx, caller, body, _officer_in_charge(conn, caller, body))
    return render(conn, caller, [row], now=ctx.now())[0]


def check_new(body: CaseCreate, ctx: Context) -> None:
    if body.status == CaseStatus.CLOSED:
        raise BadRequest("A new case cannot start closed.", code="invalid_status")
    if body.closed_outcome is not None:
        raise BadRequest("An outcome goes with closing the case (status 'closed').", code="invalid_outcome")
    if body.reported_on > ctx.now().date():
        raise BadRequest("The reported date is in the future.", code="invalid_date")


def insert_case(
    conn: Connection,
    ctx: Context,
    caller: Caller,
    body: CaseCreate,
    officer_id: uuid.UUID,
    *,
    rules: invite_decisions.Rules | invite_decisions.Unknown = invite_decisions.UNKNOWN,
) -> CaseRow:
    """Stores a checked new case and its victim, announces it, and decides about inviting the victim."""
    now = ctx.now()
    victim_id = uuid.uuid4()
    conn.execute(
        sa.insert(victim).values(id=victim_id, force_id=caller.force_id, created_at=now, **victim_values(body.victim))
    )
    case_id = uuid.uuid4()
    conn.execute(
        sa.insert(case).values(
            id=case_id,
            force_id=caller.force_id,
            crime_reference=body.crime_reference,
            crime_type=body.crime_type,
            status=body.status.value,
            summary=body.summary,
            reported_on=body.reported_on,
            officer_id=officer_id,
            victim_id=victim_id,
            created_at=now,
            updated_at=now,
            domestic_abuse=body.domestic_abuse,
            sexual_offence=body.sexual_offence,
            phone_risk=body.phone_risk,
        )
    )
    row = conn.execute(case_query.where(case.c.id == case_id)).one()
    audit.record(conn, caller, "case.create", now=now, case_id=case_id)
    if isinstance(rules, invite_decisions.Unknown):
        rules = invite_decisions.rules_now(conn, caller.force_id)
    row = invite_decisions.decide(conn, ctx, caller, row, caller.force_code, rules)
    emit_case_changed(conn, ctx, row)
    return row
