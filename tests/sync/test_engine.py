"""The sans-I/O engine's decisions, each edge case a plain unit test."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from app.domain import Case, Message, OfficerContact, OutboxItem, shown_state
from app.store.memory import MemoryStore
from sync.engine import (
    BACKOFF_CAP_SECONDS,
    LONG_POLL_SECONDS,
    HttpResponse,
    ServerTrouble,
    SyncEngine,
    with_read_mark,
)
from sync.runner import SyncRunner

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
CASE_ID = str(uuid.uuid4())
OFFICER = {
    "id": str(uuid.uuid4()),
    "name": "PC Grace Okafor",
    "collar_number": "4417",
    "phone": "+441632960102",
    "email": "g@example.org",
    "reply_within_hours": 24,
    "away_message": None,
}


def wire_message(seq: int, client_id: str | None = None, author: str = "victim") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "case_id": CASE_ID,
        "client_msg_id": client_id or str(uuid.uuid4()),
        "seq": seq,
        "author_kind": author,
        "author_name": "Alex Morgan",
        "body": f"message {seq}",
        "created_at": "2026-11-28T11:00:00Z",
        "read_at": None,
    }


def wire_case() -> dict[str, Any]:
    return {
        "id": CASE_ID,
        "crime_reference": "43260012345",
        "crime_type": "Burglary",
        "status": "investigating",
        "summary": "",
        "reported_on": "2026-11-25",
        "closed_outcome": None,
        "officer": OFFICER,
        "next_update_due": "2026-11-30T00:00:00Z",
        "open_update_requests": [],
        "victim_read_seq": 3,
        "officer_read_seq": 5,
        "updated_at": "2026-11-28T11:00:00Z",
        "victim": None,
        "notifications": None,
    }


def page(*events: dict[str, Any], cursor: str = "YzE6OQ", more: bool = False) -> HttpResponse:
    return HttpResponse(200, {"events": list(events), "cursor": cursor, "more": more})


def test_pulls_long_poll_in_the_foreground_and_carry_the_cursor() -> None:
    engine = SyncEngine()
    first = engine.pull(None, long_poll=False)
    assert (first.method, first.path, first.params) == ("GET", "/v1/sync", {"timeout": "0"})
    live = engine.pull("YzE6OQ", long_poll=True)
    assert live.params == {"since": "YzE6OQ", "timeout": str(LONG_POLL_SECONDS)}
    assert live.timeout > LONG_POLL_SECONDS


def test_a_page_becomes_records_and_a_new_cursor() -> None:
    engine = SyncEngine()
    changes = engine.receive_pull(
        page(
            {"kind": "case", "seq": 1, "case_id": CASE_ID, "case": wire_case()},
            {"kind": "message", "seq": 2, "case_id": CASE_ID, "message": wire_message(2)},
            {
                "kind": "read",
                "seq": 3,
                "case_id": CASE_ID,
                "read": {"case_id": CASE_ID, "reader": "officer", "up_to_seq": 2, "at": "2026-11-28T11:00:00Z"},
            },
            cursor="YzE6Mw",
            more=True,
        ),
        NOW,
    )
    assert [c.crime_reference for c in changes.cases] == ["43260012345"]
    assert changes.cases[0].officer.phone == "+441632960102"
    assert [m.seq for m in changes.messages] == [2]
    assert changes.read_marks == [(CASE_ID, "officer", 2)]
    assert (changes.cursor, changes.more) == ("YzE6Mw", True)
    assert (engine.state, engine.last_synced_at) == ("online", NOW)


def test_an_unknown_device_must_sign_in_again() -> None:
    assert (
        SyncEngine()
        .receive_pull(HttpResponse(401, {"error": {"code": "unauthorized", "message": "x"}}), NOW)
        .signed_out
    )


def test_a_cursor_the_server_no_longer_reads_is_forgotten_and_sync_starts_again() -> None:
    refused = HttpResponse(400, {"error": {"code": "invalid_cursor", "message": "Sync again from the start."}})
    changes = SyncEngine().receive_pull(refused, NOW)
    assert (changes.forget_cursor, changes.more, changes.cursor) == (True, True, None)
    with pytest.raises(ServerTrouble):  # any other refusal of a poll is trouble to retry later
        SyncEngine().receive_pull(HttpResponse(400, {"error": {"code": "bad_request", "message": "x"}}), NOW)


async def test_the_runner_starts_again_from_nothing_when_its_cursor_is_refused() -> None:
    """A server whose secret was changed reads no cursor it gave before: the app must not stall."""
    asked: list[str | None] = []

    def server(request: httpx.Request) -> httpx.Response:
        since = request.url.params.get("since")
        asked.append(since)
        if since is not None and since != "fresh":
            return httpx.Response(400, json={"error": {"code": "invalid_cursor", "message": "Start again."}})
        return httpx.Response(200, json={"events": [], "cursor": "fresh", "more": False})

    store = MemoryStore()
    store.set_cursor("sealed-with-the-old-secret")
    runner = SyncRunner(store, "http://portal.test", "token", transport=httpx.MockTransport(server))
    try:
        await runner.pull_all()
    finally:
        await runner.stop()
    assert asked == ["sealed-with-the-old-secret", None]
    assert store.cursor() == "fresh"


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_server_trouble_is_retried(status: int) -> None:
    with pytest.raises(ServerTrouble):
        SyncEngine().receive_pull(HttpResponse(status, None, retry_after=7), NOW)


def test_nonsense_from_the_server_is_trouble_not_data() -> None:
    with pytest.raises(ServerTrouble):
        SyncEngine().receive_pull(HttpResponse(200, {"events": "no"}), NOW)


def outbox_message() -> OutboxItem:
    return OutboxItem(str(uuid.uuid4()), "message", CASE_ID, NOW, body="Any news?")


def test_each_outbox_item_becomes_its_idempotent_request() -> None:
    engine = SyncEngine()
    item = outbox_message()
    put = engine.send(item)
    assert (put.method, put.path, put.body) == ("PUT", f"/v1/cases/{CASE_ID}/messages/{item.id}", {"body": "Any news?"})
    ask = engine.send(OutboxItem("r1", "update_request", CASE_ID, NOW, body="please"))
    assert (ask.method, ask.path) == ("POST", f"/v1/cases/{CASE_ID}/update-requests")
    read = engine.send(OutboxItem("k1", "read", CASE_ID, NOW, up_to_seq=9))
    assert read.body == {"up_to_seq": 9}


@pytest.mark.parametrize("status", [200, 201])
def test_a_stored_message_replaces_the_local_echo(status: int) -> None:
    item = outbox_message()
    changes = SyncEngine().receive_send(item, HttpResponse(status, wire_message(12, item.id)), NOW)
    assert changes.remove_outbox == [item.id]
    assert [(m.client_msg_id, m.seq, m.state) for m in changes.messages] == [(item.id, 12, "sent")]


def test_a_refused_message_is_not_sent_and_says_why() -> None:
    item = outbox_message()
    refused = HttpResponse(409, {"error": {"code": "client_msg_id_reused", "message": "Send it with a new id."}})
    changes = SyncEngine().receive_send(item, refused, NOW)
    assert changes.remove_outbox == []
    assert changes.put_outbox[0].failed == "Send it with a new id."
    assert changes.message_states == [(item.id, "failed", "Send it with a new id.")]


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_a_send_that_met_server_trouble_stays_queued(status: int) -> None:
    with pytest.raises(ServerTrouble):
        SyncEngine().receive_send(outbox_message(), HttpResponse(status), NOW)


def test_back_off_is_jittered_grows_is_capped_and_honours_retry_after() -> None:
    engine = SyncEngine(rng=random.Random(1))
    waits = [engine.network_failed(NOW) for _ in range(12)]
    assert all(0 <= w <= BACKOFF_CAP_SECONDS for w in waits)
    assert engine.state == "offline"
    assert engine.network_failed(NOW, retry_after=90) >= 90
    engine.network_back()
    assert (engine.failures, engine.state) == (0, "syncing")
    assert engine.network_failed(NOW) <= 1.0


def test_the_state_a_message_shows() -> None:
    case = Case(
        CASE_ID,
        "4326",
        "Burglary",
        "investigating",
        "",
        date(2026, 11, 25),
        OfficerContact("o", "PC", "1", "", ""),
        officer_read_seq=5,
    )
    mine = Message("m", CASE_ID, "victim", "Alex", "hi", NOW, seq=5)
    assert shown_state(mine, case, me="victim") == "read"
    assert shown_state(Message("m2", CASE_ID, "victim", "Alex", "hi", NOW, seq=6), case, me="victim") == "sent"
    assert (
        shown_state(Message("m3", CASE_ID, "victim", "Alex", "hi", NOW, state="sending"), case, me="victim")
        == "sending"
    )
    assert (
        shown_state(Message("m4", CASE_ID, "victim", "Alex", "hi", NOW, state="failed"), case, me="victim") == "failed"
    )


def test_read_marks_only_move_forward() -> None:
    case = Case(
        CASE_ID, "4326", "Burglary", "investigating", "", date(2026, 11, 25), OfficerContact("o", "PC", "1", "", "")
    )
    read = with_read_mark(case, "officer", 7)
    assert read.officer_read_seq == 7
    assert with_read_mark(read, "officer", 3).officer_read_seq == 7
    assert with_read_mark(read, "victim", 4).victim_read_seq == 4


def test_the_officers_reply_time_and_away_message_reach_the_app() -> None:
    away = {**wire_case(), "officer": {**OFFICER, "reply_within_hours": 72, "away_message": "On leave until Monday."}}
    changes = SyncEngine().receive_pull(page({"kind": "case", "seq": 1, "case_id": CASE_ID, "case": away}), NOW)
    officer = changes.cases[0].officer
    assert (officer.reply_within_hours, officer.away_message) == (72, "On leave until Monday.")
    assert officer.back_on is None  # an older server sends no date back


def test_the_date_the_officer_is_back_reaches_the_app() -> None:
    away = {**wire_case(), "officer": {**OFFICER, "away_message": "On leave.", "back_on": "2026-12-07"}}
    changes = SyncEngine().receive_pull(page({"kind": "case", "seq": 1, "case_id": CASE_ID, "case": away}), NOW)
    assert changes.cases[0].officer.back_on == date(2026, 12, 7)
