"""The app lock: an optional PIN, asked on every open or after some minutes away.

The PIN's verifier (scrypt) and the count of wrong tries live inside the encrypted store, so
nothing readable from the files without the key helps anyone guess it. After
``MAX_WRONG`` wrong PINs in a row the local data is wiped; it remains on the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from app.store.port import Store

MAX_WRONG = 5
_PIN = "lock.pin"
_WRONG = "lock.wrong"
_AFTER = "lock.after_minutes"


@dataclass(frozen=True)
class PinResult:
    """What a PIN check came to; the screens say it in words (say.pin_wrong, say.pin_wiped)."""

    outcome: Literal["unlocked", "wrong", "wiped"]
    tries_left: int = 0


def _verifier(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)


def valid_pin(pin: str) -> bool:
    return pin.isdigit() and 4 <= len(pin) <= 8


class AppLock:
    def __init__(self, store: Store, wipe: Callable[[], None]) -> None:
        self.store = store
        self._wipe = wipe

    @property
    def enabled(self) -> bool:
        return self.store.setting(_PIN) is not None

    def set_pin(self, pin: str, *, after_minutes: int = 0) -> None:
        if not valid_pin(pin):
            raise ValueError("A PIN is 4 to 8 digits.")
        salt = secrets.token_bytes(16)
        with self.store.transaction():
            self.store.set_setting(_PIN, base64.b64encode(salt + _verifier(pin, salt)).decode())
            self.store.set_setting(_WRONG, "0")
            self.store.set_setting(_AFTER, str(after_minutes))

    def clear_pin(self) -> None:
        with self.store.transaction():
            for key in (_PIN, _WRONG, _AFTER):
                self.store.set_setting(key, None)

    @property
    def after_minutes(self) -> int:
        return int(self.store.setting(_AFTER) or 0)

    def check(self, pin: str) -> PinResult:
        stored = self.store.setting(_PIN)
        if stored is None:
            return PinResult("unlocked")
        raw = base64.b64decode(stored)
        if hmac.compare_digest(raw[16:], _verifier(pin, raw[:16])):
            self.store.set_setting(_WRONG, "0")
            return PinResult("unlocked")
        wrong = int(self.store.setting(_WRONG) or 0) + 1
        if wrong >= MAX_WRONG:
            self._wipe()
            return PinResult("wiped")
        self.store.set_setting(_WRONG, str(wrong))
        return PinResult("wrong", MAX_WRONG - wrong)

    def needs_pin(self, *, opening: bool, away_since: datetime | None, now: datetime) -> bool:
        """On every open; on coming back after ``after_minutes`` in the background (0: always)."""
        if not self.enabled:
            return False
        if opening or away_since is None:
            return True
        return now - away_since >= timedelta(minutes=self.after_minutes)
