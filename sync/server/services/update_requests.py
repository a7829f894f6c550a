"""A victim asking for an update on their case: one waiting request at a time, due by the
Victims' Code, answered by the officer's next update or message."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from sync.protocol import CaseStatus, UpdateRequestCreate, UpdateRequestEvent, UpdateRequestPublic
from sync.server import audit, changes
from sync.server.context import Context, RequestInfo
from sync.server.errors import Conflict, Forbidden
from sync.server.models import case, update_request
from sync.server.services.authentication import authenticate
from sync.server.services.case_changes import emit_case_changed
from sync.server.services.visibility import CaseRow, load_visible
from sync.server.victims_code import update_request_due


def update_request_public(row: Row[Any]) -> UpdateRequestPublic:
    return UpdateRequestPublic(
        id=row.id,
        case_id=row.case_id,
        seq=row.seq,
        note=row.note,
        requested_at=row.requested_at,
        due_at=row.due_at,
        answered_at=row.answered_at,
    )


def answer_update_requests(conn: Connection, row: CaseRow, now: datetime) -> bool:
    answered = conn.execute(
        sa.update(update_request)
        .where(update_request.c.case_id == row.id, update_request.c.answered_at.is_(None))
        .values(answered_at=now)
    ).rowcount
    return bool(answered)


def request_update(
    conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID, body: UpdateRequestCreate
) -> UpdateRequestPublic:
    caller = authenticate(conn, ctx, request)
    if caller.kind != "victim":
        raise Forbidden("Only the victim can ask for an update on their case.")
    row = load_visible(conn, caller, case_id)
    if row.status == CaseStatus.CLOSED:
        raise Conflict("This case is closed. Call 101 if you need to talk to the police about it.", code="case_closed")
    now = ctx.now()
    pending = conn.execute(
        sa.select(update_request).where(update_request.c.case_id == row.id, update_request.c.answered_at.is_(None))
    ).first()
    if pending is not None:
        # Asking again does not jump the queue; it returns the request already waiting.
        return update_request_public(pending)
    seq = changes.next_seq(conn, row.force_id)
    request_id = uuid.uuid4()
    due = update_request_due(now, enhanced=row.victim_enhanced_rights, settings=caller.force_settings)
    conn.execute(
        sa.insert(update_request).values(
            id=request_id, force_id=row.force_id, case_id=row.id, seq=seq, note=body.note, requested_at=now, due_at=due
        )
    )
    published = UpdateRequestPublic(
        id=request_id, case_id=row.id, seq=seq, note=body.note, requested_at=now, due_at=due, answered_at=None
    )
    changes.append(
        conn,
        row,
        kind="update_request",
        seq=seq,
        payload=UpdateRequestEvent(seq=seq, case_id=row.id, update_request=published).model_dump_json(),
        now=now,
    )
    conn.execute(sa.update(case).where(case.c.id == row.id).values(updated_at=now))
    emit_case_changed(conn, ctx, row)
    audit.record(conn, caller, "case.update_request", now=now, case_id=row.id)
    return published
