"""The Store port: everything the app keeps on the device, behind one small interface.

Three back-ends implement it and pass one contract suite (tests/store): SQLCipher (whole
file encrypted), sqlite3 with every sensitive value sealed by AES-256-GCM (where SQLCipher
is not available: Android and iOS builds), and an in-memory fake.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from app.domain import Case, Identity, Message, MessageState, OutboxItem, Update


class Store(Protocol):
    backend: str  # "sqlcipher", "sqlite-sealed" or "memory": the About screen says which

    def transaction(self) -> AbstractContextManager[None]:
        """Group writes so they land together or not at all."""

    # who is signed in
    def identity(self) -> Identity | None: ...
    def set_identity(self, identity: Identity | None) -> None: ...

    # cases and their timelines
    def put_cases(self, cases: Sequence[Case]) -> None: ...
    def cases(self) -> list[Case]: ...
    def case(self, case_id: str) -> Case | None: ...
    def put_updates(self, updates: Sequence[Update]) -> None: ...
    def updates(self, case_id: str) -> list[Update]:
        """Newest first."""

    # the conversation
    def put_messages(self, messages: Sequence[Message]) -> None:
        """Insert or replace by ``client_msg_id``: the server's copy replaces the local echo."""

    def messages(self, case_id: str) -> list[Message]:
        """In conversation order: the server's by sequence number, then this device's unsent ones."""

    def set_message_state(self, client_msg_id: str, state: MessageState, error: str | None = None) -> None: ...
    def message_count(self) -> int: ...

    # what waits to be sent
    def enqueue(self, item: OutboxItem) -> None: ...
    def outbox(self) -> list[OutboxItem]:
        """In the order written."""

    def put_outbox_item(self, item: OutboxItem) -> None:
        """Replace an item (its attempts or failure) keeping its place in the queue."""

    def remove_outbox_item(self, item_id: str) -> None: ...
    def forget_case(self, case_id: str) -> None:
        """The case, its timeline, messages and outbox entries go (handed to another officer)."""

    # sync position and settings
    def cursor(self) -> str | None: ...
    def set_cursor(self, cursor: str | None) -> None: ...
    def setting(self, key: str) -> str | None: ...
    def set_setting(self, key: str, value: str | None) -> None: ...

    def close(self) -> None: ...
