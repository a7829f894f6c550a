"""The notification outbox: nothing is lost when a channel fails.

A notification is stored in the same transaction as the change that causes it, then sent
after commit. A failed send is retried with growing gaps; after ``MAX_ATTEMPTS`` it is marked
failed. Officers see every notification's status, attempts and last error on the case. The
body (which may hold a code or link) is sealed with the server secret while it waits, so a
copy of the database holds no working code or link; once sent, it is erased.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.engine import Connection

from sync.protocol import ContactChannel, DeliveryStatus, NotificationPublic
from sync.server.db import Database
from sync.server.models import notification
from sync.server.notify.channel import Channel, DeliveryError, Notification, Purpose
from sync.server.notify.texts import SUBJECTS
from sync.server.security import Secrets

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
_AFTER_COMMIT = "outbox.after_commit"
CLAIM_FOR = timedelta(seconds=60)
_SEALED = re.compile(r"[A-Za-z0-9_-]{40,}={0,2}")  # what Secrets.seal makes: URL-safe base64, no spaces


def retry_gap(attempts: int) -> timedelta:
    gap: timedelta = timedelta(seconds=30) * 2 ** max(attempts - 1, 0)
    return min(gap, timedelta(hours=1))


def enqueue(
    conn: Connection,
    *,
    force_id: uuid.UUID,
    case_id: uuid.UUID | None,
    purpose: Purpose,
    channel: ContactChannel,
    recipient: str,
    body: str,
    now: datetime,
    secrets: Secrets,
) -> uuid.UUID:
    notification_id = uuid.uuid4()
    body = secrets.seal(body, context=_seal_context(notification_id))
    conn.execute(
        sa.insert(notification).values(
            id=notification_id,
            force_id=force_id,
            case_id=case_id,
            purpose=purpose,
            channel=channel.value,
            recipient=recipient,
            body=body,
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return notification_id


@dataclass(frozen=True)
class NewNotification:
    force_id: uuid.UUID
    case_id: uuid.UUID | None
    purpose: Purpose
    channel: ContactChannel
    recipient: str
    body: str


def enqueue_many(conn: Connection, items: list[NewNotification], *, now: datetime, secrets: Secrets) -> list[uuid.UUID]:
    """``enqueue`` for many notifications in one statement; their ids, in order."""
    ids = [uuid.uuid4() for _ in items]
    if items:
        conn.execute(
            sa.insert(notification),
            [
                {
                    "id": notification_id,
                    "force_id": item.force_id,
                    "case_id": item.case_id,
                    "purpose": item.purpose,
                    "channel": item.channel.value,
                    "recipient": item.recipient,
                    "body": secrets.seal(item.body, context=_seal_context(notification_id)),
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for notification_id, item in zip(ids, items, strict=True)
            ],
        )
    return ids


def _seal_context(notification_id: uuid.UUID) -> str:
    # Bound to the row: a sealed body moved to another notification does not open.
    return f"notification-body:{notification_id}"


def send_after_commit(conn: Connection, notification_id: uuid.UUID) -> None:
    conn.info.setdefault(_AFTER_COMMIT, []).append(notification_id)


def take_after_commit(conn: Connection) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = conn.info.pop(_AFTER_COMMIT, [])
    return ids


def public(row: sa.Row) -> NotificationPublic:  # type: ignore[type-arg]
    return NotificationPublic(
        id=row.id,
        purpose=row.purpose,
        channel=ContactChannel(row.channel),
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )


def load(conn: Connection, notification_id: uuid.UUID) -> NotificationPublic:
    return public(conn.execute(sa.select(notification).where(notification.c.id == notification_id)).one())


class Outbox:
    def __init__(self, db: Database, channel: Channel, clock: Callable[[], datetime], secrets: Secrets) -> None:
        self.db = db
        self.channel = channel
        self.clock = clock
        self.secrets = secrets
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def deliver(self, notification_id: uuid.UUID) -> None:
        """Try one notification now (called right after the transaction that stored it)."""
        claimed = self.db.run_write(self._claim, notification_id)
        if claimed is not None:
            self._send(claimed)

    async def deliver_now(self, notification_id: uuid.UUID) -> None:
        await self.db.in_thread(lambda: self.deliver(notification_id))

    def deliver_soon(self, notification_ids: list[uuid.UUID]) -> None:
        """From a worker thread, after commit: send these without making the request wait."""
        loop = self._loop
        if loop is None or loop.is_closed() or not notification_ids:
            return
        for notification_id in notification_ids:
            loop.call_soon_threadsafe(self._spawn, notification_id)

    def _spawn(self, notification_id: uuid.UUID) -> None:
        if self._closed:
            return  # shutting down: it stays pending in the outbox, and the retry pass sends it
        task = asyncio.get_running_loop().create_task(self.deliver_now(notification_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def deliver_due(self, limit: int = 50) -> int:
        ids = self.db.run_read(self._due_ids, limit)
        for notification_id in ids:
            self.deliver(notification_id)
        return len(ids)

    async def run(self, interval: float = 5.0) -> None:
        while True:
            try:
                await self.db.in_thread(self.deliver_due)
            except Exception:  # a dead loop would strand every later notification
                log.exception("notification retry pass failed")
            await anyio.sleep(interval)

    async def close(self) -> None:
        """Start no more sends, and wait for those under way (at shutdown)."""
        self._closed = True
        await self.drain()

    async def drain(self) -> None:
        """Wait for sends started by ``deliver_soon`` (at shutdown, and in tests)."""
        await asyncio.sleep(0)  # let sends handed over from worker threads start first
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _due_ids(self, conn: Connection, limit: int) -> list[uuid.UUID]:
        now = self.clock()
        rows = conn.execute(
            sa.select(notification.c.id)
            .where(
                notification.c.status == DeliveryStatus.PENDING.value,
                notification.c.next_attempt_at <= now,
                sa.or_(notification.c.claimed_until.is_(None), notification.c.claimed_until < now),
            )
            .order_by(notification.c.next_attempt_at)
            .limit(limit)
        )
        return [row.id for row in rows]

    def _claim(self, conn: Connection, notification_id: uuid.UUID) -> Notification | None:
        now = self.clock()
        row = conn.execute(
            sa.update(notification)
            .where(
                notification.c.id == notification_id,
                notification.c.status == DeliveryStatus.PENDING.value,
                sa.or_(notification.c.claimed_until.is_(None), notification.c.claimed_until < now),
            )
            .values(claimed_until=now + CLAIM_FOR)
            .returning(notification.c.channel, notification.c.recipient, notification.c.purpose, notification.c.body)
        ).one_or_none()
        if row is None:
            return None
        body = self._unseal(notification_id, row.body)
        if body is None:
            # Sealed with a secret this server no longer has (PORTAL_SECRET_KEY was changed): the
            # words cannot be read back, and the sealed text must never go out in their place.
            self._failed(conn, notification_id, "sealed with a secret this server no longer has", final=True)
            return None
        return Notification(
            id=str(notification_id),
            channel=row.channel,
            recipient=row.recipient,
            purpose=row.purpose,
            subject=SUBJECTS[row.purpose],
            body=body,
        )

    def _unseal(self, notification_id: uuid.UUID, body: str) -> str | None:
        """The words to send, or None when they were sealed with another secret."""
        if not _SEALED.fullmatch(body):
            # Stored before bodies were sealed (a pending one at the upgrade): every text this
            # server writes has spaces in it, and a sealed body never has.
            return body
        try:
            return self.secrets.unseal(body, context=_seal_context(notification_id))
        except (ValueError, InvalidTag):  # binascii.Error is a ValueError
            return None

    def _send(self, item: Notification) -> None:
        try:
            self.channel.send(item)
        except DeliveryError as exc:
            log.warning("notification %s not delivered: %s", item.id, exc)
            self.db.run_write(self._failed, uuid.UUID(item.id), str(exc)[:300])
        else:
            self.db.run_write(self._sent, uuid.UUID(item.id))

    def _sent(self, conn: Connection, notification_id: uuid.UUID) -> None:
        conn.execute(
            sa.update(notification)
            .where(notification.c.id == notification_id)
            .values(
                status=DeliveryStatus.SENT.value,
                body="",
                attempts=notification.c.attempts + 1,
                sent_at=self.clock(),
                claimed_until=None,
                last_error=None,
            )
        )

    def _failed(self, conn: Connection, notification_id: uuid.UUID, reason: str, *, final: bool = False) -> None:
        attempts: int = conn.execute(
            sa.select(notification.c.attempts).where(notification.c.id == notification_id)
        ).scalar_one()
        attempts += 1
        final = final or attempts >= MAX_ATTEMPTS
        conn.execute(
            sa.update(notification)
            .where(notification.c.id == notification_id)
            .values(
                attempts=attempts,
                last_error=reason,
                claimed_until=None,
                next_attempt_at=self.clock() + retry_gap(attempts),
                status=(DeliveryStatus.FAILED if final else DeliveryStatus.PENDING).value,
                body="" if final else notification.c.body,
            )
        )
