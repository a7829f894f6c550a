"""Key providers, including the real OS keyring (gnome-keyring in a D-Bus session, which the
test command starts: `python3 dev.py test`)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from app.store.device import open_device_store
from app.store.errors import KeyMissing, WrongKey
from app.store.keys import KeyringKeyProvider, PassphraseKeyProvider, new_key
from tests.store.conftest import a_case


@pytest.fixture
def keyring_provider() -> Iterator[KeyringKeyProvider]:
    if not KeyringKeyProvider.usable():
        pytest.fail(
            f"no usable OS keyring ({type(keyring.get_keyring()).__name__}): run the tests through "
            "`python3 dev.py test`, which starts gnome-keyring in a D-Bus session"
        )
    provider = KeyringKeyProvider(account=f"test-{uuid.uuid4()}")
    yield provider
    provider.delete()


def test_the_keyring_is_the_real_secret_service() -> None:
    backend = keyring.get_keyring()
    assert "SecretService" in type(backend).__module__ or "SecretService" in type(backend).__name__, backend


def test_keyring_keeps_loads_and_deletes_the_key(keyring_provider: KeyringKeyProvider) -> None:
    assert keyring_provider.load() is None
    key = new_key()
    keyring_provider.save(key)
    assert keyring_provider.load() == key
    assert KeyringKeyProvider(keyring_provider.account).load() == key  # a fresh process would find it too
    keyring_provider.delete()
    assert keyring_provider.load() is None
    keyring_provider.delete()  # deleting twice is fine


def test_a_store_keyed_from_the_keyring_opens_again_and_not_without_it(
    keyring_provider: KeyringKeyProvider, tmp_path: Path
) -> None:
    store = open_device_store(tmp_path, keyring_provider, backend="sqlcipher")
    store.put_cases([a_case()])
    store.close()
    again = open_device_store(tmp_path, keyring_provider)
    assert again.case("case-1") == a_case()
    again.close()
    assert json.loads((tmp_path / "store.json").read_text()) == {"backend": "sqlcipher", "key_provider": "keyring"}
    keyring_provider.delete()
    with pytest.raises(KeyMissing):
        open_device_store(tmp_path, keyring_provider)


def test_a_key_wrapped_by_a_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    provider = PassphraseKeyProvider(path, "correct horse battery staple")
    assert provider.load() is None
    key = new_key()
    provider.save(key)
    stored = json.loads(path.read_text())
    assert stored["kdf"] == "scrypt"
    assert stored["n"] >= 2**15
    assert len(stored["salt"]) > 16
    assert key.hex() not in path.read_text()
    assert PassphraseKeyProvider(path, "correct horse battery staple").load() == key
    with pytest.raises(WrongKey):
        PassphraseKeyProvider(path, "wrong passphrase").load()
    path.write_text("{not json")
    with pytest.raises(WrongKey):
        provider.load()
    provider.delete()
    assert not path.exists()


def test_with_a_pin_the_os_keyring_no_longer_holds_the_key(
    keyring_provider: KeyringKeyProvider, tmp_path: Path
) -> None:
    from app.local_data import open_desktop_data

    local = open_desktop_data(tmp_path, keyring_provider)
    assert local.store is not None
    assert local.lock is not None
    key = keyring_provider.load()
    local.lock.set_pin("2468")
    local.end()
    assert keyring.get_password(KeyringKeyProvider.SERVICE, keyring_provider.account) is None
    again = open_desktop_data(tmp_path, keyring_provider)
    assert again.sealed  # anyone with this OS account finds no key to open the store with
    assert again.lock is not None
    assert again.lock.check("2468").outcome == "unlocked"
    again.lock.clear_pin()
    assert keyring_provider.load() == key
