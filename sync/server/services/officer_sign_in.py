"""An officer signing in: force, username and password, then a code from their authenticator once
they have one; rate-limited by address and by account, and audited either way."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import OfficerLogin, Role, TokenPublic
from sync.server import audit, limits
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import Unauthorized
from sync.server.models import force, officer
from sync.server.services import authenticator, sessions


class _Refused(Unauthorized):
    keep_changes = True


def officer_login(conn: Connection, ctx: Context, request: RequestInfo, body: OfficerLogin) -> TokenPublic:
    now = ctx.now()
    account_key = f"{body.force_code}/{body.username}"
    limits.check(conn, limits.OFFICER_LOGIN_PER_IP, request.ip, now=now)
    limits.check(conn, limits.OFFICER_LOGIN_PER_ACCOUNT, account_key, now=now)
    row = conn.execute(
        sa.select(officer, force.c.code.label("force_code"), force.c.settings.label("force_settings"))
        .join(force, force.c.id == officer.c.force_id)
        .where(force.c.code == body.force_code, officer.c.username == body.username)
        # Locked, so a reset, password change or deactivation committing meanwhile cannot miss
        # the session this sign-in is about to make: one of the two waits for the other.
        .with_for_update(of=officer)
    ).one_or_none()

    def refuse(message: str, code: str) -> _Refused:
        limits.record(conn, limits.OFFICER_LOGIN_PER_IP, request.ip, now=now)
        limits.record(conn, limits.OFFICER_LOGIN_PER_ACCOUNT, account_key, now=now)
        audit.record(
            conn,
            None,
            "officer.login_failed",
            now=now,
            force_id=row.force_id if row else None,
            ip=request.ip,
            detail={"reason": code},
        )
        return _Refused(message, code=code)

    password_ok = ctx.passwords.verify(row.password_hash if row else None, body.password)
    if row is None or not password_ok or not row.active:
        raise refuse("The force, username or password is not right.", "bad_credentials")
    if row.totp_enabled:
        if body.totp_code is None:
            raise refuse("Enter the 6-digit code from your authenticator app.", "totp_required")
        if not authenticator.take_code(conn, ctx, row, body.totp_code, now=now):
            raise refuse("The authenticator code is not right, or was already used.", "bad_totp")

    session = sessions.new_session(
        conn,
        ctx,
        kind="officer",
        force_id=row.force_id,
        officer_id=row.id,
        victim_id=None,
        device_name=body.device_name,
        ip=request.ip,
        lifetime=timedelta(hours=ctx.settings.officer_token_hours),
    )
    caller = Caller(
        kind="officer",
        id=row.id,
        force_id=row.force_id,
        force_code=row.force_code,
        name=row.name,
        role=Role(row.role),
        session_id=session.id,
        ip=request.ip,
    )
    audit.record(conn, caller, "officer.login", now=now, detail={"device": body.device_name})
    return TokenPublic(
        token=session.token,
        expires_at=session.expires_at,
        role=row.role,
        force_code=row.force_code,
        revoke_key=session.revoke_key,
    )
