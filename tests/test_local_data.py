from __future__ import annotations

from pathlib import Path

from app.local_data import open_desktop_data, open_session_data
from app.store.errors import KeyMissing
from app.store.keys import MemoryKeyProvider
from tests.store.conftest import a_case


def test_the_desktop_store_opens_and_says_what_it_uses(tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    local = open_desktop_data(tmp_path, keys)
    assert local.store is not None
    assert local.store.backend == "sqlcipher"
    assert local.key_provider == "memory"
    local.store.put_cases([a_case()])
    local.end()


def test_a_lost_key_is_reported_with_reset_as_the_way_out(tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    open_desktop_data(tmp_path, keys).end()
    keys.delete()
    local = open_desktop_data(tmp_path, keys)
    assert local.store is None
    assert isinstance(local.error, KeyMissing)
    assert "reset this device" in str(local.error)
    local.reset()
    again = open_desktop_data(tmp_path, keys)
    assert again.store is not None
    again.end()


def test_a_web_session_store_is_deleted_when_the_session_ends(tmp_path: Path) -> None:
    local = open_session_data(tmp_path)
    assert local.store is not None
    assert local.key_provider == "memory"
    local.store.put_cases([a_case()])
    local.end()
    assert list(tmp_path.iterdir()) == []


def test_a_sign_out_still_to_send_outlives_deleting_everything(tmp_path: Path) -> None:
    from app.domain import Identity

    keys = MemoryKeyProvider()
    local = open_desktop_data(tmp_path, keys)
    identity = Identity("victim", "http://127.0.0.1:8000", "token-to-end", "You")
    local.sign_outs.add(identity)
    local.end()
    local.reset()  # the wipe: store, key and PIN record go
    again = open_desktop_data(tmp_path, keys)
    assert again.sign_outs.identities() == [identity]
    again.end()
