"""Reading the change feed for one caller: what /v1/sync answers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import CaseEvent, SyncPublic
from sync.server import audit
from sync.server.changes import encode_cursor
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import Forbidden
from sync.server.hub import any_key, force_key, officer_key, victim_key
from sync.server.models import case, event, force
from sync.server.services.authentication import authenticate
from sync.server.services.rendering import render
from sync.server.services.visibility import case_query, visible_to

PAGE_SIZE = 500
_head = sa.select(force.c.last_seq).where(force.c.id == sa.bindparam("force_id"))


@dataclass(frozen=True)
class Page:
    caller: Caller
    events: list[str]  # each event's JSON, in sequence order
    cursor: str
    more: bool
    case_ids: frozenset[uuid.UUID] = frozenset()

    def json(self) -> bytes:
        return envelope(self.events, self.cursor, self.more)


# SyncPublic's fields, in order; unpacking them here makes a new field fail loudly at import.
_EVENTS, _CURSOR, _MORE = (json.dumps(name) for name in SyncPublic.model_fields)


def envelope(events: Sequence[str], cursor: str, more: bool) -> bytes:
    """A ``SyncPublic`` answer as JSON, around events already serialised one by one: the poll
    is the commonest request, so the page is not validated into models and dumped again."""
    return f"{{{_EVENTS}:[{','.join(events)}],{_CURSOR}:{json.dumps(cursor)},{_MORE}:{json.dumps(more)}}}".encode()


def wake_keys(caller: Caller) -> tuple[str, ...]:
    """The hub keys under which every change this caller may see is published."""
    if caller.sees_whole_force:
        own = force_key(caller.force_id)
    elif caller.kind == "victim":
        own = victim_key(caller.id)
    else:
        own = officer_key(caller.id)
    return (own, any_key(caller.force_id))


def can_sync(caller: Caller) -> bool:
    if caller.needs_authenticator:
        return False  # the request goes on to authenticate(), which says why
    return caller.kind == "victim" or (caller.kind == "officer" and caller.role != "admin")


def _page_query(scope: sa.ColumnElement[bool] | None) -> sa.Select[tuple[int, uuid.UUID, str, str]]:
    in_force = event.c.force_id == sa.bindparam("force_id")
    return (
        sa.select(event.c.seq, event.c.case_id, event.c.kind, event.c.payload)
        .where(in_force if scope is None else sa.and_(in_force, scope), event.c.seq > sa.bindparam("since"))
        .order_by(event.c.seq)
        .limit(sa.bindparam("limit"))
    )


def _own_cases(column: sa.Column[uuid.UUID]) -> sa.ColumnElement[bool]:
    return event.c.case_id.in_(
        sa.select(case.c.id).where(case.c.force_id == sa.bindparam("force_id"), column == sa.bindparam("person"))
    )


# Events meant for everyone who may see their case; the others are each for one former officer.
_SHARED = event.c.for_officer_id.is_(None)

# Built once: the same rules as ``visibility.visible_to`` (victims their cases, officers their
# caseload, supervisors the force), written as fixed statements because polls are frequent; and
# an officer also reads the events addressed to them about cases handed away from them.
_PAGES = {
    "victim": _page_query(sa.and_(_SHARED, _own_cases(case.c.victim_id))),
    "officer": _page_query(
        sa.or_(sa.and_(_SHARED, _own_cases(case.c.officer_id)), event.c.for_officer_id == sa.bindparam("person"))
    ),
    "supervisor": _page_query(_SHARED),
}


def _page_for(caller: Caller) -> sa.Select[tuple[int, uuid.UUID, str, str]]:
    if caller.sees_whole_force:
        return _PAGES["supervisor"]
    return _PAGES["victim" if caller.kind == "victim" else "officer"]


def read(conn: Connection, ctx: Context, request: RequestInfo, since: int) -> Page:
    limit = PAGE_SIZE
    caller = authenticate(conn, ctx, request)
    if not can_sync(caller):
        raise Forbidden("Your account has no cases to sync.")
    # Read the counter first: every change numbered up to it has committed, so an answer that
    # holds everything up to it for this caller can move their cursor all the way there.
    head: int = conn.execute(_head, {"force_id": caller.force_id}).scalar_one()
    rows = conn.execute(
        _page_for(caller), {"force_id": caller.force_id, "person": caller.id, "since": since, "limit": limit + 1}
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return Page(caller, [], encode_cursor(ctx.secrets, max(since, head)), False)
    # A case event says "this case changed": send its current state once, at its last mention.
    last_case_mention = {row.case_id: row.seq for row in rows if row.kind == "case"}
    cases = {}
    if last_case_mention:
        case_rows = conn.execute(case_query.where(case.c.id.in_(list(last_case_mention)), visible_to(caller))).all()
        cases = {public.id: public for public in render(conn, caller, case_rows, now=ctx.now())}
    events: list[str] = []
    for row in rows:
        if row.kind != "case":
            events.append(row.payload)
        elif last_case_mention[row.case_id] == row.seq and row.case_id in cases:
            events.append(CaseEvent(seq=row.seq, case_id=row.case_id, case=cases[row.case_id]).model_dump_json())
    cursor = rows[-1].seq if more else max(rows[-1].seq, head)
    return Page(caller, events, encode_cursor(ctx.secrets, cursor), more, frozenset(row.case_id for row in rows))


def record_officer_read(conn: Connection, ctx: Context, page: Page) -> None:
    """Officers' syncs are reads of case data, and every such read is audited."""
    for case_id in sorted(page.case_ids):
        audit.record(conn, page.caller, "case.sync", now=ctx.now(), case_id=case_id)
