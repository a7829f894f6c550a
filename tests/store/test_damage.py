"""Wrong key, missing key, truncated or tampered files: a clear error, never wrong data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.store.device import DATABASE, open_device_store
from app.store.errors import KeyMissing, StoreCorrupted, StoreError, WrongKey
from app.store.keys import MemoryKeyProvider, new_key
from tests.store.conftest import REAL, a_case, a_message


def filled(backend: str, folder: Path, keys: MemoryKeyProvider) -> None:
    store = open_device_store(folder, keys, backend=backend)
    store.put_cases([a_case("a"), a_case("b")])
    store.put_messages([a_message(n, seq=n + 1) for n in range(50)])
    store.close()


def read_everything(folder: Path, keys: MemoryKeyProvider, backend: str) -> None:
    store = open_device_store(folder, keys, backend=backend)
    try:
        store.cases()
        store.messages("case-1")
    finally:
        store.close()


@pytest.mark.parametrize("backend", REAL)
def test_a_wrong_key_is_refused_in_plain_words(backend: str, tmp_path: Path) -> None:
    filled(backend, tmp_path, MemoryKeyProvider())
    with pytest.raises(WrongKey) as refused:
        open_device_store(tmp_path, MemoryKeyProvider(new_key()), backend=backend)
    assert "Reset" in str(refused.value) or "reset" in str(refused.value)


@pytest.mark.parametrize("backend", REAL)
def test_a_missing_key_is_never_replaced_silently(backend: str, tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    filled(backend, tmp_path, keys)
    keys.delete()
    with pytest.raises(KeyMissing):
        open_device_store(tmp_path, keys, backend=backend)
    assert keys.load() is None  # no new key was made up
    assert (tmp_path / DATABASE).exists()  # and nothing was deleted


@pytest.mark.parametrize("backend", REAL)
def test_a_truncated_file_is_an_error_not_a_crash(backend: str, tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    filled(backend, tmp_path, keys)
    path = tmp_path / DATABASE
    path.write_bytes(path.read_bytes()[: 4096 + 100])
    with pytest.raises(StoreError):
        read_everything(tmp_path, keys, backend)


def test_a_flipped_byte_in_a_sqlcipher_page_is_caught(tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    filled("sqlcipher", tmp_path, keys)
    path = tmp_path / DATABASE
    data = bytearray(path.read_bytes())
    assert len(data) > 3 * 4096
    for page in range(1, len(data) // 4096):  # every page after the first: wherever the rows are
        data[page * 4096 + 2000] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError):
        read_everything(tmp_path, keys, "sqlcipher")


def _raw(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / DATABASE, isolation_level=None)


def test_a_flipped_byte_in_a_sealed_value_is_caught(tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    filled("sqlite-sealed", tmp_path, keys)
    with _raw(tmp_path) as raw:
        (data,) = raw.execute("SELECT data FROM cases WHERE id = 'a'").fetchone()
        flipped = bytearray(data)
        flipped[20] ^= 0x01
        raw.execute("UPDATE cases SET data = ? WHERE id = 'a'", (bytes(flipped),))
    store = open_device_store(tmp_path, keys, backend="sqlite-sealed")
    with pytest.raises(StoreCorrupted):
        store.case("a")
    assert store.case("b") is not None  # the rest still reads
    store.close()


def test_sealed_values_cannot_be_swapped_between_rows(tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    filled("sqlite-sealed", tmp_path, keys)
    with _raw(tmp_path) as raw:
        (b_data,) = raw.execute("SELECT data FROM cases WHERE id = 'b'").fetchone()
        raw.execute("UPDATE cases SET data = ? WHERE id = 'a'", (b_data,))
    store = open_device_store(tmp_path, keys, backend="sqlite-sealed")
    with pytest.raises(StoreCorrupted):
        store.case("a")
    store.close()
