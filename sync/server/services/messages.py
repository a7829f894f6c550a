"""Messages between a victim and the officers on their case: idempotent sends and read marks."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import AuthorKind, MessageEvent, MessagePublic, MessageSend, ReadEvent, ReadMark, ReadPublic
from sync.server import audit, feed
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import Conflict, Forbidden
from sync.server.models import case, message
from sync.server.services.auth import authenticate
from sync.server.services.cases import CaseRow, answer_update_requests, emit_case_changed, load_visible, queue_alert


def message_public(values: Mapping[str, Any]) -> MessagePublic:
    return MessagePublic.model_validate({key: values[key] for key in MessagePublic.model_fields})


def _author(caller: Caller) -> tuple[AuthorKind, uuid.UUID | None]:
    if caller.kind == "victim":
        return AuthorKind.VICTIM, None
    if caller.kind == "officer":
        return AuthorKind.OFFICER, caller.id
    raise Forbidden("A record system cannot send messages.")


def _existing(conn: Connection, case_id: uuid.UUID, client_msg_id: uuid.UUID) -> Mapping[str, Any] | None:
    row = conn.execute(
        sa.select(message).where(message.c.case_id == case_id, message.c.client_msg_id == client_msg_id)
    ).one_or_none()
    return None if row is None else row._mapping


def _replay(existing: Mapping[str, Any], caller: Caller, body: str) -> MessagePublic:
    kind, officer_id = _author(caller)
    same_author = existing["author_kind"] == kind and existing["author_officer_id"] == officer_id
    if not same_author or existing["body"] != body:
        raise Conflict(
            "This message id was already used for a different message. Send it with a new id.",
            code="client_msg_id_reused",
        )
    return message_public(existing)


def send(
    conn: Connection,
    ctx: Context,
    request: RequestInfo,
    case_id: uuid.UUID,
    client_msg_id: uuid.UUID,
    body: MessageSend,
) -> tuple[bool, MessagePublic]:
    """Stores the message once, whatever happens to the replies: returns (created, message)."""
    caller = authenticate(conn, ctx, request)
    kind, officer_id = _author(caller)
    row = load_visible(conn, caller, case_id)
    if (existing := _existing(conn, case_id, client_msg_id)) is not None:
        return False, _replay(existing, caller, body.body)
    seq = feed.next_seq(conn, row.force_id)
    # Holding the force's counter lock now: a concurrent send of the same id has either
    # committed (and is visible to this statement) or is waiting behind us.
    if (existing := _existing(conn, case_id, client_msg_id)) is not None:
        return False, _replay(existing, caller, body.body)
    now = ctx.now()
    values = {
        "id": uuid.uuid4(),
        "force_id": row.force_id,
        "case_id": row.id,
        "client_msg_id": client_msg_id,
        "seq": seq,
        "author_kind": kind.value,
        "author_officer_id": officer_id,
        "author_name": caller.name,
        "body": body.body,
        "created_at": now,
        "read_at": None,
    }
    conn.execute(sa.insert(message).values(**values))
    published = message_public(values)
    feed.append(
        conn,
        row,
        kind="message",
        seq=seq,
        payload=MessageEvent(seq=seq, case_id=row.id, message=published).model_dump_json(),
        now=now,
    )
    conn.execute(sa.update(case).where(case.c.id == row.id).values(updated_at=now))
    if kind == AuthorKind.OFFICER:
        if answer_update_requests(conn, row, now):
            emit_case_changed(conn, ctx, row)
        queue_alert(conn, ctx, caller, row)
    audit.record(conn, caller, "message.send", now=now, case_id=row.id, detail={"seq": seq})
    return True, published


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
    seq = feed.next_seq(conn, row.force_id)
    published = ReadPublic(case_id=case_id, reader=reader, up_to_seq=newest, at=now)
    feed.append(
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
