"""The audit trail: who did what to which case, when, and from which device."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server.context import Caller
from sync.server.models import audit_event


def record_many(
    conn: Connection,
    entries: list[tuple[Caller, str, uuid.UUID | None, dict[str, Any]]],
    *,
    now: datetime,
) -> None:
    """Many callers' actions at once: (caller, action, case id, detail) each."""
    conn.execute(
        sa.insert(audit_event),
        [
            {
                "force_id": caller.force_id,
                "at": now,
                "actor_kind": caller.audit_kind,
                "actor_id": caller.id,
                "session_id": caller.session_id,
                "ip": caller.ip,
                "action": action,
                "case_id": case_id,
                "detail": detail,
            }
            for caller, action, case_id, detail in entries
        ],
    )


def record(
    conn: Connection,
    caller: Caller | None,
    action: str,
    *,
    now: datetime,
    case_id: uuid.UUID | None = None,
    force_id: uuid.UUID | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        sa.insert(audit_event).values(
            force_id=caller.force_id if caller else force_id,
            at=now,
            actor_kind=caller.audit_kind if caller else "anonymous",
            actor_id=caller.id if caller else None,
            session_id=caller.session_id if caller else None,
            ip=caller.ip if caller else ip,
            action=action,
            case_id=case_id,
            detail=detail or {},
        )
    )
