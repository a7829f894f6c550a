"""The figures forces publish about their portal, for supervisors."""

from __future__ import annotations

import statistics
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import AuthorKind, CohortFiguresPublic, InvitationComparisonPublic, Role, StatsPublic
from sync.server.context import Context, RequestInfo
from sync.server.errors import BadRequest
from sync.server.models import audit_event, case, invitation, message, update_request
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


def _cohorts(force_id: uuid.UUID, start: datetime, to: datetime) -> sa.CTE:
    """The force's cases open at some time in the period, each with whether an invitation was sent
    before the period ended (a case invited later was not invited for the period's activity)."""
    # A grouped join rather than a correlated EXISTS: invitation has no index on case_id.
    invited = (
        sa.select(invitation.c.case_id)
        .where(invitation.c.force_id == force_id, invitation.c.created_at < to)
        .group_by(invitation.c.case_id)
        .subquery()
    )
    return (
        sa.select(case.c.id, sa.case((invited.c.case_id.is_not(None), 1), else_=0).label("invited"))
        .select_from(case.outerjoin(invited, invited.c.case_id == case.c.id))
        .where(
            case.c.force_id == force_id,
            case.c.created_at < to,
            sa.or_(case.c.closed_at.is_(None), case.c.closed_at >= start),
        )
        .cte("cohort")
    )


def _comparison(
    conn: Connection,
    cohort: sa.CTE,
    in_period: sa.ColumnElement[bool],
    requests_in_period: sa.ColumnElement[bool],
    delays: dict[int, list[float]],
) -> InvitationComparisonPublic:
    """Invited against not-invited cases, in one grouped query over per-case counts."""
    requests = (
        sa.select(update_request.c.case_id, sa.func.count().label("n"))
        .where(requests_in_period)
        .group_by(update_request.c.case_id)
        .subquery()
    )
    messages = (
        sa.select(
            message.c.case_id,
            sa.func.count().filter(message.c.author_kind == AuthorKind.VICTIM.value).label("victim"),
            sa.func.count().filter(message.c.author_kind == AuthorKind.OFFICER.value).label("officer"),
        )
        .where(in_period)
        .group_by(message.c.case_id)
        .subquery()
    )
    totals = {
        int(row.invited): row
        for row in conn.execute(
            sa.select(
                cohort.c.invited,
                sa.func.count().label("cases"),
                sa.func.coalesce(sa.func.sum(requests.c.n), 0).label("requests"),
                sa.func.coalesce(sa.func.sum(messages.c.victim), 0).label("victim"),
                sa.func.coalesce(sa.func.sum(messages.c.officer), 0).label("officer"),
            )
            .select_from(
                cohort.outerjoin(requests, requests.c.case_id == cohort.c.id).outerjoin(
                    messages, messages.c.case_id == cohort.c.id
                )
            )
            .group_by(cohort.c.invited)
        )
    }

    def figures(invited: int) -> CohortFiguresPublic:
        row = totals.get(invited)
        cases = int(row.cases) if row else 0
        waits = delays.get(invited, [])
        return CohortFiguresPublic(
            cases=cases,
            update_requests_per_case=int(row.requests) / cases if row else None,
            victim_messages_per_case=int(row.victim) / cases if row else None,
            officer_messages_per_case=int(row.officer) / cases if row else None,
            median_first_reply_seconds=statistics.median(waits) if waits else None,
        )

    return InvitationComparisonPublic(invited=figures(1), not_invited=figures(0))


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
    requests_in_period = sa.and_(
        update_request.c.force_id == force_id,
        update_request.c.requested_at >= start,
        update_request.c.requested_at < to,
    )
    requests = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(
                update_request.c.answered_at.is_not(None), update_request.c.answered_at <= update_request.c.due_at
            ),
        ).where(requests_in_period)
    ).one()
    cohort = _cohorts(force_id, start, to)
    rows = conn.execute(
        sa.select(message.c.case_id, message.c.author_kind, message.c.created_at, cohort.c.invited)
        .select_from(message.outerjoin(cohort, cohort.c.id == message.c.case_id))
        .where(in_period)
        .order_by(message.c.case_id, message.c.seq)
    ).all()
    delays = first_reply_delays([(r.case_id, r.author_kind, r.created_at) for r in rows])
    # Delays are per case, so each group's are those of its own cases' messages.
    cohort_delays = {
        flag: first_reply_delays([(r.case_id, r.author_kind, r.created_at) for r in rows if r.invited == flag])
        for flag in (0, 1)
    }
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
        invitations=_comparison(conn, cohort, in_period, requests_in_period, cohort_delays),
    )
