"""Where the store's key lives: the KeyProvider port and its adapters.

    KeyringKeyProvider     the OS keyring (desktop: Secret Service, Keychain, Credential Locker)
    PassphraseKeyProvider  a file beside the store holding the key wrapped by a passphrase the
                           person chooses (scrypt, salt and parameters stored with it)
    MemoryKeyProvider      in memory only: tests, and each browser session in web mode

(On Android and iOS the key goes in the platform's secure storage through Flet; that adapter
belongs with the views, which own the Flet page it needs.)

A provider never makes a key up: ``load`` answers None when there is none, and creating one
is the caller's explicit decision.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Protocol

import keyring
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.store.errors import StoreError, WrongKey

KEY_BYTES = 32


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


class KeyProvider(Protocol):
    name: str  # recorded beside the store, and shown in Settings

    def load(self) -> bytes | None: ...
    def save(self, key: bytes) -> None: ...
    def delete(self) -> None: ...


class KeyUnavailable(StoreError):
    message = "This device's secure key storage cannot be reached."


class MemoryKeyProvider:
    name = "memory"

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key

    def load(self) -> bytes | None:
        return self._key

    def save(self, key: bytes) -> None:
        self._key = key

    def delete(self) -> None:
        self._key = None


class KeyringKeyProvider:
    name = "keyring"
    SERVICE = "victims-portal"

    def __init__(self, account: str = "store-key") -> None:
        self.account = account

    def load(self) -> bytes | None:
        try:
            stored = keyring.get_password(self.SERVICE, self.account)
        except keyring.errors.KeyringError as exc:
            raise KeyUnavailable(type(exc).__name__) from exc
        if stored is None:
            return None
        try:
            key = base64.b64decode(stored, validate=True)
        except ValueError as exc:
            raise WrongKey("the keyring holds something that is not a key") from exc
        if len(key) != KEY_BYTES:
            raise WrongKey("the keyring holds a key of the wrong size")
        return key

    def save(self, key: bytes) -> None:
        try:
            keyring.set_password(self.SERVICE, self.account, base64.b64encode(key).decode())
        except keyring.errors.KeyringError as exc:
            raise KeyUnavailable(type(exc).__name__) from exc

    def delete(self) -> None:
        try:
            keyring.delete_password(self.SERVICE, self.account)
        except keyring.errors.PasswordDeleteError:
            pass  # already gone
        except keyring.errors.KeyringError as exc:
            raise KeyUnavailable(type(exc).__name__) from exc

    @staticmethod
    def usable() -> bool:
        backend = keyring.get_keyring()
        return getattr(backend, "priority", 0) > 0 and "fail" not in type(backend).__module__


def write_private(path: Path, text: str) -> None:
    """Writes a file only this OS account may read, whole or not at all (a crash leaves the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    os.chmod(temporary, 0o600)
    temporary.replace(path)


class PassphraseKeyProvider:
    """The key, wrapped with a key derived from a passphrase (scrypt), in a small JSON file."""

    name = "passphrase"
    SCRYPT = {"n": 2**15, "r": 8, "p": 1}

    def __init__(self, path: Path, passphrase: str) -> None:
        self.path = path
        self._passphrase = passphrase.encode()

    def _kek(self, salt: bytes, n: int, r: int, p: int) -> bytes:
        return hashlib.scrypt(self._passphrase, salt=salt, n=n, r=r, p=p, maxmem=128 * 1024 * 1024, dklen=32)

    def load(self) -> bytes | None:
        if not self.path.exists():
            return None
        try:
            wrapped = json.loads(self.path.read_text())
            salt = base64.b64decode(wrapped["salt"])
            nonce = base64.b64decode(wrapped["nonce"])
            kek = self._kek(salt, wrapped["n"], wrapped["r"], wrapped["p"])
            return AESGCM(kek).decrypt(nonce, base64.b64decode(wrapped["key"]), b"victims-portal store key")
        except InvalidTag as exc:
            raise WrongKey("the passphrase does not unwrap the key") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise WrongKey("the wrapped key file is damaged") from exc

    def save(self, key: bytes) -> None:
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        kek = self._kek(salt, **self.SCRYPT)
        wrapped = AESGCM(kek).encrypt(nonce, key, b"victims-portal store key")
        record = {
            "kdf": "scrypt",
            **self.SCRYPT,
            "salt": base64.b64encode(salt).decode(),
            "nonce": base64.b64encode(nonce).decode(),
            "key": base64.b64encode(wrapped).decode(),
        }
        write_private(self.path, json.dumps(record))

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)
