from __future__ import annotations

from pathlib import Path

import pytest

from app.domain import Identity
from app.store.device import SIDECAR, SessionStore, database_files, describe, open_device_store, reset_device
from app.store.errors import WrongKey
from app.store.keys import MemoryKeyProvider
from tests.store.conftest import REAL, a_case, a_message


@pytest.mark.parametrize("backend", REAL)
def test_first_use_makes_one_key_and_records_the_choice(backend: str, tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    store = open_device_store(tmp_path, keys, backend=backend)
    key = keys.load()
    assert key is not None
    assert len(key) == 32
    store.close()
    open_device_store(tmp_path, keys).close()
    assert keys.load() == key
    info = describe(tmp_path)
    assert info is not None
    assert (info.backend, info.key_provider) == (backend, "memory")


@pytest.mark.parametrize("backend", REAL)
def test_reset_and_sign_out_delete_the_database_its_companions_and_the_key(backend: str, tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    store = open_device_store(tmp_path, keys, backend=backend)
    store.set_identity(Identity("victim", "https://portal.example", "token", "Alex"))
    store.put_messages([a_message(1, seq=1)])
    store.close()
    (tmp_path / "portal.db-journal").write_bytes(b"left over")  # as a crash in rollback mode would leave

    reset_device(tmp_path, keys)

    assert [f for f in database_files(tmp_path) if f.exists()] == []
    assert not (tmp_path / SIDECAR).exists()
    assert keys.load() is None
    fresh = open_device_store(tmp_path, keys, backend=backend)
    assert fresh.identity() is None
    assert fresh.cases() == []
    fresh.close()


def test_a_store_left_under_another_key_is_not_opened_with_a_new_one(tmp_path: Path) -> None:
    open_device_store(tmp_path, MemoryKeyProvider(), backend="sqlcipher").close()
    with pytest.raises(WrongKey):
        open_device_store(tmp_path, MemoryKeyProvider(b"\x01" * 32))


def test_each_web_session_has_its_own_store_deleted_when_it_ends(tmp_path: Path) -> None:
    first, second = SessionStore(tmp_path), SessionStore(tmp_path)
    first.store.put_cases([a_case("only-in-first")])
    assert second.store.cases() == []
    assert first.folder != second.folder
    assert first.folder.exists()
    first.end()
    second.end()
    assert not first.folder.exists()
    assert not second.folder.exists()
    assert first.keys.load() is None


def test_without_sqlcipher_the_sealed_back_end_is_chosen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import app.store
    from app.store import device

    # As on Android and iOS, where there is no sqlcipher3 wheel: importing the adapter fails.
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)
    monkeypatch.delitem(sys.modules, "app.store.sqlcipher", raising=False)
    monkeypatch.delattr(app.store, "sqlcipher", raising=False)
    name, _ = device.best_backend()
    assert name == "sqlite-sealed"
    store = open_device_store(tmp_path, MemoryKeyProvider())
    assert store.backend == "sqlite-sealed"
    store.close()
    info = describe(tmp_path)
    assert info is not None
    assert info.backend == "sqlite-sealed"
