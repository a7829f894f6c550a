"""The in-memory fake Store, for tests and UI previews. Same contract, nothing on disk."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import replace
from typing import Any

from app.domain import Case, Identity, Message, MessageState, OutboxItem, Update

BACKEND = "memory"


class MemoryStore:
    backend = BACKEND

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._identity: Identity | None = None
        self._cases: dict[str, Case] = {}
        self._updates: dict[str, Update] = {}
        self._messages: dict[str, tuple[int, Message]] = {}
        self._outbox: dict[str, tuple[int, OutboxItem]] = {}
        self._kv: dict[str, str] = {}
        self._order = 0
        self._depth = 0
        self._saved: dict[str, Any] | None = None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._saved = deepcopy(self._state())
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0 and self._saved is not None:
                    self._restore(self._saved)
                raise
            self._depth -= 1

    def _state(self) -> dict[str, Any]:
        names = ("_identity", "_cases", "_updates", "_messages", "_outbox", "_kv", "_order")
        return {name: getattr(self, name) for name in names}

    def _restore(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def _next(self) -> int:
        self._order += 1
        return self._order

    def identity(self) -> Identity | None:
        return self._identity

    def set_identity(self, identity: Identity | None) -> None:
        with self._lock:
            self._identity = identity

    def put_cases(self, cases: Sequence[Case]) -> None:
        with self._lock:
            self._cases.update({c.id: c for c in cases})

    def cases(self) -> list[Case]:
        with self._lock:
            return sorted(self._cases.values(), key=lambda c: (c.reported_on, c.id), reverse=True)

    def case(self, case_id: str) -> Case | None:
        return self._cases.get(case_id)

    def put_updates(self, updates: Sequence[Update]) -> None:
        with self._lock:
            self._updates.update({u.id: u for u in updates})

    def updates(self, case_id: str) -> list[Update]:
        with self._lock:
            return sorted(
                (u for u in self._updates.values() if u.case_id == case_id), key=lambda u: u.seq, reverse=True
            )

    def put_messages(self, messages: Sequence[Message]) -> None:
        with self._lock:
            for m in messages:
                self._messages[m.client_msg_id] = (self._next(), m)

    def messages(self, case_id: str) -> list[Message]:
        with self._lock:
            mine = [(order, m) for order, m in self._messages.values() if m.case_id == case_id]
        mine.sort(key=lambda pair: (pair[1].seq is None, pair[1].seq or 0, pair[0]))
        return [m for _, m in mine]

    def set_message_state(self, client_msg_id: str, state: MessageState, error: str | None = None) -> None:
        with self._lock:
            if client_msg_id in self._messages:
                order, message = self._messages[client_msg_id]
                self._messages[client_msg_id] = (order, replace(message, state=state, error=error))

    def message_count(self) -> int:
        return len(self._messages)

    def enqueue(self, item: OutboxItem) -> None:
        with self._lock:
            self._outbox[item.id] = (self._next(), item)

    def outbox(self) -> list[OutboxItem]:
        with self._lock:
            return [item for _, item in sorted(self._outbox.values(), key=lambda pair: pair[0])]

    def put_outbox_item(self, item: OutboxItem) -> None:
        with self._lock:
            if item.id in self._outbox:
                self._outbox[item.id] = (self._outbox[item.id][0], item)

    def forget_case(self, case_id: str) -> None:
        with self.transaction():
            self._cases.pop(case_id, None)
            self._updates = {k: u for k, u in self._updates.items() if u.case_id != case_id}
            self._messages = {k: m for k, m in self._messages.items() if m[1].case_id != case_id}
            self._outbox = {k: i for k, i in self._outbox.items() if i[1].case_id != case_id}

    def remove_outbox_item(self, item_id: str) -> None:
        with self._lock:
            self._outbox.pop(item_id, None)

    def cursor(self) -> str | None:
        return self._kv.get("cursor")

    def set_cursor(self, cursor: str | None) -> None:
        self._set("cursor", cursor)

    def setting(self, key: str) -> str | None:
        return self._kv.get(f"setting:{key}")

    def set_setting(self, key: str, value: str | None) -> None:
        self._set(f"setting:{key}", value)

    def _set(self, key: str, value: str | None) -> None:
        with self._lock:
            if value is None:
                self._kv.pop(key, None)
            else:
                self._kv[key] = value

    def close(self) -> None:
        pass
