"""What someone who copies the app's files learns: nothing readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain import Identity
from app.store.device import database_files
from app.store.keys import MemoryKeyProvider
from tests.store.conftest import CRIME_REFERENCE, MESSAGE_BODY, OFFICER_PHONE, REAL, a_case, a_message, open_backend

SECRETS = [CRIME_REFERENCE, OFFICER_PHONE, MESSAGE_BODY, "Alex Morgan", "vpv_device_token_value", "grace.okafor"]


def leaks(folder: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for file in database_files(folder):
        if file.exists():
            content = file.read_bytes()
            hits = [s for s in SECRETS if s.encode() in content or s.encode("utf-16-le") in content]
            if hits:
                found[file.name] = hits
    return found


@pytest.mark.parametrize("backend", REAL)
def test_known_strings_appear_in_no_file_open_or_closed(backend: str, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    store = open_backend(backend, folder, MemoryKeyProvider())
    store.set_identity(Identity("victim", "https://portal.example", "vpv_device_token_value", "Alex Morgan"))
    store.put_cases([a_case()])
    store.put_messages([a_message(n, seq=n + 1) for n in range(200)])
    store.set_setting("draft", MESSAGE_BODY)

    written = [f.name for f in database_files(folder) if f.exists()]
    assert "portal.db-wal" in written  # the WAL is checked while it holds the data
    assert leaks(folder) == {}
    store.close()
    assert leaks(folder) == {}


def test_a_plain_sqlite_file_would_leak_them(tmp_path: Path) -> None:
    """The check above can see a leak: the same data through plain sqlite3 is found."""
    import sqlite3

    path = tmp_path / "store" / "portal.db"
    path.parent.mkdir()
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (v TEXT)")
        conn.execute("INSERT INTO t VALUES (?)", (MESSAGE_BODY,))
    assert leaks(path.parent) == {"portal.db": [MESSAGE_BODY]}
