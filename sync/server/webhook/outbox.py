"""The webhook outbox: rows written in the same transaction as the events they announce, and
claimed, acknowledged or put back by the dispatcher.

Order: a case's rows go out by ``seq`` (the force's counter, which commits in order), and a row
is claimable only while no earlier row of its case is still pending, so event N+1 of a case is
never sent before N was acknowledged. A claim is a lease (``claimed_until``): a worker killed
mid-delivery holds its rows only until the lease runs out, then any worker takes them again.
On PostgreSQL the claim skips rows another worker is claiming (``FOR UPDATE SKIP LOCKED``);
SQLite runs one writer at a time.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.engine import Connection

from sync.protocol import WebhookFiguresPublic
from sync.server.models import case, force, webhook, webhook_delivery
from sync.server.security import Secrets

PENDING = "pending"
DELIVERED = "delivered"
_QUEUED = "webhook.queued"
# Change-feed kinds a force's record system hears of, by the name they go out under. A case
# update is posted only when it closes the case (``case.closed``), whichever path wrote it.
_TYPES = {"message": "message.created", "update_request": "update_request.created", "read": "messages.read"}
CLOSED = "case.closed"


class EventLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def payload(self) -> str: ...
    @property
    def case_id(self) -> uuid.UUID: ...
    @property
    def force_id(self) -> uuid.UUID: ...


def event_type(kind: str, payload: str) -> str | None:
    """The webhook's name for a change of this kind, or None for changes not posted."""
    if kind == "update":
        update = json.loads(payload).get("update") or {}
        return CLOSED if update.get("closed_outcome") else None
    return _TYPES.get(kind)


def seal_context(force_id: uuid.UUID) -> str:
    # Bound to the force: a sealed secret copied to another force's row does not open.
    return f"webhook-secret:{force_id}"


def enqueue(conn: Connection, events: Sequence[EventLike], *, now: datetime) -> int:
    """Queue the events a force's webhook should hear of; called by ``changes.append_many`` in
    the event's own transaction, so the event and its delivery commit (or not) together."""
    # an event addressed to one officer (a handed-over case's history, sent again) is not news
    hooked = [
        (e, kind)
        for e in events
        if getattr(e, "for_officer_id", None) is None and (kind := event_type(e.kind, e.payload)) is not None
    ]
    if not hooked:
        return 0
    forces = {e.force_id for e, _ in hooked}
    configured = set(conn.execute(sa.select(webhook.c.force_id).where(webhook.c.force_id.in_(forces))).scalars())
    rows = [
        {
            "id": uuid.uuid4(),
            "force_id": e.force_id,
            "case_id": e.case_id,
            "seq": e.seq,
            "event_type": kind,
            "payload": e.payload,
            "status": PENDING,
            "attempts": 0,
            "created_at": now,
        }
        for e, kind in hooked
        if e.force_id in configured
    ]
    if rows:
        conn.execute(sa.insert(webhook_delivery), rows)
        conn.info[_QUEUED] = True
    return len(rows)


def take_queued(conn: Connection) -> bool:
    """After commit: whether this transaction queued deliveries (the dispatcher is woken)."""
    return bool(conn.info.pop(_QUEUED, False))


@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    case_id: uuid.UUID
    seq: int
    event_type: str
    payload: str
    created_at: datetime
    attempts: int
    url: str
    secret: str | None  # None: sealed with a server secret this server no longer has
    force_code: str
    crime_reference: str

    def body(self) -> bytes:
        document: dict[str, Any] = {
            "id": str(self.id),
            "type": self.event_type,
            "force": self.force_code,
            "case_id": str(self.case_id),
            "crime_reference": self.crime_reference,
            "occurred_at": self.created_at.isoformat(),
            "data": json.loads(self.payload),
        }
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Outcome:
    item: Claimed
    error: str | None  # None: acknowledged with a 2xx


def _due(now: datetime) -> sa.ColumnElement[bool]:
    d = webhook_delivery.c
    return sa.and_(
        d.status == PENDING,
        sa.or_(d.next_attempt_at.is_(None), d.next_attempt_at <= now),
        sa.or_(d.claimed_until.is_(None), d.claimed_until < now),
    )


