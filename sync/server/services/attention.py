"""When a case needs its officer's attention, kept on the case row so a caseload can be read in
that order, a page at a time, from an index.

The Victims' Code says when the next update is due (``victims_code.next_update_due``): that date
does not change with the clock, only when the case does, so it is stored on each change (every
change goes through ``case_changes.emit_case_changed``) together with the case's place in the queue:

    open cases     by when their next update is due, soonest (most overdue) first
    closed cases   after every open one, the most recently changed first

``needs_attention(now)`` is the caseload's first filter: overdue or due by the end of today, an
update request not yet answered, or a victim's message the officers have not read.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import AuthorKind, CaseStatus
from sync.server.models import case, force, message, update_request, victim
from sync.server.victims_code import force_settings, next_update_due, uk_day_end

# Seconds since 1970 stay below this until the year 5138: open cases sort below it, closed above.
CLOSED_FROM = 10**11


def queue_position(*, closed: bool, next_due: datetime | None, updated_at: datetime) -> int:
    if closed:
        return CLOSED_FROM + (CLOSED_FROM - int(updated_at.timestamp()))
    return int(next_due.timestamp()) if next_due is not None else CLOSED_FROM - 1


def refresh(conn: Connection, case_id: uuid.UUID) -> None:
    """Store the case's next update due and its place in the queue, as they are now."""
    row = conn.execute(
        sa.select(
            case.c.status,
            case.c.reported_on,
            case.c.officer_updates,
            case.c.last_officer_update_at,
            case.c.updated_at,
            victim.c.enhanced_rights,
            force.c.settings,
        )
        .join(victim, victim.c.id == case.c.victim_id)
        .join(force, force.c.id == case.c.force_id)
        .where(case.c.id == case_id)
    ).one()
    open_dues = conn.execute(
        sa.select(update_request.c.due_at).where(
            update_request.c.case_id == case_id, update_request.c.answered_at.is_(None)
        )
    ).scalars()
    closed = row.status == CaseStatus.CLOSED
    due = next_update_due(
        closed=closed,
        reported_on=row.reported_on,
        enhanced=row.enhanced_rights,
        officer_updates=row.officer_updates,
        last_officer_update_at=row.last_officer_update_at,
        open_request_dues=list(open_dues),
        settings=force_settings(row.settings),
    )
    conn.execute(
        sa.update(case)
        .where(case.c.id == case_id)
        .values(
            next_update_due=due,
            queue_position=queue_position(closed=closed, next_due=due, updated_at=row.updated_at),
        )
    )


def is_open() -> sa.ColumnElement[bool]:
    return case.c.queue_position < CLOSED_FROM


def is_closed() -> sa.ColumnElement[bool]:
    return case.c.queue_position >= CLOSED_FROM


def unanswered_request() -> sa.ColumnElement[bool]:
    return sa.exists().where(update_request.c.case_id == case.c.id, update_request.c.answered_at.is_(None))


def unread_victim_message() -> sa.ColumnElement[bool]:
    return sa.exists().where(
        message.c.case_id == case.c.id,
        message.c.seq > case.c.officer_read_seq,
        message.c.author_kind == AuthorKind.VICTIM.value,
    )


def needs_attention(now: datetime) -> sa.ColumnElement[bool]:
    """Overdue or due by the end of today (UK time), an open update request, or unread messages."""
    return sa.and_(
        is_open(),
        sa.or_(case.c.next_update_due <= uk_day_end(now), unanswered_request(), unread_victim_message()),
    )
