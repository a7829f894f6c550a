"""A caseload, a page at a time: an officer's own cases, or a supervisor's whole force, in the order
they need attention (``services.attention``), with views, a search and an opaque keyset cursor.

A page is one index range, ``(officer or force, queue_position, id)`` after the cursor, so the
first page of a force with 100,000 cases costs what it costs with ten.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.engine import Connection

from sync.protocol import CaseCountsPublic, CasesPublic, CaseView, Role
from sync.server import audit
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import BadRequest, Forbidden
from sync.server.models import case, victim
from sync.server.services import attention
from sync.server.services.authentication import authenticate
from sync.server.services.rendering import render
from sync.server.services.visibility import case_query, visible_to

_CURSOR_CONTEXT = "caseload-cursor"


@dataclass(frozen=True)
class PageRequest:
    view: CaseView = CaseView.ALL
    search: str = ""
    limit: int = 50
    cursor: str | None = None


def _reader(conn: Connection, ctx: Context, request: RequestInfo) -> Caller:
    caller = authenticate(conn, ctx, request)
    if caller.kind == "integration" or caller.role == Role.ADMIN:
        raise Forbidden("Your account cannot read cases.")
    return caller


def _in_view(view: CaseView, ctx: Context) -> sa.ColumnElement[bool]:
    if view == CaseView.ATTENTION:
        return attention.needs_attention(ctx.now())
    if view == CaseView.OPEN:
        return attention.is_open()
    if view == CaseView.CLOSED:
        return attention.is_closed()
    return sa.true()


def _matching(search: str) -> sa.ColumnElement[bool]:
    """Text with a digit in it is a crime reference, found exactly (from the force's unique index);
    other text is part of the victim's name."""
    text = " ".join(search.split())
    if not text:
        return sa.true()
    if any(ch.isdigit() for ch in text):
        return case.c.crime_reference.in_(sorted({text, text.upper()}))
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return victim.c.name.ilike(pattern, escape="\\")


def _encode(ctx: Context, position: int, case_id: uuid.UUID) -> str:
    # Sealed: a cursor says nothing to the client (a position is a due date).
    return ctx.secrets.seal(json.dumps([position, str(case_id)]), context=_CURSOR_CONTEXT)


def _decode(ctx: Context, cursor: str) -> tuple[int, uuid.UUID]:
    try:
        position, case_id = json.loads(ctx.secrets.unseal(cursor, context=_CURSOR_CONTEXT))
        return int(position), uuid.UUID(case_id)
    except (InvalidTag, ValueError, TypeError, UnicodeDecodeError):
        raise BadRequest(
            "The page cursor is not one this server gave out. Start again from the first page.",
            code="invalid_cursor",
        ) from None


def list_page(conn: Connection, ctx: Context, request: RequestInfo, page: PageRequest) -> CasesPublic:
    caller = _reader(conn, ctx, request)
    where = [visible_to(caller), _in_view(page.view, ctx), _matching(page.search)]
    if page.cursor:
        position, case_id = _decode(ctx, page.cursor)
        where.append(
            sa.tuple_(case.c.queue_position, case.c.id)
            > sa.tuple_(sa.literal(position, case.c.queue_position.type), sa.literal(case_id, case.c.id.type))
        )
    rows = conn.execute(case_query.where(*where).order_by(case.c.queue_position, case.c.id).limit(page.limit + 1)).all()
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    if caller.kind == "officer":
        audit.record(conn, caller, "case.list", now=ctx.now(), detail={"count": len(rows), "view": page.view.value})
    data = render(conn, caller, rows, now=ctx.now())
    last = rows[-1] if rows else None
    next_cursor = _encode(ctx, last.queue_position, last.id) if more and last is not None else None
    return CasesPublic(data=data, count=len(data), next_cursor=next_cursor)


def counts(conn: Connection, ctx: Context, request: RequestInfo) -> CaseCountsPublic:
    caller = _reader(conn, ctx, request)
    mine = case.join(victim, victim.c.id == case.c.victim_id)

    def count(view: CaseView) -> int:
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(mine).where(visible_to(caller), _in_view(view, ctx))
            ).scalar_one()
        )

    return CaseCountsPublic(
        attention=count(CaseView.ATTENTION), open=count(CaseView.OPEN), closed=count(CaseView.CLOSED)
    )
