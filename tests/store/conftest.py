from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.domain import Case, Message, OfficerContact, OutboxItem, Update
from app.store.device import open_device_store
from app.store.keys import MemoryKeyProvider
from app.store.memory import MemoryStore
from app.store.port import Store

REAL = ["sqlcipher", "sqlite-sealed"]
ALL = [*REAL, "memory"]

CRIME_REFERENCE = "43260099881"
OFFICER_PHONE = "+441632960555"
MESSAGE_BODY = "The man in the grey van came back at 9pm"


def open_backend(backend: str, folder: Path, keys: MemoryKeyProvider | None = None) -> Store:
    if backend == "memory":
        return MemoryStore()
    return open_device_store(folder, keys or MemoryKeyProvider(), backend=backend)


@pytest.fixture(params=ALL)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = open_backend(request.param, tmp_path / "store")
    yield opened
    opened.close()


def officer() -> OfficerContact:
    return OfficerContact("off-1", "PC Grace Okafor", "4417", OFFICER_PHONE, "grace.okafor@example.org")


def a_case(case_id: str = "case-1", **changes: object) -> Case:
    values: dict[str, object] = {
        "id": case_id,
        "crime_reference": CRIME_REFERENCE,
        "crime_type": "Burglary (home)",
        "status": "investigating",
        "summary": "Back door forced; laptop taken.",
        "reported_on": date(2026, 11, 20),
        "officer": officer(),
        "next_update_due": datetime(2026, 11, 25, tzinfo=UTC),
        **changes,
    }
    return Case(**values)  # type: ignore[arg-type]


def a_message(n: int, case_id: str = "case-1", seq: int | None = None, **changes: object) -> Message:
    values: dict[str, object] = {
        "client_msg_id": f"msg-{case_id}-{n}",
        "case_id": case_id,
        "author_kind": "victim",
        "author_name": "Alex Morgan",
        "body": f"{MESSAGE_BODY} ({n})",
        "created_at": datetime(2026, 11, 21, 10, n % 60, tzinfo=UTC),
        "seq": seq,
        "state": "sent" if seq is not None else "sending",
        **changes,
    }
    return Message(**values)  # type: ignore[arg-type]


def an_update(n: int, case_id: str = "case-1") -> Update:
    return Update(
        f"upd-{case_id}-{n}", case_id, n, f"Update {n}", "PC Grace Okafor", datetime(2026, 11, 22, tzinfo=UTC)
    )


def an_outbox_item(n: int, case_id: str = "case-1") -> OutboxItem:
    return OutboxItem(f"out-{n}", "message", case_id, datetime(2026, 11, 23, tzinfo=UTC), body=f"queued {n}")
