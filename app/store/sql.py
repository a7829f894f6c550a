"""The Store over a SQLite-family database, shared by the SQLCipher and sealed back-ends.

Only what ordering and look-ups need is kept as plain columns (server ids, sequence
numbers, positions); every record is one ``data`` value written through the codec. The
schema is versioned with ``PRAGMA user_version`` and numbered migrations; a database newer
than this code is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from app.domain import Case, Identity, Message, MessageState, OutboxItem, Update
from app.store import records
from app.store.codec import Codec
from app.store.errors import StoreCorrupted, StoreTooNew

T = TypeVar("T")

MIGRATIONS: list[list[str]] = [
    [  # 1: identity, cases, timelines, messages
        "CREATE TABLE meta (k TEXT PRIMARY KEY, data BLOB NOT NULL)",
        "CREATE TABLE identity (k TEXT PRIMARY KEY, data BLOB NOT NULL)",
        "CREATE TABLE cases (id TEXT PRIMARY KEY, data BLOB NOT NULL)",
        "CREATE TABLE updates (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL)",
        "CREATE TABLE messages (client_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, seq INTEGER, data BLOB NOT NULL)",
    ],
    [  # 2: the outbox, settings, and indexes for a case's screens
        "CREATE TABLE outbox (id TEXT PRIMARY KEY, position INTEGER NOT NULL, data BLOB NOT NULL)",
        "CREATE TABLE kv (k TEXT PRIMARY KEY, data BLOB NOT NULL)",
        "CREATE INDEX ix_updates_case ON updates (case_id, seq)",
        "CREATE INDEX ix_messages_case ON messages (case_id, seq)",
    ],
    [  # 3: unsent messages keep the order they were written in
        "ALTER TABLE messages ADD COLUMN local_order INTEGER NOT NULL DEFAULT 0",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)
CHECK_VALUE = b"victims-portal store"


class DbConnection(Protocol):
    """The part of the DB-API that sqlite3 and sqlcipher3 connections share and we use."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any: ...
    def executemany(self, sql: str, parameters: Any, /) -> Any: ...
    def close(self) -> None: ...


