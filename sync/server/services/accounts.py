"""Ending and restoring an officer's access: deactivation, an admin's password reset, and an
officer's own password change. Each ends sessions on every worker at once, and is audited."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from sync.protocol import OfficerPublic, PasswordChange, Role, SetupCodePublic
from sync.server import audit, limits
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import BadRequest, Conflict, NotFound
from sync.server.models import device_session, officer
from sync.server.services import sessions, setup_codes
from sync.server.services.authentication import authenticate, require_officer
from sync.server.services.officers import officer_public


class _WrongPassword(BadRequest):
    keep_changes = True  # a wrong current password counts as a try


def _officer_in_force(conn: Connection, force_id: uuid.UUID, officer_id: uuid.UUID) -> Row[Any]:
    row = conn.execute(
        sa.select(officer).where(officer.c.id == officer_id, officer.c.force_id == force_id).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound("No officer with that id in your force.", code="officer_not_found")
    return row


def officer_id_for(conn: Connection, force_id: uuid.UUID, username: str) -> uuid.UUID:
    found = conn.execute(
        sa.select(officer.c.id).where(officer.c.force_id == force_id, officer.c.username == username.lower())
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"No officer with username {username!r} in that force.", code="officer_not_found")
    return found  # type: ignore[no-any-return]


def set_active(
    conn: Connection, ctx: Context, actor: Caller | None, force_id: uuid.UUID, officer_id: uuid.UUID, *, active: bool
) -> OfficerPublic:
    """Deactivating ends every session of the officer at once; their cases stay as they are."""
    row = _officer_in_force(conn, force_id, officer_id)
    if not active and actor is not None and actor.id == officer_id:
        raise Conflict("You cannot deactivate your own account. Ask another admin.", code="own_account")
    conn.execute(sa.update(officer).where(officer.c.id == row.id).values(active=active))
    ended = 0
    if not active:
        ended = sessions.end_sessions(conn, ctx, device_session.c.officer_id == row.id)
        # A set-up code given before must not work again if the account is reactivated later.
        setup_codes.withdraw(conn, row.id, now=ctx.now())
    audit.record(
        conn,
        actor,
        "officer.reactivate" if active else "officer.deactivate",
        now=ctx.now(),
        force_id=force_id,
        detail={"officer_id": str(row.id), "sessions_ended": ended},
    )
    return officer_public(conn.execute(sa.select(officer).where(officer.c.id == row.id)).one())


def reset_password(
    conn: Connection, ctx: Context, actor: Caller | None, force_id: uuid.UUID, officer_id: uuid.UUID
) -> SetupCodePublic:
    """The old password stops working and every session ends; the officer chooses a new password
    with the set-up code returned (shown once)."""
    row = _officer_in_force(conn, force_id, officer_id)
    conn.execute(sa.update(officer).where(officer.c.id == row.id).values(password_hash=None))
    ended = sessions.end_sessions(conn, ctx, device_session.c.officer_id == row.id)
    setup = setup_codes.issue(conn, ctx, force_id, row.id)
    audit.record(
        conn,
        actor,
        "officer.password_reset",
        now=ctx.now(),
        force_id=force_id,
        detail={"officer_id": str(row.id), "sessions_ended": ended},
    )
    return setup


# ---------------------------------------------------------------------------- the API's callers


def _admin(conn: Connection, ctx: Context, request: RequestInfo) -> Caller:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.ADMIN)
    return caller


def deactivate(conn: Connection, ctx: Context, request: RequestInfo, officer_id: uuid.UUID) -> OfficerPublic:
    caller = _admin(conn, ctx, request)
    return set_active(conn, ctx, caller, caller.force_id, officer_id, active=False)


def reactivate(conn: Connection, ctx: Context, request: RequestInfo, officer_id: uuid.UUID) -> OfficerPublic:
    caller = _admin(conn, ctx, request)
    return set_active(conn, ctx, caller, caller.force_id, officer_id, active=True)


def admin_reset_password(
    conn: Connection, ctx: Context, request: RequestInfo, officer_id: uuid.UUID
) -> SetupCodePublic:
    caller = _admin(conn, ctx, request)
    return reset_password(conn, ctx, caller, caller.force_id, officer_id)


def change_password(conn: Connection, ctx: Context, request: RequestInfo, body: PasswordChange) -> None:
    """An officer's own change: needs the current password, and ends their other sessions."""
    caller = authenticate(conn, ctx, request)
    require_officer(caller)
    now = ctx.now()
    username = conn.execute(sa.select(officer.c.username).where(officer.c.id == caller.id)).scalar_one()
    account_key = f"{caller.force_code}/{username}"
    # The account's limit lock before the officer's row, in the order sign-in takes them, so a
    # change and a sign-in never wait on each other (PostgreSQL would end one as a deadlock).
    limits.check(conn, limits.OFFICER_LOGIN_PER_ACCOUNT, account_key, now=now)
    row = conn.execute(sa.select(officer).where(officer.c.id == caller.id).with_for_update()).one()
    if not ctx.passwords.verify(row.password_hash, body.current_password):
        limits.record(conn, limits.OFFICER_LOGIN_PER_ACCOUNT, account_key, now=now)
        audit.record(conn, caller, "officer.password_change_failed", now=now)
        raise _WrongPassword("Your current password is not right.", code="bad_credentials")
    conn.execute(
        sa.update(officer).where(officer.c.id == caller.id).values(password_hash=ctx.passwords.hash(body.new_password))
    )
    ended = sessions.end_sessions(
        conn, ctx, device_session.c.officer_id == caller.id, device_session.c.id != caller.session_id
    )
    audit.record(conn, caller, "officer.password_change", now=now, detail={"sessions_ended": ended})
