"""The case timeline: officers (or the force's record system) posting updates, which may change
the status, answer waiting update requests and alert the victim; and reading them back."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import (
    AuthorKind,
    CaseStatus,
    CaseUpdateCreate,
    CaseUpdatePublic,
    OfficerNamePublic,
    Role,
    UpdateEvent,
)
from sync.server import audit, changes
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import CASE_NOT_FOUND, BadRequest, NotFound
from sync.server.models import case, case_update, officer
from sync.server.services.alerts import queue_alert
from sync.server.services.authentication import authenticate, require_officer
from sync.server.services.case_changes import emit_case_changed
from sync.server.services.update_requests import answer_update_requests
from sync.server.services.update_templates import check_template
from sync.server.services.visibility import CaseRow, case_query, load_visible


def list_updates(conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID) -> list[CaseUpdatePublic]:
    caller = authenticate(conn, ctx, request)
    load_visible(conn, caller, case_id)
    if caller.kind == "officer":
        audit.record(conn, caller, "case.read_updates", now=ctx.now(), case_id=case_id)
    handed_to = officer.alias("handed_to")
    rows = conn.execute(
        sa.select(
            case_update,
            handed_to.c.name.label("handed_to_name"),
            handed_to.c.collar_number.label("handed_to_collar_number"),
        )
        .outerjoin(handed_to, handed_to.c.id == case_update.c.handed_to_officer_id)
        .where(case_update.c.case_id == case_id)
        .order_by(case_update.c.seq)
    )
    return [
        update_public(
            row._mapping,
            handed_to=OfficerNamePublic(
                id=row.handed_to_officer_id, name=row.handed_to_name, collar_number=row.handed_to_collar_number
            )
            if row.handed_to_officer_id is not None
            else None,
        )
        for row in rows
    ]


def update_public(values: Mapping[Any, Any], *, handed_to: OfficerNamePublic | None = None) -> CaseUpdatePublic:
    """A timeline entry from its stored columns (and, for a hand-over, the officer it went to)."""
    fields = {key: values[key] for key in CaseUpdatePublic.model_fields if key != "handed_to"}
    return CaseUpdatePublic.model_validate({**fields, "handed_to": handed_to})


def _for_update_by(conn: Connection, caller: Caller, case_id: uuid.UUID) -> CaseRow:
    """A case ``caller`` may post updates to: its officers, supervisors, the force's record system."""
    if caller.kind == "integration":
        row = conn.execute(case_query.where(case.c.id == case_id, case.c.force_id == caller.force_id)).one_or_none()
        if row is None:
            raise NotFound(CASE_NOT_FOUND)
        return row
    require_officer(caller, Role.OFFICER, Role.SUPERVISOR)
    return load_visible(conn, caller, case_id)


def _closing(row: CaseRow, status_to: CaseStatus | None, body: CaseUpdateCreate, now: datetime) -> dict[str, Any]:
    """The case's outcome and when the victim was told it: set by an update that closes the case
    or gives a new outcome (a Right to Review window runs from being told), cleared on reopening."""
    if body.closed_outcome is not None:
        return {"closed_outcome": body.closed_outcome.value, "closed_at": now}
    if status_to is not None and row.status == CaseStatus.CLOSED:
        return {"closed_outcome": None, "closed_at": None}
    return {}


def post_update(
    conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID, body: CaseUpdateCreate
) -> CaseUpdatePublic:
    caller = authenticate(conn, ctx, request)
    row = _for_update_by(conn, caller, case_id)
    if body.status is None and not body.text:
        raise BadRequest("An update needs a new status, some text, or both.", code="empty_update")
    if body.status == CaseStatus.CLOSED and body.closed_outcome is None:
        raise BadRequest("Say how the case was closed (closed_outcome).", code="outcome_missing")
    if body.closed_outcome is not None and body.status != CaseStatus.CLOSED:
        raise BadRequest("An outcome goes with closing the case (status 'closed').", code="invalid_outcome")
    if body.template is not None:
        check_template(body.template, body)
    return record_update(conn, ctx, caller, row, body)


def record_update(
    conn: Connection, ctx: Context, caller: Caller, row: CaseRow, body: CaseUpdateCreate
) -> CaseUpdatePublic:
    """Adds a checked update to the case's timeline: status, answered requests, event, alert, audit."""
    now = ctx.now()
    status_from = CaseStatus(row.status)
    status_to = body.status if body.status is not None and body.status != status_from else None
    author_kind = AuthorKind.OFFICER if caller.kind == "officer" else AuthorKind.SYSTEM
    seq = changes.next_seq(conn, row.force_id)
    update_id = uuid.uuid4()
    values = {
        "id": update_id,
        "force_id": row.force_id,
        "case_id": row.id,
        "seq": seq,
        "status_from": status_from.value if status_to else None,
        "status_to": status_to.value if status_to else None,
        "closed_outcome": body.closed_outcome.value if body.closed_outcome else None,
        "text": body.text,
        "author_kind": author_kind.value,
        "author_officer_id": caller.id if caller.kind == "officer" else None,
        "author_name": caller.name if caller.kind == "officer" else "Police records",
        "created_at": now,
        "template": body.template.value if body.template else None,
    }
    conn.execute(sa.insert(case_update).values(**values))
    published = update_public(values)
    changes.append(
        conn,
        row,
        kind="update",
        seq=seq,
        payload=UpdateEvent(seq=seq, case_id=row.id, update=published).model_dump_json(),
        now=now,
    )
    conn.execute(
        sa.update(case)
        .where(case.c.id == row.id)
        .values(
            status=(status_to or status_from).value,
            **_closing(row, status_to, body, now),
            officer_updates=case.c.officer_updates + 1,
            last_officer_update_at=now,
            updated_at=now,
        )
    )
    answer_update_requests(conn, row, now)
    emit_case_changed(conn, ctx, row)
    queue_alert(conn, ctx, caller, row)
    audit.record(conn, caller, "case.update", now=now, case_id=row.id, detail={"status": values["status_to"]})
    return published
