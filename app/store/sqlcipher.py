"""The SQLCipher back-end: the whole file, and its WAL, encrypted page by page.

Keyed with a random 256-bit raw key (``PRAGMA key = "x'…'"``), so opening costs no key
derivation. Not available on Android and iOS, which use the sealed back-end instead.
"""

from __future__ import annotations

from pathlib import Path

import sqlcipher3

from app.store.codec import PlainCodec
from app.store.errors import StoreCorrupted, WrongKey
from app.store.sql import SqlStore, migrate

BACKEND = "sqlcipher"


def open_store(path: Path, key: bytes) -> SqlStore:
    if len(key) != 32:
        raise ValueError("the store key must be 32 bytes")
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            # SQLCipher cannot tell a wrong key from a damaged first page.
            raise WrongKey(str(exc)) from exc
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        try:
            migrate(conn)
        except sqlcipher3.DatabaseError as exc:
            raise StoreCorrupted(str(exc)) from exc
        store = SqlStore(conn, PlainCodec(), backend=BACKEND, errors=(sqlcipher3.DatabaseError,))
        store.check_key()
        return store
    except BaseException:
        conn.close()
        raise


def available() -> bool:
    return True
