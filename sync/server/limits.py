"""Rate limits on guessing: failed attempts are rows, so every worker counts the same ones.

``check`` first takes a lock on its (scope, key) that lasts until the transaction ends, so
checking the count and ``record``-ing an attempt are one step: a second request for the same
key waits, then counts the first one's attempt. On PostgreSQL the lock is a transaction-level
advisory lock; SQLite runs one write transaction at a time, which serialises them already.
Take the locks of one request in a fixed order (address before account) so two never wait on
each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server.db import Database
from sync.server.errors import TooManyRequests
from sync.server.models import attempt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    scope: str
    max_failures: int
    window: timedelta


OFFICER_LOGIN_PER_ACCOUNT = Limit("login-account", 5, timedelta(minutes=15))
OFFICER_LOGIN_PER_IP = Limit("login-ip", 30, timedelta(minutes=15))
OFFICER_SETUP_PER_ACCOUNT = Limit("setup-account", 5, timedelta(minutes=15))
OFFICER_SETUP_PER_IP = Limit("setup-ip", 30, timedelta(minutes=15))
VICTIM_REDEEM_PER_IP = Limit("redeem-ip", 10, timedelta(minutes=15))
VICTIM_VERIFY_PER_IP = Limit("verify-ip", 20, timedelta(minutes=15))
CODES_PER_INVITATION = Limit("codes-invitation", 3, timedelta(hours=1))


LONGEST_WINDOW = max(
    limit.window
    for limit in (
        OFFICER_LOGIN_PER_ACCOUNT,
        OFFICER_LOGIN_PER_IP,
        VICTIM_REDEEM_PER_IP,
        VICTIM_VERIFY_PER_IP,
        CODES_PER_INVITATION,
    )
)


def check(conn: Connection, limit: Limit, key: str | None, *, now: datetime) -> None:
    if key is None:
        return
    _serialise(conn, limit, key)
    since = now - limit.window
    rows = conn.execute(
        sa.select(sa.func.count(), sa.func.min(attempt.c.at)).where(
            attempt.c.scope == limit.scope, attempt.c.key == key, attempt.c.at > since
        )
    ).one()
    count, oldest = rows
    if count >= limit.max_failures:
        retry_after = int(((oldest + limit.window) - now).total_seconds()) + 1
        raise TooManyRequests(
            "Too many tries. Please wait a while and try again.", retry_after=retry_after, code="rate_limited"
        )


def _serialise(conn: Connection, limit: Limit, key: str) -> None:
    if conn.dialect.name == "postgresql":
        # A hash collision only makes two unrelated keys take turns; it never lets one through.
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(limit.scope), sa.func.hashtext(key))))


def record(conn: Connection, limit: Limit, key: str | None, *, now: datetime) -> None:
    if key is None:
        return
    conn.execute(sa.insert(attempt).values(scope=limit.scope, key=key, at=now))


def forget_before(conn: Connection, when: datetime) -> int:
    """Delete attempts older than ``when``; returns how many went."""
    return conn.execute(sa.delete(attempt).where(attempt.c.at < when)).rowcount


def prune(conn: Connection, *, now: datetime) -> int:
    """Forget attempts no window can count any more."""
    return forget_before(conn, now - LONGEST_WINDOW)


async def prune_forever(db: Database, clock: Callable[[], datetime], every_seconds: float) -> None:
    """The server's background task: keeps the attempt table to what the windows can still see."""
    while True:
        await anyio.sleep(every_seconds)
        try:
            await db.write(lambda conn: prune(conn, now=clock()))
        except Exception:  # a dead loop would let the table grow for the life of the process
            log.exception("pruning old attempts failed")
