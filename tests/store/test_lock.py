from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import lock as lock_module
from app.local_data import open_desktop_data
from app.lock import MAX_WRONG, AppLock, FileLockRecord, MemoryLockRecord, valid_pin
from app.store.device import PIN, database_files
from app.store.errors import StoreError
from app.store.keys import MemoryKeyProvider, new_key
from app.store.sqlcipher import open_store
from tests.store.conftest import a_case

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
CHEAP = {"n": 2**4, "r": 1, "p": 1}  # tests only: the app's own parameters are held strong below


@pytest.fixture(autouse=True)
def _cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock_module, "SCRYPT", CHEAP)


def a_lock() -> AppLock:
    return AppLock(MemoryLockRecord(), MemoryKeyProvider(new_key()))


def test_the_apps_own_scrypt_parameters_are_strong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the app's real parameters, not the tests' stand-in
    assert lock_module.SCRYPT["n"] >= 2**15
    assert lock_module.SCRYPT["r"] >= 8
    record = MemoryLockRecord()
    AppLock(record, MemoryKeyProvider(new_key())).set_pin("2468")
    wrapped = record.load()
    assert wrapped is not None
    assert (wrapped["n"], wrapped["r"], wrapped["p"]) == (2**15, 8, 1)


def test_pins_are_four_to_eight_digits() -> None:
    assert valid_pin("1234")
    assert valid_pin("12345678")
    assert not valid_pin("123")
    assert not valid_pin("123456789")
    assert not valid_pin("12a4")


def test_the_right_pin_unlocks_and_resets_the_count() -> None:
    lock = a_lock()
    lock.set_pin("2468")
    assert lock.check("1111").outcome == "wrong"
    assert lock.check("2468").outcome == "unlocked"
    assert lock.check("1111").tries_left == MAX_WRONG - 1


def test_with_a_pin_the_store_cannot_be_opened_without_it(tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    local = open_desktop_data(tmp_path, keys)
    assert local.store is not None
    assert local.lock is not None
    local.store.put_cases([a_case()])
    key = keys.load()
    assert key is not None
    local.lock.set_pin("2468")
    local.end()
    assert keys.load() is None  # the key provider (the OS keyring) no longer holds the key
    assert key not in (tmp_path / PIN).read_bytes()

    again = open_desktop_data(tmp_path, keys)  # the app opening again: the PIN comes first
    assert again.store is None
    assert again.sealed
    assert again.lock is not None
    assert again.lock.check("1111").outcome == "wrong"
    assert again.lock.check("2468").outcome == "unlocked"
    assert again.lock.key == key
    store = again.unseal(again.lock.key)
    assert store.case("case-1") == a_case()

    again.lock.clear_pin()  # removing the PIN gives the key back to the key provider
    again.end()
    assert keys.load() == key
    assert not (tmp_path / PIN).exists()
    third = open_desktop_data(tmp_path, keys)
    assert third.store is not None
    third.end()


def test_the_wrapped_key_alone_does_not_open_the_store(tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    local = open_desktop_data(tmp_path, keys)
    assert local.lock is not None
    local.lock.set_pin("2468")
    local.end()
    with pytest.raises(StoreError):
        open_store(tmp_path / "portal.db", new_key())  # any key but the PIN-wrapped one is refused


def test_five_wrong_pins_destroy_the_key_and_the_count_survives_a_restart(tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    local = open_desktop_data(tmp_path, keys)
    assert local.lock is not None
    local.lock.set_pin("2468")
    local.end()
    outcomes = []
    for _ in range(MAX_WRONG):  # each try in a new run of the app
        reopened = open_desktop_data(tmp_path, keys)
        assert reopened.lock is not None
        outcomes.append(reopened.lock.check("0000"))
    assert [r.outcome for r in outcomes] == ["wrong"] * (MAX_WRONG - 1) + ["wiped"]
    assert [r.tries_left for r in outcomes[:-1]] == [4, 3, 2, 1]
    assert not (tmp_path / PIN).exists()  # the only copy of the key is gone
    reopened.reset()
    assert not any(f.exists() for f in database_files(tmp_path))


def test_putting_back_an_older_copy_of_the_database_does_not_reset_the_count(tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    local = open_desktop_data(tmp_path, keys)
    assert local.lock is not None
    local.lock.set_pin("2468")
    local.end()
    backup = tmp_path.parent / "backup"
    backup.mkdir()
    for file in database_files(tmp_path):
        if file.exists():
            shutil.copy(file, backup / file.name)
    lock = AppLock(FileLockRecord(tmp_path / PIN), keys)
    for _ in range(3):
        lock.check("0000")
    for copy in backup.iterdir():
        shutil.copy(copy, tmp_path / copy.name)
    assert AppLock(FileLockRecord(tmp_path / PIN), keys).check("0000").tries_left == 1


def test_when_the_pin_is_asked() -> None:
    lock = a_lock()
    assert not lock.needs_pin(opening=True, away_since=None, now=NOW)
    lock.set_pin("2468", after_minutes=5)
    assert lock.needs_pin(opening=True, away_since=None, now=NOW)
    assert not lock.needs_pin(opening=False, away_since=NOW - timedelta(minutes=4), now=NOW)
    assert lock.needs_pin(opening=False, away_since=NOW - timedelta(minutes=5), now=NOW)
    lock.clear_pin()
    assert not lock.enabled


def test_a_bad_pin_is_refused_when_set() -> None:
    with pytest.raises(ValueError, match="4 to 8 digits"):
        a_lock().set_pin("12")
