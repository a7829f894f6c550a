"""Rate limits on guessing: failed attempts are rows, so every worker counts the same ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server.errors import TooManyRequests
from sync.server.models import attempt


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


def check(conn: Connection, limit: Limit, key: str | None, *, now: datetime) -> None:
    if key is None:
        return
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


def record(conn: Connection, limit: Limit, key: str | None, *, now: datetime) -> None:
    if key is None:
        return
    conn.execute(sa.insert(attempt).values(scope=limit.scope, key=key, at=now))


def forget_before(conn: Connection, when: datetime) -> None:
    conn.execute(sa.delete(attempt).where(attempt.c.at < when))
