"""Officer accounts, added by a force admin or the force's record system, and their availability."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from sync.protocol import (
    CaseStatus,
    OfficerAvailability,
    OfficerCreate,
    OfficerCreatedPublic,
    OfficerPublic,
    Role,
)
from sync.server import audit
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import BadRequest, Conflict, Forbidden
from sync.server.models import case, officer
from sync.server.services import setup_codes
from sync.server.services.authentication import authenticate, require_officer
from sync.server.services.case_changes import emit_cases_changed
from sync.server.services.phone_numbers import normalise_phone
from sync.server.victims_code import UK


def officer_public(row: Row[Any]) -> OfficerPublic:
    return OfficerPublic(
        id=row.id,
        username=row.username,
        name=row.name,
        collar_number=row.collar_number,
        phone=row.phone,
        email=row.email,
        role=Role(row.role),
        active=row.active,
        totp_enabled=row.totp_enabled,
        reply_within_hours=row.reply_within_hours,
        away_message=row.away_message,
        back_on=row.back_on,
    )


def insert_officer(conn: Connection, ctx: Context, force_id: uuid.UUID, body: OfficerCreate) -> Row[Any]:
    clash = conn.execute(
        sa.select(officer.c.username, officer.c.collar_number).where(
            officer.c.force_id == force_id,
            sa.or_(officer.c.username == body.username, officer.c.collar_number == body.collar_number),
        )
    ).first()
    if clash is not None:
        field = "username" if clash.username == body.username else "collar number"
        raise Conflict(f"An officer with this {field} already exists in your force.", code="officer_exists")
    officer_id = uuid.uuid4()
    conn.execute(
        sa.insert(officer).values(
            id=officer_id,
            force_id=force_id,
            username=body.username,
            password_hash=None,  # the officer chooses one with their set-up code
            name=body.name,
            collar_number=body.collar_number,
            phone=normalise_phone(body.phone),
            email=str(body.email).lower(),
            role=body.role.value,
            active=True,
            totp_enabled=False,
            created_at=ctx.now(),
        )
    )
    return conn.execute(sa.select(officer).where(officer.c.id == officer_id)).one()


def create_account(
    conn: Connection, ctx: Context, actor: Caller | None, force_id: uuid.UUID, body: OfficerCreate
) -> OfficerCreatedPublic:
    """Adds the officer with no password, and the one-time code with which they choose one."""
    row = insert_officer(conn, ctx, force_id, body)
    setup = setup_codes.issue(conn, ctx, force_id, row.id)
    audit.record(
        conn,
        actor,
        "officer.create",
        now=ctx.now(),
        force_id=force_id,
        detail={"officer_id": str(row.id), "role": body.role.value},
    )
    return OfficerCreatedPublic(**officer_public(row).model_dump(), setup=setup)


def create(conn: Connection, ctx: Context, request: RequestInfo, body: OfficerCreate) -> OfficerCreatedPublic:
    """An admin adds anyone; the force's record system adds plain officers only."""
    caller: Caller = authenticate(conn, ctx, request)
    if caller.kind == "integration":
        if body.role != Role.OFFICER:
            raise Forbidden(
                "The record system can add officers only; an admin adds supervisors and admins.",
                code="role_not_allowed",
            )
    else:
        require_officer(caller, Role.ADMIN)
    return create_account(conn, ctx, caller, caller.force_id, body)


def me(conn: Connection, ctx: Context, request: RequestInfo) -> OfficerPublic:
    caller = authenticate(conn, ctx, request, enrolling=True)
    require_officer(caller)
    return officer_public(conn.execute(sa.select(officer).where(officer.c.id == caller.id)).one())


def list_officers(conn: Connection, ctx: Context, request: RequestInfo) -> list[OfficerPublic]:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.SUPERVISOR, Role.ADMIN)
    rows = conn.execute(sa.select(officer).where(officer.c.force_id == caller.force_id).order_by(officer.c.name))
    return [officer_public(row) for row in rows]


def set_availability(conn: Connection, ctx: Context, request: RequestInfo, body: OfficerAvailability) -> OfficerPublic:
    """Stores how soon the officer replies and whether they are away, and tells the victims on
    their open cases (the app shows it beside the officer's name)."""
    caller = authenticate(conn, ctx, request)
    require_officer(caller)
    mine = sa.select(officer).where(officer.c.id == caller.id, officer.c.force_id == caller.force_id)
    if body.back_on is not None:
        check_back_on(body.back_on, ctx.now().astimezone(UK).date())
    row = conn.execute(mine.with_for_update()).one()
    wanted = (body.reply_within_hours, body.away_message, body.back_on)
    if (row.reply_within_hours, row.away_message, row.back_on) == wanted:
        return officer_public(row)
    conn.execute(
        sa.update(officer)
        .where(officer.c.id == row.id)
        .values(reply_within_hours=body.reply_within_hours, away_message=body.away_message, back_on=body.back_on)
    )
    emit_cases_changed(
        conn,
        ctx,
        case.c.officer_id == row.id,
        case.c.force_id == caller.force_id,
        case.c.status != CaseStatus.CLOSED.value,
    )
    audit.record(
        conn,
        caller,
        "officer.availability",
        now=ctx.now(),
        detail={
            "reply_within_hours": body.reply_within_hours,
            "away": body.away_message is not None,
            "back_on": body.back_on.isoformat() if body.back_on else None,
        },
    )
    return officer_public(conn.execute(mine).one())


def check_back_on(back_on: date, today: date) -> None:
    """The return date victims read: in the UK's calendar, not gone by, and within a year (a
    later one is almost always a typo in the year)."""
    if back_on < today:
        raise BadRequest("back_on: the date you are back cannot be in the past.", code="back_on_past")
    try:
        latest = today.replace(year=today.year + 1)
    except ValueError:  # 29 February: a year on is 28 February
        latest = today.replace(year=today.year + 1, day=28)
    if back_on > latest:
        raise BadRequest("back_on: the date you are back can be at most a year from today.", code="back_on_too_far")
