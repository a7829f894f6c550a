"""Announcing that cases changed: each change refreshes the case's place in the caseload and
adds a "case" event to the change feed."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server import changes
from sync.server.context import Context
from sync.server.models import case
from sync.server.services import attention
from sync.server.services.visibility import CaseRow


def emit_case_changed(conn: Connection, ctx: Context, row: CaseRow) -> int:
    """Every change to a case comes through here: its place in the caseload, then its event."""
    attention.refresh(conn, row.id)
    seq = changes.next_seq(conn, row.force_id)
    changes.append(
        conn,
        row,
        kind="case",
        seq=seq,
        payload="",
        now=ctx.now(),
    )
    return seq


def emit_cases_changed(conn: Connection, ctx: Context, *where: sa.ColumnElement[bool]) -> None:
    """One "case changed" event for each case matching ``where`` (all in one force), e.g. when a
    person on them changes."""
    rows = conn.execute(
        sa.select(case.c.id, case.c.force_id, case.c.officer_id, case.c.victim_id)
        .where(*where)
        .order_by(case.c.created_at, case.c.id)
    ).all()
    if not rows:
        return
    first = changes.take_seqs(conn, rows[0].force_id, len(rows))
    changes.append_many(
        conn, [changes.NewEvent(row, "case", first + index, "") for index, row in enumerate(rows)], now=ctx.now()
    )
