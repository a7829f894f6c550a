"""Messages between a victim and the officers on their case: idempotent sends and read marks."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import AuthorKind, MessageEvent, MessagePublic, MessageSend, ReadEvent, ReadMark, ReadPublic
from sync.server import audit, changes
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import CASE_NOT_FOUND, ApiError, Conflict, Forbidden, NotFound
from sync.server.models import case, message
from sync.server.services.alerts import queue_alert
from sync.server.services.authentication import authenticate
from sync.server.services.case_changes import emit_case_changed
from sync.server.services.update_requests import answer_update_requests
from sync.server.services.visibility import CaseRow, load_visible, may_see


def message_public(values: Mapping[Any, Any]) -> MessagePublic:
    return MessagePublic.model_validate({key: values[key] for key in MessagePublic.model_fields})


def _author(caller: Caller) -> tuple[AuthorKind, uuid.UUID | None]:
    if caller.kind == "victim":
        return AuthorKind.VICTIM, None
    if caller.kind == "officer":
        return AuthorKind.OFFICER, caller.id
    raise Forbidden("A record system cannot send messages.")


@dataclass(frozen=True)
class SendRequest:
    request: RequestInfo
    case_id: uuid.UUID
    client_msg_id: uuid.UUID
    body: str


Sent = tuple[bool, MessagePublic]  # (newly stored, the message as stored)
_insert_message = sa.insert(message)
# Just what a send needs to check access and number the message; officers' sends load the rest.
_cases_for_send = sa.select(case.c.id, case.c.force_id, case.c.officer_id, case.c.victim_id).where(
    case.c.id.in_(sa.bindparam("ids", expanding=True))
)
_touch_case = sa.update(case).where(case.c.id == sa.bindparam("touched_id")).values(updated_at=sa.bindparam("now"))


def _replay(existing: Mapping[str, Any], caller: Caller, body: str) -> MessagePublic:
    kind, officer_id = _author(caller)
    same_author = existing["author_kind"] == kind and existing["author_officer_id"] == officer_id
    if not same_author or existing["body"] != body:
        raise Conflict(
            "This message id was already used for a different message. Send it with a new id.",
            code="client_msg_id_reused",
        )
    return message_public(existing)


def _stored(conn: Connection, keys: set[tuple[uuid.UUID, uuid.UUID]]) -> dict[tuple[uuid.UUID, uuid.UUID], Any]:
    if not keys:
        return {}
    rows = conn.execute(sa.select(message).where(message.c.client_msg_id.in_({cid for _, cid in keys})))
    return {(r.case_id, r.client_msg_id): r._mapping for r in rows if (r.case_id, r.client_msg_id) in keys}


def send(
    conn: Connection,
    ctx: Context,
    request: RequestInfo,
    case_id: uuid.UUID,
    client_msg_id: uuid.UUID,
    body: MessageSend,
) -> Sent:
    """Stores the message once, whatever happens to the replies: returns (created, message)."""
    (result,) = send_many(conn, ctx, [SendRequest(request, case_id, client_msg_id, body.body)])
    if isinstance(result, ApiError):
        raise result
    return result


def send_many(conn: Connection, ctx: Context, items: Sequence[SendRequest]) -> list[Sent | ApiError]:
    """Stores many sends in one transaction (the group commit behind the PUT endpoint).

    Each item succeeds or fails on its own: a refused item is an ``ApiError`` in its place.
    """
    results: list[Sent | ApiError | None] = [None] * len(items)
    callers: list[Caller | None] = [None] * len(items)
    for i, item in enumerate(items):
        try:
            callers[i] = authenticate(conn, ctx, item.request)
            _author(callers[i])  # type: ignore[arg-type]
        except ApiError as refused:
            results[i] = refused
    wanted = {item.case_id for i, item in enumerate(items) if results[i] is None}
    rows = {row.id: row for row in conn.execute(_cases_for_send, {"ids": list(wanted)})} if wanted else {}
    for i, item in enumerate(items):
        caller, row = callers[i], rows.get(item.case_id)
        if results[i] is None and (caller is None or row is None or not may_see(caller, row)):
            results[i] = NotFound(CASE_NOT_FOUND)

    def replay_stored() -> None:
        pending = {(item.case_id, item.client_msg_id) for i, item in enumerate(items) if results[i] is None}
        stored = _stored(conn, pending)
        for i, item in enumerate(items):
            existing = stored.get((item.case_id, item.client_msg_id))
            if results[i] is None and existing is not None:
                try:
                    results[i] = (False, _replay(existing, callers[i], item.body))  # type: ignore[arg-type]
                except ApiError as refused:
                    results[i] = refused

    replay_stored()
    forces = sorted({rows[item.case_id].force_id for i, item in enumerate(items) if results[i] is None})
    if conn.dialect.name != "sqlite":  # SQLite's write lock, taken at BEGIN, already serialises us
        for force_id in forces:
            changes.lock_counter(conn, force_id)
        # With the counters locked, a concurrent send of the same id (another worker) has either
        # committed, and is visible now, or waits behind us.
        replay_stored()

    now = ctx.now()
    firsts: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
    fresh: list[int] = []
    for i, item in enumerate(items):
        if results[i] is not None:
            continue
        key = (item.case_id, item.client_msg_id)
        if key in firsts:
            continue  # the same send twice in one batch: answered from the first below
        firsts[key] = i
        fresh.append(i)
    by_force: dict[uuid.UUID, list[int]] = {}
    for i in fresh:
        by_force.setdefault(rows[items[i].case_id].force_id, []).append(i)
    seqs: dict[int, int] = {}
    for force_id, indexes in by_force.items():
        first = changes.take_seqs(conn, force_id, len(indexes))
        seqs.update({i: first + n for n, i in enumerate(indexes)})

    values: list[dict[str, Any]] = []
    stored_by_index: dict[int, dict[str, Any]] = {}
    events: list[changes.NewEvent] = []
    for i in fresh:
        item, caller, row = items[i], callers[i], rows[items[i].case_id]
        assert caller is not None
        kind, officer_id = _author(caller)
        stored = {
            "id": uuid.uuid4(),
            "force_id": row.force_id,
            "case_id": row.id,
            "client_msg_id": item.client_msg_id,
            "seq": seqs[i],
            "author_kind": kind.value,
            "author_officer_id": officer_id,
            "author_name": caller.name,
            "body": item.body,
            "created_at": now,
            "read_at": None,
        }
        values.append(stored)
        stored_by_index[i] = stored
        published = message_public(stored)
        results[i] = (True, published)
        events.append(
            changes.NewEvent(
                row, "message", seqs[i], MessageEvent(seq=seqs[i], case_id=row.id, message=published).model_dump_json()
            )
        )
    if values:
        conn.execute(_insert_message, values)
        changes.append_many(conn, events, now=now)
        conn.execute(_touch_case, [{"touched_id": case_id, "now": now} for case_id in {v["case_id"] for v in values}])
        audit.record_many(
            conn,
            [(callers[i], "message.send", items[i].case_id, {"seq": seqs[i]}) for i in fresh],  # type: ignore[misc]
            now=now,
        )
    for i in fresh:
        caller = callers[i]
        if caller is not None and caller.kind == "officer":
            row = load_visible(conn, caller, items[i].case_id)
            if answer_update_requests(conn, row, now):
                emit_case_changed(conn, ctx, row)
            queue_alert(conn, ctx, caller, row)
    for i, item in enumerate(items):
        if results[i] is None:  # a repeat within this batch of a send stored just above
            caller = callers[i]
            assert caller is not None
            try:
                results[i] = (
                    False,
                    _replay(stored_by_index[firsts[(item.case_id, item.client_msg_id)]], caller, item.body),
                )
            except ApiError as refused:
                results[i] = refused
    done = [r for r in results if r is not None]
    assert len(done) == len(items)
    return done


def list_messages(
    conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID, after_seq: int, limit: int
) -> list[MessagePublic]:
    caller = authenticate(conn, ctx, request)
    load_visible(conn, caller, case_id)
    if caller.kind == "officer":
        audit.record(conn, caller, "case.read_messages", now=ctx.now(), case_id=case_id)
    rows = conn.execute(
        sa.select(message)
        .where(message.c.case_id == case_id, message.c.seq > after_seq)
        .order_by(message.c.seq)
        .limit(limit)
    )
    return [message_public(row._mapping) for row in rows]


def mark_read(conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID, body: ReadMark) -> ReadPublic:
    caller = authenticate(conn, ctx, request)
    reader, _ = _author(caller)
    row: CaseRow = load_visible(conn, caller, case_id)
    column = case.c.victim_read_seq if reader == AuthorKind.VICTIM else case.c.officer_read_seq
    current: int = row.victim_read_seq if reader == AuthorKind.VICTIM else row.officer_read_seq
    theirs = message.c.author_kind == AuthorKind.VICTIM.value
    if reader == AuthorKind.VICTIM:
        theirs = message.c.author_kind != AuthorKind.VICTIM.value
    newest: int = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(message.c.seq), 0)).where(
            message.c.case_id == case_id, message.c.seq <= body.up_to_seq
        )
    ).scalar_one()
    now = ctx.now()
    if newest <= current:
        return ReadPublic(case_id=case_id, reader=reader, up_to_seq=current, at=now)
    conn.execute(
        sa.update(message)
        .where(message.c.case_id == case_id, message.c.seq <= newest, message.c.read_at.is_(None), theirs)
        .values(read_at=now)
    )
    conn.execute(sa.update(case).where(case.c.id == case_id).values({column: newest}))
    seq = changes.next_seq(conn, row.force_id)
    published = ReadPublic(case_id=case_id, reader=reader, up_to_seq=newest, at=now)
    changes.append(
        conn,
        row,
        kind="read",
        seq=seq,
        payload=ReadEvent(seq=seq, case_id=case_id, read=published).model_dump_json(),
        now=now,
    )
    if caller.kind == "officer":
        audit.record(conn, caller, "case.read_messages", now=now, case_id=case_id, detail={"up_to_seq": newest})
    return published