def migrate(conn: DbConnection, upto: int = SCHEMA_VERSION) -> None:
    current: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise StoreTooNew(f"schema {current}, this code knows {SCHEMA_VERSION}")
    for version in range(current + 1, upto + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


class SqlStore:
    def __init__(self, conn: DbConnection, codec: Codec, *, backend: str, errors: tuple[type[Exception], ...]) -> None:
        self.conn = conn
        self.codec = codec
        self.backend = backend
        self._errors = errors  # the driver's own errors, turned into StoreCorrupted at the edge
        self._lock = threading.RLock()
        self._depth = 0

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self.conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outermost:
                    self.conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self.conn.execute("COMMIT")

    def _rows(self, sql: str, *params: Any) -> list[Any]:
        with self._lock:
            try:
                return list(self.conn.execute(sql, params).fetchall())
            except self._errors as exc:
                raise StoreCorrupted(type(exc).__name__) from exc

    def _write(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        with self.transaction():
            try:
                self.conn.executemany(sql, params)
            except self._errors as exc:
                raise StoreCorrupted(type(exc).__name__) from exc

    def _seal(self, table: str, row_id: str, record: object) -> bytes:
        return self.codec.seal(table, "data", row_id, records.dump(record))

    def _open(self, cls: type[T], table: str, row_id: str, data: bytes) -> T:
        return records.load(cls, self.codec.open(table, "data", row_id, bytes(data)))

    def check_key(self) -> None:
        """Writes the check value on first use; afterwards a wrong key fails here, not later."""
        found = self._rows("SELECT data FROM meta WHERE k = 'check'")
        if not found:
            self._write(
                "INSERT INTO meta (k, data) VALUES ('check', ?)",
                [(self.codec.seal("meta", "data", "check", CHECK_VALUE),)],
            )
        elif self.codec.open("meta", "data", "check", bytes(found[0][0])) != CHECK_VALUE:
            raise StoreCorrupted("the check value is wrong")

    # ------------------------------------------------------------------ identity

    def identity(self) -> Identity | None:
        found = self._rows("SELECT data FROM identity WHERE k = 'me'")
        return self._open(Identity, "identity", "me", found[0][0]) if found else None

    def set_identity(self, identity: Identity | None) -> None:
        if identity is None:
            self._write("DELETE FROM identity WHERE k = ?", [("me",)])
        else:
            self._write(
                "INSERT OR REPLACE INTO identity (k, data) VALUES ('me', ?)",
                [(self._seal("identity", "me", identity),)],
            )

    # ------------------------------------------------------------------ cases and updates

    def put_cases(self, cases: Sequence[Case]) -> None:
        self._write(
            "INSERT OR REPLACE INTO cases (id, data) VALUES (?, ?)",
            [(c.id, self._seal("cases", c.id, c)) for c in cases],
        )

    def cases(self) -> list[Case]:
        found = [self._open(Case, "cases", row[0], row[1]) for row in self._rows("SELECT id, data FROM cases")]
        return sorted(found, key=lambda c: (c.reported_on, c.id), reverse=True)

    def case(self, case_id: str) -> Case | None:
        found = self._rows("SELECT data FROM cases WHERE id = ?", case_id)
        return self._open(Case, "cases", case_id, found[0][0]) if found else None

    def put_updates(self, updates: Sequence[Update]) -> None:
        self._write(
            "INSERT OR REPLACE INTO updates (id, case_id, seq, data) VALUES (?, ?, ?, ?)",
            [(u.id, u.case_id, u.seq, self._seal("updates", u.id, u)) for u in updates],
        )

    def updates(self, case_id: str) -> list[Update]:
        rows = self._rows("SELECT id, data FROM updates WHERE case_id = ? ORDER BY seq DESC", case_id)
        return [self._open(Update, "updates", row[0], row[1]) for row in rows]

    # ------------------------------------------------------------------ messages

    def put_messages(self, messages: Sequence[Message]) -> None:
        with self.transaction():
            next_local: int = self._rows("SELECT COALESCE(MAX(local_order), 0) FROM messages")[0][0]
            values = []
            for m in messages:
                next_local += 1
                values.append(
                    (m.client_msg_id, m.case_id, m.seq, next_local, self._seal("messages", m.client_msg_id, m))
                )
            self._write(
                "INSERT OR REPLACE INTO messages (client_id, case_id, seq, local_order, data) VALUES (?, ?, ?, ?, ?)",
                values,
            )

    def messages(self, case_id: str) -> list[Message]:
        rows = self._rows(
            "SELECT client_id, data FROM messages WHERE case_id = ? ORDER BY seq IS NULL, seq, local_order", case_id
        )
        return [self._open(Message, "messages", row[0], row[1]) for row in rows]

    def set_message_state(self, client_msg_id: str, state: MessageState, error: str | None = None) -> None:
        with self.transaction():
            found = self._rows("SELECT data FROM messages WHERE client_id = ?", client_msg_id)
            if not found:
                return
            message = replace(self._open(Message, "messages", client_msg_id, found[0][0]), state=state, error=error)
            self._write(
                "UPDATE messages SET data = ? WHERE client_id = ?",
                [(self._seal("messages", client_msg_id, message), client_msg_id)],
            )

    def message_count(self) -> int:
        count: int = self._rows("SELECT COUNT(*) FROM messages")[0][0]
        return count

    # ------------------------------------------------------------------ outbox

    def enqueue(self, item: OutboxItem) -> None:
        with self.transaction():
            position: int = self._rows("SELECT COALESCE(MAX(position), 0) + 1 FROM outbox")[0][0]
            self._write(
                "INSERT INTO outbox (id, position, data) VALUES (?, ?, ?)",
                [(item.id, position, self._seal("outbox", item.id, item))],
            )

    def outbox(self) -> list[OutboxItem]:
        rows = self._rows("SELECT id, data FROM outbox ORDER BY position")
        return [self._open(OutboxItem, "outbox", row[0], row[1]) for row in rows]

    def put_outbox_item(self, item: OutboxItem) -> None:
        self._write("UPDATE outbox SET data = ? WHERE id = ?", [(self._seal("outbox", item.id, item), item.id)])

    def remove_outbox_item(self, item_id: str) -> None:
        self._write("DELETE FROM outbox WHERE id = ?", [(item_id,)])

    def forget_case(self, case_id: str) -> None:
        # outbox rows keep their case only inside the sealed value: read each to know
        gone = [item.id for item in self.outbox() if item.case_id == case_id]
        with self.transaction():
            self._write("DELETE FROM cases WHERE id = ?", [(case_id,)])
            self._write("DELETE FROM updates WHERE case_id = ?", [(case_id,)])
            self._write("DELETE FROM messages WHERE case_id = ?", [(case_id,)])
            self._write("DELETE FROM outbox WHERE id = ?", [(i,) for i in gone])

    # ------------------------------------------------------------------ cursor and settings

    def cursor(self) -> str | None:
        return self._get_kv("cursor")

    def set_cursor(self, cursor: str | None) -> None:
        self._set_kv("cursor", cursor)

    def setting(self, key: str) -> str | None:
        return self._get_kv(f"setting:{key}")

    def set_setting(self, key: str, value: str | None) -> None:
        self._set_kv(f"setting:{key}", value)

    def _get_kv(self, key: str) -> str | None:
        found = self._rows("SELECT data FROM kv WHERE k = ?", key)
        return self.codec.open("kv", "data", key, bytes(found[0][0])).decode() if found else None

    def _set_kv(self, key: str, value: str | None) -> None:
        if value is None:
            self._write("DELETE FROM kv WHERE k = ?", [(key,)])
        else:
            self._write(
                "INSERT OR REPLACE INTO kv (k, data) VALUES (?, ?)",
                [(key, self.codec.seal("kv", "data", key, value.encode()))],
            )

    def close(self) -> None:
        with self._lock:
            self.conn.close()
