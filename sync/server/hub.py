"""Wakes waiting long-polls when something they may see has been stored.

A change is published under keys naming who may care about it (``victim:<id>``,
``officer:<id>``, ``force:<id>``, and ``any:<force id>`` for "something in this force, we
do not know what"). A long-poll notes the hub's version *before* it queries; once it waits,
it asks whether anything for its keys was published since that version, so a change that
commits between its query and its wait is never missed.

Publishing happens on the event loop; worker threads hand changes over with
``publish_threadsafe``. Nothing here touches the database.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    force_id: uuid.UUID
    seq: int
    keys: tuple[str, ...]


def victim_key(victim_id: uuid.UUID) -> str:
    return f"victim:{victim_id}"


def officer_key(officer_id: uuid.UUID) -> str:
    return f"officer:{officer_id}"


def force_key(force_id: uuid.UUID) -> str:
    return f"force:{force_id}"


def any_key(force_id: uuid.UUID) -> str:
    return f"any:{force_id}"


class Hub:
    RECENT = 4096

    def __init__(self) -> None:
        self.version = 0
        # Highest sequence number published under each key since this process started, and
        # each force's counter when this process started hearing of changes.
        self._latest: dict[str, int] = {}
        self._baseline: dict[uuid.UUID, int] = {}
        self._recent: deque[tuple[int, tuple[str, ...]]] = deque(maxlen=self.RECENT)
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._force_seq: dict[uuid.UUID, int] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closing = False

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def changed_since(self, version: int, keys: Iterable[str]) -> bool:
        """Was anything published under ``keys`` after ``version``? True when unsure."""
        if version >= self.version:
            return False
        if not self._recent or self._recent[0][0] > version + 1:
            return True  # older changes than we remember: assume the worst
        wanted = set(keys)
        return any(v > version and not wanted.isdisjoint(k) for v, k in reversed(self._recent))

    def known_seq(self, force_id: uuid.UUID) -> int:
        return self._force_seq.get(force_id, 0)

    def set_baseline(self, force_id: uuid.UUID, seq: int) -> None:
        """The force's counter, read after this hub began hearing of every later change."""
        if force_id not in self._baseline:
            self._baseline[force_id] = seq
            self._force_seq[force_id] = max(self._force_seq.get(force_id, 0), seq)

    def nothing_new(self, force_id: uuid.UUID, keys: Iterable[str], since: int) -> bool:
        """True when no change after ``since`` can concern ``keys``, as far as this process has
        heard. A cursor from before this process started always needs the database."""
        baseline = self._baseline.get(force_id)
        if baseline is None or since < baseline:
            return False
        latest = self._latest
        return all(latest.get(key, 0) <= since for key in keys)

    def publish(self, change: Change) -> None:
        if change.seq > self._force_seq.get(change.force_id, 0):
            self._force_seq[change.force_id] = change.seq
        keys = (*change.keys, force_key(change.force_id))
        latest = self._latest
        for key in keys:
            if change.seq > latest.get(key, 0):
                latest[key] = change.seq
        self.version += 1
        self._recent.append((self.version, keys))
        for key in keys:
            for waiter in self._waiters.get(key, ()):
                waiter.set()

    def close(self) -> None:
        """The server is stopping: answer every long-poll now (and any that start later at once)
        rather than hold the shutdown until their timeouts."""
        self.closing = True
        for waiters in self._waiters.values():
            for waiter in waiters:
                waiter.set()

    def publish_unknown(self, force_id: uuid.UUID, seq: int) -> None:
        """Another process stored changes up to ``seq`` in this force: wake everyone in it."""
        self.publish(Change(force_id, seq, (any_key(force_id),)))

    def publish_threadsafe(self, changes: Iterable[Change]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for change in changes:
            loop.call_soon_threadsafe(self.publish, change)

    @contextmanager
    def waiting(self, keys: Iterable[str]) -> Iterator[asyncio.Event]:
        event = asyncio.Event()
        if self.closing:
            event.set()
        keys = tuple(keys)
        for key in keys:
            self._waiters.setdefault(key, set()).add(event)
        try:
            yield event
        finally:
            for key in keys:
                waiters = self._waiters.get(key)
                if waiters is not None:
                    waiters.discard(event)
                    if not waiters:
                        del self._waiters[key]

    @property
    def waiting_count(self) -> int:
        return len({id(w) for waiters in self._waiters.values() for w in waiters})
