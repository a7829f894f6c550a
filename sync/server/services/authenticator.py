"""An officer's authenticator app (TOTP): setting one up, or replacing it, and confirming it with a
first code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyotp
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from sync.protocol import TotpEnrol, TotpEnrolmentPublic
from sync.server import audit, limits, security
from sync.server.context import Context, RequestInfo
from sync.server.errors import ApiError, Conflict, Forbidden
from sync.server.models import device_session, officer
from sync.server.services import sessions
from sync.server.services.authentication import authenticate, require_officer


class _EnrolRefused(Forbidden):
    keep_changes = True


def take_code(conn: Connection, ctx: Context, row: Row[Any], code: str, *, now: datetime) -> bool:
    """Checks a code from the officer's authenticator in use and, if right, spends its time step
    (a code is taken once: a replay is refused). Signing in and replacing an authenticator use it."""
    secret = ctx.secrets.unseal(row.totp_secret, context=f"totp:{row.id}")
    step = security.totp_step(secret, code, now=now, after_step=row.totp_last_step)
    if step is None:
        return False
    conn.execute(sa.update(officer).where(officer.c.id == row.id).values(totp_last_step=step))
    return True


def totp_enrol(conn: Connection, ctx: Context, request: RequestInfo, body: TotpEnrol) -> TotpEnrolmentPublic:
    """Start setting up an authenticator. A session alone is not enough: the password again, and
    to replace an authenticator, a code from it. The one in use stays valid until the new is
    confirmed. Wrong answers count against the officer's sign-in limits."""
    caller = authenticate(conn, ctx, request, enrolling=True)
    require_officer(caller)
    now = ctx.now()
    row = conn.execute(sa.select(officer).where(officer.c.id == caller.id)).one()
    account_key = f"{caller.force_code}/{row.username}"
    limits.check(conn, limits.OFFICER_LOGIN_PER_IP, request.ip, now=now)
    limits.check(conn, limits.OFFICER_LOGIN_PER_ACCOUNT, account_key, now=now)

    def refuse(message: str, code: str) -> _EnrolRefused:
        limits.record(conn, limits.OFFICER_LOGIN_PER_IP, request.ip, now=now)
        limits.record(conn, limits.OFFICER_LOGIN_PER_ACCOUNT, account_key, now=now)
        audit.record(conn, caller, "officer.totp_enrol_refused", now=now, detail={"reason": code})
        return _EnrolRefused(message, code=code)

    if not ctx.passwords.verify(row.password_hash, body.password):
        raise refuse("The password is not right.", "bad_password")
    if row.totp_enabled:
        if body.totp_code is None:
            raise refuse("To replace your authenticator, enter a code from the one you use now.", "totp_required")
        if not take_code(conn, ctx, row, body.totp_code, now=now):
            raise refuse("The authenticator code is not right, or was already used.", "bad_totp")
    secret = security.new_totp_secret()
    conn.execute(
        sa.update(officer)
        .where(officer.c.id == caller.id)
        .values(totp_pending_secret=ctx.secrets.seal(secret, context=f"totp:{caller.id}"))
    )
    audit.record(conn, caller, "officer.totp_enrol", now=now, detail={"replacing": row.totp_enabled})
    uri = pyotp.TOTP(secret).provisioning_uri(name=f"{row.username}@{caller.force_code}", issuer_name="Victim's Portal")
    return TotpEnrolmentPublic(secret=secret, provisioning_uri=uri)


def totp_confirm(conn: Connection, ctx: Context, request: RequestInfo, code: str) -> None:
    """A code from the authenticator being set up makes it the one in use (replacing any other)."""
    caller = authenticate(conn, ctx, request, enrolling=True)
    require_officer(caller)
    row = conn.execute(sa.select(officer).where(officer.c.id == caller.id).with_for_update()).one()
    if row.totp_pending_secret is None:
        raise Conflict("Start setting up an authenticator first.", code="totp_not_started")
    secret = ctx.secrets.unseal(row.totp_pending_secret, context=f"totp:{caller.id}")
    step = security.totp_step(secret, code, now=ctx.now(), after_step=None)
    if step is None:
        raise ApiError("That code is not right. Check your device's clock and try again.", code="bad_totp")
    conn.execute(
        sa.update(officer)
        .where(officer.c.id == caller.id)
        .values(totp_secret=row.totp_pending_secret, totp_pending_secret=None, totp_enabled=True, totp_last_step=step)
    )
    ended = 0
    if row.totp_enabled:
        # Replaced, perhaps because a phone or laptop was taken: the officer's other devices
        # sign in again, with the new authenticator.
        ended = sessions.end_sessions(
            conn, ctx, device_session.c.officer_id == caller.id, device_session.c.id != caller.session_id
        )
    audit.record(
        conn,
        caller,
        "officer.totp_replaced" if row.totp_enabled else "officer.totp_enabled",
        now=ctx.now(),
        detail={"sessions_ended": ended} if row.totp_enabled else None,
    )
    if request.token:
        # Every worker forgets what it knew of this session, so it may now read cases.
        sessions.revoke_cached(conn, ctx, ctx.secrets.digest(request.token))
