"""The change feed /v1/sync reads: numbering changes, storing them, and announcing them.

``append`` takes the force's next sequence number, stores the event, queues it for the force's
webhook when it is one the record system hears of (``webhook.outbox``), and notes who should be
woken. The notes are published after commit (``Database`` calls ``take_changes``); on
PostgreSQL a ``NOTIFY`` is sent in the same transaction, so other workers hear of the change
exactly when it becomes visible.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.engine import Connection

from sync.server.errors import BadRequest
from sync.server.hub import Change, officer_key, victim_key
from sync.server.models import event, force
from sync.server.security import Secrets
from sync.server.webhook import outbox as webhook_outbox

NOTIFY_CHANNEL = "portal_events"
_CHANGES = "changes.pending"


def next_seq(conn: Connection, force_id: uuid.UUID) -> int:
    # The row lock this UPDATE takes is held to commit: sequence numbers commit in order.
    seq: int = conn.execute(
        sa.update(force).where(force.c.id == force_id).values(last_seq=force.c.last_seq + 1).returning(force.c.last_seq)
    ).scalar_one()
    return seq


class CaseLike(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def force_id(self) -> uuid.UUID: ...
    @property
    def officer_id(self) -> uuid.UUID: ...
    @property
    def victim_id(self) -> uuid.UUID: ...


def lock_counter(conn: Connection, force_id: uuid.UUID) -> None:
    """Take the force's counter lock (held to commit) without taking a number yet."""
    conn.execute(sa.update(force).where(force.c.id == force_id).values(last_seq=force.c.last_seq))


def take_seqs(conn: Connection, force_id: uuid.UUID, count: int) -> int:
    """Reserve ``count`` consecutive sequence numbers; returns the first."""
    last: int = conn.execute(
        sa.update(force)
        .where(force.c.id == force_id)
        .values(last_seq=force.c.last_seq + count)
        .returning(force.c.last_seq)
    ).scalar_one()
    return last - count + 1


@dataclass(frozen=True)
class NewEvent:
    case_row: CaseLike
    kind: str
    seq: int
    payload: str
    for_officer_id: uuid.UUID | None = None

    @property
    def case_id(self) -> uuid.UUID:
        return self.case_row.id

    @property
    def force_id(self) -> uuid.UUID:
        return self.case_row.force_id


def append_many(conn: Connection, new_events: list[NewEvent], *, now: datetime) -> None:
    """``append`` for many events at once (one statement)."""
    conn.execute(
        sa.insert(event),
        [
            {
                "force_id": e.case_row.force_id,
                "seq": e.seq,
                "case_id": e.case_row.id,
                "kind": e.kind,
                "payload": e.payload,
                "created_at": now,
                "for_officer_id": e.for_officer_id,
            }
            for e in new_events
        ],
    )
    # Every event is written here, so the webhook's outbox row commits with it whatever path wrote it.
    webhook_outbox.enqueue(conn, new_events, now=now)
    announced = [
        Change(
            e.case_row.force_id,
            e.seq,
            (officer_key(e.for_officer_id),)
            if e.for_officer_id is not None  # addressed to one officer alone (a case handed away)
            else (officer_key(e.case_row.officer_id), victim_key(e.case_row.victim_id)),
        )
        for e in new_events
    ]
    conn.info.setdefault(_CHANGES, []).extend(announced)
    if conn.dialect.name == "postgresql":
        # One round trip for many (a bulk import announces thousands): one NOTIFY per change still.
        for start in range(0, len(announced), _NOTIFY_CHUNK):
            chunk = announced[start : start + _NOTIFY_CHUNK]
            conn.execute(sa.select(*(sa.func.pg_notify(NOTIFY_CHANNEL, encode_change(c)) for c in chunk)))


_NOTIFY_CHUNK = 500


def append(
    conn: Connection,
    case_row: CaseLike,
    *,
    kind: str,
    seq: int,
    payload: str,
    now: datetime,
    for_officer_id: uuid.UUID | None = None,
) -> None:
    """Store one event about ``case_row``; it wakes the case's victim, its officer and supervisors
    (or, with ``for_officer_id``, only that officer, and only they read it)."""
    append_many(conn, [NewEvent(case_row, kind, seq, payload, for_officer_id)], now=now)


REVOKED = "revoked"


_REVOKED = "changes.revoked"


def announce_revocation(conn: Connection, digest: str) -> None:
    """Tell every worker to forget a token it checked recently: others by NOTIFY (heard at commit),
    and this one again after commit (``take_revocations``), since a request that read the session
    before this transaction commits may cache it in between."""
    conn.info.setdefault(_REVOKED, []).append(digest)
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_notify(NOTIFY_CHANNEL, f"{REVOKED} {digest}")))


def take_revocations(conn: Connection) -> list[str]:
    digests: list[str] = conn.info.pop(_REVOKED, [])
    return digests


def take_changes(conn: Connection) -> list[Change]:
    changes: list[Change] = conn.info.pop(_CHANGES, [])
    return changes


def encode_change(change: Change) -> str:
    return " ".join((str(change.force_id), str(change.seq), *change.keys))


def decode_change(text: str) -> Change:
    force_id, seq, *keys = text.split(" ")
    return Change(uuid.UUID(force_id), int(seq), tuple(keys))


# The cursor holds the force-wide counter of changes, which would show how busy the force is:
# it is sealed, so to a client it is an opaque string only this server can read.
_CURSOR = "sync-cursor"
_CURSOR_MAX_CHARS = 64


def encode_cursor(secrets: Secrets, seq: int) -> str:
    return secrets.seal(str(seq), context=_CURSOR, deterministic=True).rstrip("=")


def decode_cursor(secrets: Secrets, cursor: str | None) -> int:
    if not cursor:
        return 0
    if len(cursor) <= _CURSOR_MAX_CHARS:
        padded = cursor + "=" * (-len(cursor) % 4)
        try:
            return int(secrets.unseal(padded, context=_CURSOR))
        except (ValueError, InvalidTag):  # binascii.Error and UnicodeDecodeError are ValueErrors
            pass
        # Apps installed before cursors were sealed hold a readable one ("c1:<n>") and, told it
        # is invalid, would be stuck: it tells them nothing they do not know, so it still reads.
        try:
            version, _, number = base64.urlsafe_b64decode(padded).decode().partition(":")
        except ValueError:
            version = number = ""
        if version == "c1" and number.isascii() and number.isdigit() and int(number) < 2**63:  # a BIGINT
            return int(number)
    raise BadRequest(
        "The sync cursor is not one this server gave out. Sync again from the start.", code="invalid_cursor"
    )
