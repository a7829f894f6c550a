"""The sealed back-end: Python's own sqlite3, with every sensitive value sealed.

For where SQLCipher cannot be had (Android and iOS builds). Each record is sealed with
AES-256-GCM, bound to its table, column and row id; what stays plain is only what ordering
needs: server ids, sequence numbers and positions.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.store.codec import SealingCodec
from app.store.errors import StoreCorrupted, WrongKey
from app.store.sql import SqlStore, migrate

BACKEND = "sqlite-sealed"


def open_store(path: Path, key: bytes) -> SqlStore:
    codec = SealingCodec(key)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    try:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA secure_delete = ON")  # deleted sealed values are zeroed, not left in free pages
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreCorrupted(str(exc)) from exc
        store = SqlStore(conn, codec, backend=BACKEND, errors=(sqlite3.DatabaseError,))
        try:
            store.check_key()
        except StoreCorrupted as exc:
            raise WrongKey(exc.detail) from exc
        return store
    except BaseException:
        conn.close()
        raise
