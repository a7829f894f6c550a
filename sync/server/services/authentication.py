"""Who is calling: the caller behind a request's bearer token (an officer's or victim's session,
or a force's integration key), and the check that a caller is an officer in a given role."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import Role
from sync.server import security
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import Forbidden, Unauthorized
from sync.server.models import device_session, force, integration_key, officer, victim
from sync.server.services import sessions
from sync.server.victims_code import force_settings

_session_lookup = (
    sa.select(
        device_session.c.id,
        device_session.c.kind,
        device_session.c.force_id,
        device_session.c.officer_id,
        device_session.c.victim_id,
        device_session.c.expires_at,
        device_session.c.revoked_at,
        device_session.c.created_at,
        device_session.c.last_used_at,
        force.c.code.label("force_code"),
        force.c.settings.label("force_settings"),
        officer.c.role,
        officer.c.active,
        officer.c.totp_enabled,
        officer.c.name.label("officer_name"),
        victim.c.name.label("victim_name"),
    )
    .join(force, force.c.id == device_session.c.force_id)
    .outerjoin(officer, officer.c.id == device_session.c.officer_id)
    .outerjoin(victim, victim.c.id == device_session.c.victim_id)
    .where(device_session.c.token_hash == sa.bindparam("token_hash"))
)


def authenticate(conn: Connection, ctx: Context, request: RequestInfo, *, enrolling: bool = False) -> Caller:
    """The caller behind the request's token. An officer with no authenticator yet is refused
    unless ``enrolling`` (setting one up, their own details, signing out)."""
    caller = request.caller or _checked(conn, ctx, request)
    if caller.needs_authenticator and not enrolling:
        raise Forbidden(
            "Set up an authenticator app for your account first. Until then you can only set it up, "
            "see your own details and sign out.",
            code="authenticator_required",
        )
    return caller


def _checked(conn: Connection, ctx: Context, request: RequestInfo) -> Caller:
    token = request.token
    if not token:
        raise Unauthorized("Sign in first.")
    digest = ctx.secrets.digest(token)
    caller, expires_at = _lookup(conn, ctx, token, digest)
    ctx.callers.put(digest, replace(caller, ip=None), expires_at=expires_at)
    return replace(caller, ip=request.ip)


def _lookup(conn: Connection, ctx: Context, token: str, digest: str) -> tuple[Caller, datetime | None]:
    """The caller this token stands for, and the time after which no worker may trust that answer
    without asking again (the token's expiry, or the end of its idle allowance)."""
    if token.startswith(security.INTEGRATION_KEY_PREFIX):
        return _integration_caller(conn, digest), None
    now = ctx.now()
    row = conn.execute(_session_lookup, {"token_hash": digest}).one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized()
    if row.kind == "officer" and not row.active:
        raise Unauthorized()
    idle = sessions.idle_limit(ctx, row.kind)
    if (row.last_used_at or row.created_at) + idle <= now:
        raise Unauthorized(
            "You were signed out because this device was not used for a while. Sign in again.", code="session_idle"
        )
    last_used_at = sessions.note_use(conn, row.id, row.last_used_at or row.created_at, now=now)
    trusted_until = min(row.expires_at, last_used_at + idle)
    if row.kind == "officer":
        return Caller(
            kind="officer",
            id=row.officer_id,
            force_id=row.force_id,
            force_code=row.force_code,
            name=row.officer_name,
            role=Role(row.role),
            session_id=row.id,
            force_settings=force_settings(row.force_settings),
            needs_authenticator=not row.totp_enabled,
        ), trusted_until
    return Caller(
        kind="victim",
        id=row.victim_id,
        force_id=row.force_id,
        force_code=row.force_code,
        name=row.victim_name,
        session_id=row.id,
        force_settings=force_settings(row.force_settings),
    ), trusted_until


def _integration_caller(conn: Connection, digest: str) -> Caller:
    row = conn.execute(
        sa.select(
            integration_key.c.id,
            integration_key.c.force_id,
            integration_key.c.revoked_at,
            force.c.code,
            force.c.settings,
        )
        .join(force, force.c.id == integration_key.c.force_id)
        .where(integration_key.c.key_hash == digest)
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        raise Unauthorized()
    return Caller(
        kind="integration",
        id=row.id,
        force_id=row.force_id,
        force_code=row.code,
        name="Record system",
        force_settings=force_settings(row.settings),
    )


def require_officer(caller: Caller, *roles: Role) -> None:
    if caller.kind != "officer" or (roles and caller.role not in roles):
        raise Forbidden("Your account cannot do this.")
