"""Handing a case to another officer of the force: the case moves to their caseload at once, the
officer who had it sees it leave, and the victim sees who their officer is now and is alerted."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import (
    AuthorKind,
    CaseRemovedEvent,
    HandOverCreate,
    HandOverPublic,
    OfficerNamePublic,
    Role,
    UpdateEvent,
)
from sync.server import audit, changes
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import BadRequest, Conflict
from sync.server.models import case, case_update, event, officer
from sync.server.services.alerts import queue_alert
from sync.server.services.authentication import authenticate, require_officer
from sync.server.services.case_changes import emit_case_changed
from sync.server.services.case_updates import update_public
from sync.server.services.rendering import officer_contact
from sync.server.services.visibility import CaseRow, case_query, load_visible


def colleagues(conn: Connection, ctx: Context, request: RequestInfo) -> list[OfficerNamePublic]:
    """Who a case may be handed to: the force's active officers and supervisors, the caller aside."""
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.OFFICER, Role.SUPERVISOR)
    rows = conn.execute(
        sa.select(officer.c.id, officer.c.name, officer.c.collar_number)
        .where(
            officer.c.force_id == caller.force_id,
            officer.c.active,
            officer.c.role != Role.ADMIN.value,
            officer.c.id != caller.id,
        )
        .order_by(officer.c.name, officer.c.id)
    )
    return [OfficerNamePublic(id=row.id, name=row.name, collar_number=row.collar_number) for row in rows]


def hand_over(
    conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID, body: HandOverCreate
) -> HandOverPublic:
    """The case's own officer or a supervisor of its force gives it to ``body.officer_id``."""
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.OFFICER, Role.SUPERVISOR)
    # Locked: two hand-overs of one case at once must not both see the first officer.
    row = load_visible(conn, caller, case_id, lock=True)
    to = conn.execute(
        sa.select(officer.c.id, officer.c.name, officer.c.collar_number, officer.c.role, officer.c.active).where(
            officer.c.id == body.officer_id, officer.c.force_id == caller.force_id
        )
    ).one_or_none()
    if to is None:
        raise BadRequest("No officer in your force has that id.", code="officer_unknown")
    if not to.active:
        raise BadRequest("That officer's account is not active, so they cannot take cases.", code="officer_inactive")
    if to.role == Role.ADMIN:
        raise BadRequest("Admin accounts do not hold cases. Choose an officer or supervisor.", code="officer_is_admin")
    if to.id == row.officer_id:
        raise Conflict("The case is already with that officer.", code="already_with_officer")
    moved, published = move(conn, ctx, caller, row, to)
    return HandOverPublic(case_id=row.id, officer=officer_contact(moved), update=published)


def move(conn: Connection, ctx: Context, caller: Caller, row: CaseRow, to: sa.Row[Any]) -> tuple[CaseRow, Any]:
    """The case goes to officer ``to`` (id, name, collar_number), whoever asked (an officer here,
    the record system in ``record_cases``): a timeline entry naming them for the victim, the case
    in their caseload at once, gone from a plain officer's who had it, a news alert, an audit row."""
    from_role = conn.execute(sa.select(officer.c.role).where(officer.c.id == row.officer_id)).scalar_one()
    by_officer = caller.kind == "officer"
    now = ctx.now()
    conn.execute(sa.update(case).where(case.c.id == row.id).values(officer_id=to.id, updated_at=now))
    moved = conn.execute(case_query.where(case.c.id == row.id)).one()

    _history_for(conn, moved, to.id, now)
    # The timeline entry the victim sees: who has the case now (the words are the app's).
    seq = changes.next_seq(conn, row.force_id)
    values = {
        "id": uuid.uuid4(),
        "force_id": row.force_id,
        "case_id": row.id,
        "seq": seq,
        "status_from": None,
        "status_to": None,
        "closed_outcome": None,
        "text": "",
        "author_kind": (AuthorKind.OFFICER if by_officer else AuthorKind.SYSTEM).value,
        "author_officer_id": caller.id if by_officer else None,
        "author_name": caller.name if by_officer else "Police records",
        "created_at": now,
        "handed_to_officer_id": to.id,
        "template": None,
    }
    conn.execute(sa.insert(case_update).values(**values))
    published = update_public(
        values, handed_to=OfficerNamePublic(id=to.id, name=to.name, collar_number=to.collar_number)
    )
    payload = UpdateEvent(seq=seq, case_id=row.id, update=published).model_dump_json()
    changes.append(conn, moved, kind="update", seq=seq, payload=payload, now=now)
    emit_case_changed(conn, ctx, moved)
    if from_role == Role.OFFICER:
        # A plain officer no longer sees the case at all: tell them (and only them) it has gone,
        # so their app drops it; a supervisor still sees the force's cases and keeps it.
        gone = changes.next_seq(conn, row.force_id)
        changes.append(
            conn,
            row,
            kind="case_removed",
            seq=gone,
            payload=CaseRemovedEvent(seq=gone, case_id=row.id).model_dump_json(),
            now=now,
            for_officer_id=row.officer_id,
        )
    queue_alert(conn, ctx, caller, moved)
    audit.record(
        conn,
        caller,
        "case.hand_over",
        now=now,
        case_id=row.id,
        detail={"from_officer_id": str(row.officer_id), "to_officer_id": str(to.id)},
    )
    return moved, published


def _history_for(conn: Connection, moved: CaseRow, officer_id: uuid.UUID, now: Any) -> None:
    """The new officer's app has read the feed past this case's messages and timeline (they were
    not theirs then): they come again, addressed to that officer alone, so the conversation is
    whole on their screen. A supervisor, who reads the whole force, already has them."""
    role = conn.execute(sa.select(officer.c.role).where(officer.c.id == officer_id)).scalar_one()
    if role == Role.SUPERVISOR:
        return
    history = conn.execute(
        sa.select(event.c.kind, event.c.payload)
        .where(event.c.case_id == moved.id, event.c.kind.in_(("message", "update")), event.c.for_officer_id.is_(None))
        .order_by(event.c.seq)
    ).all()
    if not history:
        return
    first = changes.take_seqs(conn, moved.force_id, len(history))
    changes.append_many(
        conn,
        [changes.NewEvent(moved, h.kind, first + n, h.payload, officer_id) for n, h in enumerate(history)],
        now=now,
    )
