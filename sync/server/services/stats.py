"""The figures forces publish about their portal, for supervisors."""

from __future__ import annotations

import statistics
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import AuthorKind, Role, StatsPublic
from sync.server.context import Context, RequestInfo
from sync.server.errors import BadRequest
from sync.server.models import audit_event, message, update_request
from sync.server.services.authentication import authenticate, require_officer
from sync.server.webhook import outbox as webhook_outbox

MAX_PERIOD = timedelta(days=366)
# Figures for times outside these are meaningless, and near datetime's own limits the
# arithmetic below (or the driver's conversion to UTC) would overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def first_reply_delays(rows: list[tuple[uuid.UUID, str, datetime]]) -> list[float]:
    """Seconds from each victim message that an officer had not yet answered to the officer's
    next message on that case. ``rows``: (case id, author kind, created at), by case, then time."""
    delays: list[float] = []
    waiting_since: dict[uuid.UUID, datetime] = {}
    for case_id, author_kind, created_at in rows:
        if author_kind == AuthorKind.VICTIM:
            waiting_since.setdefault(case_id, created_at)
        elif author_kind == AuthorKind.OFFICER and case_id in waiting_since:
            delays.append((created_at - waiting_since.pop(case_id)).total_seconds())
    return delays


def _period(ctx: Context, period_from: datetime | None, period_to: datetime | None) -> tuple[datetime, datetime]:
    """The period asked for, in UTC, or ``BadRequest`` for one that is not a sensible period."""
    if (period_from and period_from.tzinfo is None) or (period_to and period_to.tzinfo is None):
        raise BadRequest("Give times with a time zone, e.g. 2026-11-01T00:00:00Z.", code="invalid_period")
    refusal = BadRequest(
        "The period must start before it ends, last at most a year, and fall between 1970 and 9000.",
        code="invalid_period",
    )
    try:
        to = (period_to or ctx.now()).astimezone(UTC)
        start = (period_from or to - timedelta(days=30)).astimezone(UTC)
    except OverflowError:
        raise refusal from None
    if not (EARLIEST <= start < to <= LATEST) or to - start > MAX_PERIOD:
        raise refusal
    return start, to


def stats(
    conn: Connection, ctx: Context, request: RequestInfo, period_from: datetime | None, period_to: datetime | None
) -> StatsPublic:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.SUPERVISOR, Role.ADMIN)
    start, to = _period(ctx, period_from, period_to)
    force_id = caller.force_id

    logins = conn.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(audit_event.c.actor_id))).where(
            audit_event.c.force_id == force_id,
            audit_event.c.action == "victim.login",
            audit_event.c.at >= start,
            audit_event.c.at < to,
        )
    ).one()
    in_period = sa.and_(message.c.force_id == force_id, message.c.created_at >= start, message.c.created_at < to)
    counts = {
        row.author_kind: int(row.n)
        for row in conn.execute(
            sa.select(message.c.author_kind, sa.func.count().label("n"))
            .where(in_period)
            .group_by(message.c.author_kind)
        )
    }
    requests = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(
                update_request.c.answered_at.is_not(None), update_request.c.answered_at <= update_request.c.due_at
            ),
        ).where(
            update_request.c.force_id == force_id,
            update_request.c.requested_at >= start,
            update_request.c.requested_at < to,
        )
    ).one()
    rows = conn.execute(
        sa.select(message.c.case_id, message.c.author_kind, message.c.created_at)
        .where(in_period)
        .order_by(message.c.case_id, message.c.seq)
    ).all()
    delays = first_reply_delays([(r.case_id, r.author_kind, r.created_at) for r in rows])
    return StatsPublic(
        force_code=caller.force_code,
        period_from=start,
        period_to=to,
        victims_logged_in=logins[1],
        victim_logins=logins[0],
        messages_from_victims=counts.get(AuthorKind.VICTIM.value, 0),
        messages_from_officers=counts.get(AuthorKind.OFFICER.value, 0),
        update_requests=requests[0],
        update_requests_answered_in_time=requests[1],
        median_first_reply_seconds=statistics.median(delays) if delays else None,
        webhooks=webhook_outbox.figures(conn, force_id, start, to),
    )
