from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.lock import MAX_WRONG, AppLock, valid_pin
from app.store.device import database_files, open_device_store, reset_device
from app.store.keys import MemoryKeyProvider
from app.store.memory import MemoryStore

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def test_pins_are_four_to_eight_digits() -> None:
    assert valid_pin("1234")
    assert valid_pin("12345678")
    assert not valid_pin("123")
    assert not valid_pin("123456789")
    assert not valid_pin("12a4")


def test_the_right_pin_unlocks_and_resets_the_count() -> None:
    lock = AppLock(MemoryStore(), wipe=lambda: None)
    lock.set_pin("2468")
    assert lock.check("1111").outcome == "wrong"
    assert lock.check("2468").outcome == "unlocked"
    assert lock.check("1111").tries_left == MAX_WRONG - 1


def test_five_wrong_pins_wipe_the_local_data(tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    store = open_device_store(tmp_path, keys, backend="sqlcipher")
    wiped: list[bool] = []

    def wipe() -> None:
        store.close()
        reset_device(tmp_path, keys)
        wiped.append(True)

    lock = AppLock(store, wipe)
    lock.set_pin("2468")
    results = [lock.check("0000") for _ in range(MAX_WRONG)]
    assert [r.outcome for r in results] == ["wrong"] * (MAX_WRONG - 1) + ["wiped"]
    assert [r.tries_left for r in results[:-1]] == [4, 3, 2, 1]
    assert wiped == [True]
    assert not any(f.exists() for f in database_files(tmp_path))


def test_the_pin_verifier_lives_inside_the_encrypted_store(tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    store = open_device_store(tmp_path, keys, backend="sqlcipher")
    AppLock(store, wipe=lambda: None).set_pin("2468")
    store.close()
    for file in tmp_path.iterdir():
        assert b"lock.pin" not in file.read_bytes()  # neither the PIN nor where it is kept shows


def test_when_the_pin_is_asked() -> None:
    store = MemoryStore()
    lock = AppLock(store, wipe=lambda: None)
    assert not lock.needs_pin(opening=True, away_since=None, now=NOW)
    lock.set_pin("2468", after_minutes=5)
    assert lock.needs_pin(opening=True, away_since=None, now=NOW)
    assert not lock.needs_pin(opening=False, away_since=NOW - timedelta(minutes=4), now=NOW)
    assert lock.needs_pin(opening=False, away_since=NOW - timedelta(minutes=5), now=NOW)
    lock.clear_pin()
    assert not lock.enabled


def test_a_bad_pin_is_refused_when_set() -> None:
    with pytest.raises(ValueError, match="4 to 8 digits"):
        AppLock(MemoryStore(), wipe=lambda: None).set_pin("12")