def claim(conn: Connection, secrets: Secrets, *, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Lease up to ``limit`` due rows, at most one per case: the oldest pending one of each."""
    d = webhook_delivery
    earlier = d.alias("earlier")
    waits = (
        sa.select(earlier.c.id)
        .where(earlier.c.case_id == d.c.case_id, earlier.c.status == PENDING, earlier.c.seq < d.c.seq)
        .exists()
    )
    query = (
        sa.select(d.c.id)
        .join(webhook, webhook.c.force_id == d.c.force_id)
        .where(_due(now), ~waits)
        .order_by(d.c.created_at, d.c.seq)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=d, skip_locked=True)
    ids = list(conn.execute(query).scalars())
    if not ids:
        return []
    conn.execute(sa.update(d).where(d.c.id.in_(ids)).values(claimed_until=now + lease))
    rows = conn.execute(
        sa.select(
            d.c.id,
            d.c.case_id,
            d.c.seq,
            d.c.event_type,
            d.c.payload,
            d.c.created_at,
            d.c.attempts,
            d.c.force_id,
            webhook.c.url,
            webhook.c.secret_sealed,
            force.c.code,
            case.c.crime_reference,
        )
        .join(webhook, webhook.c.force_id == d.c.force_id)
        .join(force, force.c.id == d.c.force_id)
        .join(case, case.c.id == d.c.case_id)
        .where(d.c.id.in_(ids))
        .order_by(d.c.seq)
    )
    claimed = []
    for row in rows:
        try:
            secret: str | None = secrets.unseal(row.secret_sealed, context=seal_context(row.force_id))
        except (ValueError, InvalidTag):  # binascii.Error is a ValueError
            secret = None
        claimed.append(
            Claimed(
                id=row.id,
                case_id=row.case_id,
                seq=row.seq,
                event_type=row.event_type,
                payload=row.payload,
                created_at=row.created_at,
                attempts=row.attempts,
                url=row.url,
                secret=secret,
                force_code=row.code,
                crime_reference=row.crime_reference,
            )
        )
    return claimed


def settle(
    conn: Connection, outcomes: Sequence[Outcome], *, now: datetime, retry_gap: Callable[[int], timedelta]
) -> None:
    """Record each delivery: acknowledged ones are done for good (their copy of the event erased);
    failed ones wait ``retry_gap(attempts)`` and go again, never given up (nothing is lost)."""
    d = webhook_delivery.c
    delivered = [o.item.id for o in outcomes if o.error is None]
    if delivered:
        conn.execute(
            sa.update(webhook_delivery)
            .where(d.id.in_(delivered), d.status == PENDING)
            .values(
                status=DELIVERED,
                delivered_at=now,
                attempts=d.attempts + 1,
                payload="",
                claimed_until=None,
                last_error=None,
            )
        )
    failed = [
        {"failed_id": o.item.id, "error": o.error[:300], "next_at": now + retry_gap(o.item.attempts + 1)}
        for o in outcomes
        if o.error is not None
    ]
    if failed:
        conn.execute(
            sa.update(webhook_delivery)
            .where(d.id == sa.bindparam("failed_id"), d.status == PENDING)
            .values(
                attempts=d.attempts + 1,
                last_error=sa.bindparam("error"),
                next_attempt_at=sa.bindparam("next_at"),
                claimed_until=None,
            ),
            failed,
        )


def settle_and_claim(
    conn: Connection,
    outcomes: Sequence[Outcome],
    secrets: Secrets,
    *,
    now: datetime,
    retry_gap: Callable[[int], timedelta],
    lease: timedelta,
    limit: int,
) -> list[Claimed]:
    """The dispatcher's one transaction per pass: the last pass's answers, then the next claim
    (which may be the next event of a case whose event was just acknowledged)."""
    settle(conn, outcomes, now=now, retry_gap=retry_gap)
    return claim(conn, secrets, now=now, lease=lease, limit=limit) if limit else []


def figures(conn: Connection, force_id: uuid.UUID, start: datetime, to: datetime) -> WebhookFiguresPublic | None:
    """The supervisor's view of the force's deliveries; None for a force that never had a webhook."""
    d = webhook_delivery.c
    configured = conn.execute(sa.select(webhook.c.id).where(webhook.c.force_id == force_id)).first() is not None
    pending = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(d.attempts > 0),
            sa.func.coalesce(sa.func.sum(d.attempts), 0),
            sa.func.min(d.created_at),
        ).where(d.force_id == force_id, d.status == PENDING)
    ).one()
    delivered = conn.execute(
        sa.select(sa.func.count()).where(
            d.force_id == force_id, d.status == DELIVERED, d.delivered_at >= start, d.delivered_at < to
        )
    ).scalar_one()
    if not configured and not pending[0] and not delivered:
        return None
    last_error = conn.execute(
        sa.select(d.last_error)
        .where(d.force_id == force_id, d.status == PENDING, d.last_error.is_not(None))
        .order_by(d.next_attempt_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return WebhookFiguresPublic(
        configured=configured,
        pending=int(pending[0]),
        failing=int(pending[1]),
        failed_attempts=int(pending[2]),
        oldest_undelivered_at=pending[3],
        last_error=last_error,
        delivered_in_period=int(delivered),
    )
