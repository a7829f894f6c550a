"""Device sessions: starting one (a new token), how long one may sit idle, noting its last use, and
ending sessions at once on every worker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server import changes, security
from sync.server.context import Context
from sync.server.db import write_soon
from sync.server.models import device_session

# Last use is kept to the minute: a busy session costs one small write a minute, not one a request.
TOUCH_EVERY = timedelta(minutes=1)


def idle_limit(ctx: Context, kind: str) -> timedelta:
    if kind == "officer":
        return timedelta(hours=ctx.settings.officer_idle_hours)
    return timedelta(days=ctx.settings.victim_idle_days)


def note_use(conn: Connection, session_id: uuid.UUID, last_used_at: datetime, *, now: datetime) -> datetime:
    """Records that the session is being used now (if it was last noted over a minute ago); returns
    the last use as stored from here on."""
    if now - last_used_at < TOUCH_EVERY:
        return last_used_at

    def touch(c: Connection) -> None:
        c.execute(
            sa.update(device_session)
            .where(
                device_session.c.id == session_id,
                sa.or_(device_session.c.last_used_at.is_(None), device_session.c.last_used_at < now - TOUCH_EVERY),
            )
            .values(last_used_at=now)
        )

    write_soon(conn, touch)
    return now


def revoke_cached(conn: Connection, ctx: Context, digest: str) -> None:
    """Stop every worker honouring a token it checked recently (this one at once, others via NOTIFY)."""
    ctx.callers.forget(digest)
    changes.announce_revocation(conn, digest)


def end_sessions(conn: Connection, ctx: Context, *where: sa.ColumnElement[bool]) -> int:
    """Revokes every live session matching ``where``, on every worker at once; returns how many."""
    digests = (
        conn.execute(
            sa.update(device_session)
            .where(*where, device_session.c.revoked_at.is_(None))
            .values(revoked_at=ctx.now())
            .returning(device_session.c.token_hash)
        )
        .scalars()
        .all()
    )
    for digest in digests:
        revoke_cached(conn, ctx, digest)
    return len(digests)


@dataclass(frozen=True)
class NewSession:
    id: uuid.UUID
    token: str
    expires_at: datetime
    revoke_key: str


def new_session(
    conn: Connection,
    ctx: Context,
    *,
    kind: str,
    force_id: uuid.UUID,
    officer_id: uuid.UUID | None,
    victim_id: uuid.UUID | None,
    device_name: str,
    ip: str | None,
    lifetime: timedelta,
) -> NewSession:
    """A session and its token, and a revoke key: a second secret that can end this session and
    nothing else. The app keeps it outside its locked store, so a device whose store can no
    longer be opened (too many wrong PINs) can still end its session on the server."""
    token = security.new_token(security.OFFICER_TOKEN_PREFIX if kind == "officer" else security.VICTIM_TOKEN_PREFIX)
    revoke_key = security.new_token(security.REVOKE_KEY_PREFIX)
    session_id = uuid.uuid4()
    expires_at = ctx.now() + lifetime
    conn.execute(
        sa.insert(device_session).values(
            id=session_id,
            force_id=force_id,
            token_hash=ctx.secrets.digest(token),
            revoke_hash=ctx.secrets.digest(revoke_key),
            kind=kind,
            officer_id=officer_id,
            victim_id=victim_id,
            device_name=device_name,
            ip=ip,
            created_at=ctx.now(),
            expires_at=expires_at,
        )
    )
    return NewSession(session_id, token, expires_at, revoke_key)
