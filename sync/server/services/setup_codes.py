"""One-time set-up codes: how an officer comes to have a password nobody else chose.

A new account, or one whose password an admin reset, gets a random code (shown once, stored as a
keyed digest, expiring, single-use); the officer sends it with a password of their own choosing.
A newer code replaces any older one for the same officer.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import OfficerSetup, SetupCodePublic
from sync.server import audit, limits, security
from sync.server.context import Context, RequestInfo
from sync.server.errors import BadRequest
from sync.server.models import device_session, force, officer, setup_code
from sync.server.services import sessions


class _SetupRefused(BadRequest):
    keep_changes = True  # a wrong code counts as a try


def _digest(ctx: Context, code: str) -> str:
    return ctx.secrets.digest(f"setup:{code}")


def withdraw(conn: Connection, officer_id: uuid.UUID, *, now: datetime) -> None:
    """Ends the officer's set-up codes not yet used (a new one replaces them; deactivation ends them)."""
    conn.execute(
        sa.update(setup_code)
        .where(setup_code.c.officer_id == officer_id, setup_code.c.used_at.is_(None))
        .values(used_at=now)
    )


def issue(conn: Connection, ctx: Context, force_id: uuid.UUID, officer_id: uuid.UUID) -> SetupCodePublic:
    now = ctx.now()
    withdraw(conn, officer_id, now=now)
    code = security.new_setup_code()
    expires_at = now + timedelta(hours=ctx.settings.setup_code_hours)
    conn.execute(
        sa.insert(setup_code).values(
            id=uuid.uuid4(),
            force_id=force_id,
            officer_id=officer_id,
            code_hash=_digest(ctx, code),
            created_at=now,
            expires_at=expires_at,
        )
    )
    return SetupCodePublic(setup_code=code, expires_at=expires_at)


def set_password(conn: Connection, ctx: Context, request: RequestInfo, body: OfficerSetup) -> None:
    """Spends a set-up code on the officer's own password; every earlier session of theirs ends."""
    now = ctx.now()
    account_key = f"{body.force_code}/{body.username}"
    limits.check(conn, limits.OFFICER_SETUP_PER_IP, request.ip, now=now)
    limits.check(conn, limits.OFFICER_SETUP_PER_ACCOUNT, account_key, now=now)
    row = conn.execute(
        sa.select(setup_code.c.id, setup_code.c.expires_at, setup_code.c.used_at, officer.c.active, officer.c.force_id)
        .join(officer, officer.c.id == setup_code.c.officer_id)
        .join(force, force.c.id == officer.c.force_id)
        .where(
            force.c.code == body.force_code,
            officer.c.username == body.username,
            setup_code.c.code_hash == _digest(ctx, body.setup_code),
        )
    ).one_or_none()
    spent: uuid.UUID | None = None
    if row is not None and row.used_at is None and row.expires_at > now and row.active:
        # One conditional update spends the code, so two requests racing with it cannot both win.
        spent = conn.execute(
            sa.update(setup_code)
            .where(setup_code.c.id == row.id, setup_code.c.used_at.is_(None))
            .values(used_at=now)
            .returning(setup_code.c.officer_id)
        ).scalar_one_or_none()
    if row is None or spent is None:
        limits.record(conn, limits.OFFICER_SETUP_PER_IP, request.ip, now=now)
        limits.record(conn, limits.OFFICER_SETUP_PER_ACCOUNT, account_key, now=now)
        audit.record(conn, None, "officer.setup_failed", now=now, force_id=row.force_id if row else None, ip=request.ip)
        raise _SetupRefused(
            "This set-up code is not right, has expired or was already used. Ask your force's admin for a new one.",
            code="setup_code_refused",
        )
    conn.execute(
        sa.update(officer).where(officer.c.id == spent).values(password_hash=ctx.passwords.hash(body.new_password))
    )
    sessions.end_sessions(conn, ctx, device_session.c.officer_id == spent)
    audit.record(
        conn,
        None,
        "officer.password_set",
        now=now,
        force_id=row.force_id,
        ip=request.ip,
        detail={"officer_id": str(spent)},
    )
