"""One contract, every back-end: SQLCipher, sqlite3 with sealed values, and the fake."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from app.domain import Identity
from app.store.keys import MemoryKeyProvider
from app.store.port import Store
from tests.store.conftest import ALL, a_case, a_message, an_outbox_item, an_update, open_backend


def test_identity_round_trips_and_clears(store: Store) -> None:
    assert store.identity() is None
    me = Identity("victim", "https://portal.example", "vpv_secret", "Alex Morgan", "tvp")
    store.set_identity(me)
    assert store.identity() == me
    store.set_identity(None)
    assert store.identity() is None


def test_cases_are_kept_whole_and_replaced_by_id(store: Store) -> None:
    store.put_cases([a_case("a"), a_case("b", status="assigned")])
    assert store.case("a") == a_case("a")
    store.put_cases([a_case("a", status="closed", closed_outcome="no_suspect")])
    assert store.case("a") == a_case("a", status="closed", closed_outcome="no_suspect")
    assert {c.id for c in store.cases()} == {"a", "b"}
    assert store.case("missing") is None


def test_updates_come_newest_first_per_case(store: Store) -> None:
    store.put_updates([an_update(1), an_update(3), an_update(2), an_update(1, "other")])
    assert [u.seq for u in store.updates("case-1")] == [3, 2, 1]
    assert [u.seq for u in store.updates("other")] == [1]


def test_messages_are_in_server_order_then_unsent_in_writing_order(store: Store) -> None:
    store.put_messages([a_message(3, seq=30), a_message(1, seq=10)])
    store.put_messages([a_message(5), a_message(4)])  # written here, not yet sent
    store.put_messages([a_message(2, seq=20)])
    assert [m.client_msg_id for m in store.messages("case-1")] == [
        "msg-case-1-1",
        "msg-case-1-2",
        "msg-case-1-3",
        "msg-case-1-5",
        "msg-case-1-4",
    ]
    assert store.message_count() == 5


def test_the_servers_copy_replaces_the_local_echo(store: Store) -> None:
    local = a_message(1)
    store.put_messages([local])
    store.put_messages([replace(local, seq=42, state="sent")])
    (only,) = store.messages("case-1")
    assert only.seq == 42
    assert only.state == "sent"


def test_message_state_changes_in_place(store: Store) -> None:
    store.put_messages([a_message(1)])
    store.set_message_state("msg-case-1-1", "failed", "The message is too long.")
    (only,) = store.messages("case-1")
    assert (only.state, only.error) == ("failed", "The message is too long.")
    store.set_message_state("no-such-message", "sent")


def test_outbox_keeps_order_and_changes_in_place(store: Store) -> None:
    for n in range(5):
        store.enqueue(an_outbox_item(n))
    store.put_outbox_item(replace(an_outbox_item(1), attempts=3))
    store.remove_outbox_item("out-0")
    assert [(i.id, i.attempts) for i in store.outbox()] == [("out-1", 3), ("out-2", 0), ("out-3", 0), ("out-4", 0)]


def test_cursor_and_settings(store: Store) -> None:
    assert store.cursor() is None
    store.set_cursor("YzE6MTI")
    assert store.cursor() == "YzE6MTI"
    store.set_setting("theme", "dark")
    assert store.setting("theme") == "dark"
    store.set_setting("theme", None)
    assert store.setting("theme") is None


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    store.put_cases([a_case("kept")])

    def interrupted() -> None:
        with store.transaction():
            store.put_cases([a_case("lost")])
            store.put_messages([a_message(1)])
            store.enqueue(an_outbox_item(1))
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        interrupted()
    assert [c.id for c in store.cases()] == ["kept"]
    assert store.messages("case-1") == []
    assert store.outbox() == []


@pytest.mark.parametrize("backend", ALL)
def test_a_reader_sees_whole_transactions_while_the_sync_engine_writes(backend: str, tmp_path: Path) -> None:
    keys = MemoryKeyProvider()
    writer = open_backend(backend, tmp_path / "s", keys)
    reader = writer if backend == "memory" else open_backend(backend, tmp_path / "s", keys)
    batches, per_batch = 40, 10
    seen: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for b in range(batches):
                with writer.transaction():
                    writer.put_messages(
                        [a_message(b * per_batch + n, seq=b * per_batch + n + 1) for n in range(per_batch)]
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    while thread.is_alive():
        seen.append(len(reader.messages("case-1")))
    thread.join()
    seen.append(len(reader.messages("case-1")))
    writer.close()
    reader.close()
    assert not errors
    assert all(count % per_batch == 0 for count in seen)  # never half a transaction
    assert seen == sorted(seen)
    assert seen[-1] == batches * per_batch


def test_a_forgotten_case_takes_its_timeline_messages_and_outbox_with_it(store: Store) -> None:
    store.put_cases([a_case("gone"), a_case("kept")])
    store.put_updates([an_update(1, "gone"), an_update(2, "kept")])
    store.put_messages([a_message(1, "gone", seq=1), a_message(2, "kept", seq=2)])
    store.enqueue(replace(an_outbox_item(1), case_id="gone"))
    store.enqueue(replace(an_outbox_item(2), case_id="kept"))
    store.forget_case("gone")
    assert [c.id for c in store.cases()] == ["kept"]
    assert store.messages("gone") == []
    assert store.updates("gone") == []
    assert len(store.messages("kept")) == 1
    assert len(store.updates("kept")) == 1
    assert [i.case_id for i in store.outbox()] == ["kept"]
