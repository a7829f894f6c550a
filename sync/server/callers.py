"""Recently authenticated callers, so that a poll or a send does not look its token up every time.

An entry lives at most ``ttl`` seconds, and never past its token's expiry. Signing out
removes it here at once, and from other workers through the change listener (PostgreSQL);
other processes on one SQLite file stop honouring it within ``ttl``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sync.server.context import Caller


@dataclass(frozen=True)
class _Entry:
    caller: Caller
    until: float  # time.monotonic() after which the entry is not used
    expires_at: datetime | None  # the token's own expiry, on the server's clock


class CallerCache:
    def __init__(self, ttl: float = 30.0, max_entries: int = 100_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, *, now: datetime) -> Caller | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if entry.until < time.monotonic() or (entry.expires_at is not None and entry.expires_at <= now):
            self.forget(digest)
            return None
        return entry.caller

    def put(self, digest: str, caller: Caller, *, expires_at: datetime | None) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # rare; everyone simply authenticates against the database again
            self._entries[digest] = _Entry(caller, time.monotonic() + self.ttl, expires_at)

    def forget(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
