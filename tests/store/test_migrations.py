from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.store.device import DATABASE, open_device_store
from app.store.errors import StoreTooNew
from app.store.keys import MemoryKeyProvider, new_key
from app.store.sql import MIGRATIONS, SCHEMA_VERSION, SqlStore, migrate
from tests.store.conftest import REAL, a_case, a_message


def test_the_schema_has_history_to_migrate_from() -> None:
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 3


@pytest.mark.parametrize("backend", REAL)
@pytest.mark.parametrize("start", range(1, SCHEMA_VERSION))
def test_data_written_at_each_older_version_survives_migration(backend: str, start: int, tmp_path: Path) -> None:
    keys = MemoryKeyProvider(new_key())
    # The file as an older release left it at version ``start``, with a case and a message in it.
    old = open_old(backend, tmp_path, keys.load(), start)
    old.put_cases([a_case("a")])
    old.conn.execute(
        "INSERT INTO messages (client_id, case_id, seq, data) VALUES (?, ?, ?, ?)",
        ("msg-case-1-1", "case-1", 1, old._seal("messages", "msg-case-1-1", a_message(1, seq=1))),
    )
    assert old.conn.execute("PRAGMA user_version").fetchone()[0] == start
    old.close()

    current = open_device_store(tmp_path, keys, backend=backend)
    assert current.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert current.case("a") == a_case("a")
    assert [m.client_msg_id for m in current.messages("case-1")] == ["msg-case-1-1"]
    current.set_cursor("after-migration")
    assert current.cursor() == "after-migration"
    current.close()


def open_old(backend: str, folder: Path, key: bytes | None, version: int) -> SqlStore:
    """A store whose schema stops at ``version`` (what an older release left on the device)."""
    assert key is not None
    if backend == "sqlcipher":
        import sqlcipher3

        from app.store.codec import PlainCodec

        conn = sqlcipher3.connect(str(folder / DATABASE), isolation_level=None)
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        migrate(conn, upto=version)
        return SqlStore(conn, PlainCodec(), backend=backend, errors=(sqlcipher3.DatabaseError,))
    from app.store.codec import SealingCodec

    conn2 = sqlite3.connect(str(folder / DATABASE), isolation_level=None)
    migrate(conn2, upto=version)
    store = SqlStore(conn2, SealingCodec(key), backend=backend, errors=(sqlite3.DatabaseError,))
    store.check_key()
    return store


@pytest.mark.parametrize("backend", REAL)
def test_a_database_from_a_newer_app_is_refused(backend: str, tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    store = open_device_store(tmp_path, keys, backend=backend)
    store.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    store.close()
    with pytest.raises(StoreTooNew):
        open_device_store(tmp_path, keys, backend=backend)
