"""The app lock: an optional PIN that protects the data, not just the screen.

With a PIN set, the store's key is no longer kept by the key provider (OS keyring, secure
storage, memory): it is kept only wrapped (AES-GCM) by a key derived from the PIN (scrypt),
in a small record beside the store (``pin.json``). Without the PIN the store cannot be
opened, so the lock screen works before the store is open. Removing the PIN gives the key
back to the key provider.

The count of wrong PINs lives in that record too, beside the key and not in the database, so
neither killing the app nor putting back an older copy of the database resets it; each try
is counted before it is checked. After ``MAX_WRONG`` wrong PINs in a row the wrapped key is
deleted (nothing can open the store any more) and the caller deletes the local data; it all
remains on the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.store.keys import KeyProvider, write_private
from app.store.port import Store

MAX_WRONG = 5
SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # as PassphraseKeyProvider: ~0.1 s a try on a phone
_PURPOSE = b"victims-portal store key, wrapped by the PIN"


@dataclass(frozen=True)
class PinResult:
    """What a PIN check came to; the screens say it in words (say.pin_wrong, say.pin_wiped)."""

    outcome: Literal["unlocked", "wrong", "wiped"]
    tries_left: int = 0
    # on "wiped": what set_pin was given to keep beside the key (the device's revoke key), so the
    # session can still be ended on the server though the store can never be opened again
    kept: dict[str, str] | None = None


def valid_pin(pin: str) -> bool:
    return pin.isdigit() and 4 <= len(pin) <= 8


class LockRecord(Protocol):
    """Where the wrapped key and the count of wrong PINs are kept (nothing readable without the PIN)."""

    def load(self) -> dict[str, Any] | None: ...
    def save(self, record: dict[str, Any]) -> None: ...
    def delete(self) -> None: ...


class FileLockRecord:
    """A small JSON file beside the store, replaced whole so a crash never leaves half of it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Any] | None:
        try:
            loaded: dict[str, Any] = json.loads(self.path.read_text())
        except FileNotFoundError:
            return None
        return loaded

    def save(self, record: dict[str, Any]) -> None:
        write_private(self.path, json.dumps(record))

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)


class MemoryLockRecord:
    def __init__(self) -> None:
        self._record: dict[str, Any] | None = None

    def load(self) -> dict[str, Any] | None:
        return dict(self._record) if self._record is not None else None

    def save(self, record: dict[str, Any]) -> None:
        self._record = dict(record)

    def delete(self) -> None:
        self._record = None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class AppLock:
    def __init__(self, record: LockRecord, keys: KeyProvider, *, scrypt: dict[str, int] | None = None) -> None:
        self._record = record
        self._keys = keys
        self._scrypt = scrypt or SCRYPT
        self._key: bytes | None = None  # the store's key, once the PIN has unwrapped it (or before a PIN)

    @property
    def enabled(self) -> bool:
        return self._record.load() is not None

    @property
    def after_minutes(self) -> int:
        record = self._record.load()
        return int(record["after_minutes"]) if record else 0

    @property
    def key(self) -> bytes | None:
        """The store's key, known once the right PIN has been given in this run of the app."""
        return self._key

    def _kek(self, pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=128 * 1024 * 1024, dklen=32)

    def set_pin(self, pin: str, *, after_minutes: int = 0, keep: dict[str, str] | None = None) -> None:
        """Wrap the store's key with the PIN and take it away from the key provider. ``keep`` is
        kept beside it in the clear, for a wipe to use (it must be nothing secret but a revoke key)."""
        if not valid_pin(pin):
            raise ValueError("A PIN is 4 to 8 digits.")
        key = self._key or self._keys.load()
        if key is None:
            raise RuntimeError("the store's key is not at hand: unlock first")
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        wrapped = AESGCM(self._kek(pin, salt, **self._scrypt)).encrypt(nonce, key, _PURPOSE)
        self._record.save(
            {
                "kdf": "scrypt",
                **self._scrypt,
                "salt": _b64(salt),
                "nonce": _b64(nonce),
                "key": _b64(wrapped),
                "wrong": 0,
                "after_minutes": after_minutes,
                **({"keep": keep} if keep else {}),
            }
        )
        self._keys.delete()  # only after the wrapped key is safely written
        self._key = key

    def clear_pin(self) -> None:
        """Give the key back to the key provider (the PIN was given in this run: the key is at hand)."""
        if self._record.load() is None:
            return
        if self._key is None:
            raise RuntimeError("the store's key is not at hand: unlock first")
        self._keys.save(self._key)
        self._record.delete()

    def check(self, pin: str) -> PinResult:
        record = self._record.load()
        if record is None:
            return PinResult("unlocked")
        wrong = int(record["wrong"]) + 1
        self._record.save(
            {**record, "wrong": wrong}
        )  # counted before it is checked: killing the app mid-check gains nothing
        try:
            kek = self._kek(pin, base64.b64decode(record["salt"]), record["n"], record["r"], record["p"])
            key = AESGCM(kek).decrypt(base64.b64decode(record["nonce"]), base64.b64decode(record["key"]), _PURPOSE)
        except InvalidTag:
            if wrong >= MAX_WRONG:
                self._record.delete()  # the only copy of the key: the store can never be opened again
                self._key = None
                return PinResult("wiped", kept=record.get("keep"))
            return PinResult("wrong", MAX_WRONG - wrong)
        self._record.save({**record, "wrong": 0})
        self._key = key
        return PinResult("unlocked")

    def needs_pin(self, *, opening: bool, away_since: datetime | None, now: datetime) -> bool:
        """On every open; on coming back after ``after_minutes`` in the background (0: always)."""
        if not self.enabled:
            return False
        if opening or away_since is None:
            return True
        return now - away_since >= timedelta(minutes=self.after_minutes)


# Before the PIN wrapped the key, its verifier and count lived inside the store. A device
# upgraded with such a PIN still opens locked; the first right PIN moves it to the wrapped key.
_LEGACY = ("lock.pin", "lock.wrong", "lock.after_minutes")


def has_legacy_pin(store: Store) -> bool:
    return store.setting(_LEGACY[0]) is not None


def upgrade_legacy_pin(store: Store, lock: AppLock, pin: str) -> PinResult:
    """Check a PIN against the verifier kept in the store (scrypt, as it was) and, when it is
    right, wrap the key with it and delete the old verifier."""
    raw = base64.b64decode(store.setting(_LEGACY[0]) or "")
    verifier = hashlib.scrypt(pin.encode(), salt=raw[:16], n=2**14, r=8, p=1, dklen=32)
    if hmac.compare_digest(raw[16:], verifier):
        lock.set_pin(pin, after_minutes=int(store.setting(_LEGACY[2]) or 0))
        with store.transaction():
            for name in _LEGACY:
                store.set_setting(name, None)
        return PinResult("unlocked")
    wrong = int(store.setting(_LEGACY[1]) or 0) + 1
    store.set_setting(_LEGACY[1], str(wrong))
    return PinResult("wiped") if wrong >= MAX_WRONG else PinResult("wrong", MAX_WRONG - wrong)
