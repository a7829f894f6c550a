from __future__ import annotations

import asyncio
import base64
import time
import uuid
from datetime import UTC, datetime

import pytest

from sync.protocol import AuthorKind, ReadEvent, ReadPublic, Role, SyncPublic
from sync.server.changes import encode_cursor
from sync.server.security import Secrets
from sync.server.services import sync_pages
from tests.support import Api


async def test_sync_returns_everything_new_in_order_with_a_cursor(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)

    first = await api.sync(victim)
    kinds = [e["kind"] for e in first["events"]]
    assert "case" in kinds
    seqs = [e["seq"] for e in first["events"]]
    assert seqs == sorted(seqs)

    await api.send(victim, victim.case_id, "One")
    await api.send(officer, victim.case_id, "Two")
    await api.client.post(f"/cases/{victim.case_id}/updates", json={"text": "Three"}, headers=officer.auth)
    await api.client.post(f"/cases/{victim.case_id}/update-requests", json={}, headers=victim.auth)

    second = await api.sync(victim, first["cursor"])
    bodies = [e["message"]["body"] for e in second["events"] if e["kind"] == "message"]
    assert bodies == ["One", "Two"]
    assert any(e["kind"] == "update" and e["update"]["text"] == "Three" for e in second["events"])
    assert any(e["kind"] == "update_request" for e in second["events"])
    assert [e["seq"] for e in second["events"]] == sorted(e["seq"] for e in second["events"])
    assert min(e["seq"] for e in second["events"]) > max(seqs)

    third = await api.sync(victim, second["cursor"])
    assert third["events"] == []
    assert third["more"] is False


async def test_a_case_appears_once_per_page_in_its_latest_state(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    for status in ("investigating", "pending_outcome"):
        await api.client.post(f"/cases/{victim.case_id}/updates", json={"status": status}, headers=officer.auth)

    page = await api.sync(victim)

    case_events = [e for e in page["events"] if e["kind"] == "case"]
    assert len(case_events) == 1
    assert case_events[0]["case"]["status"] == "pending_outcome"
    assert case_events[0]["case"]["victim"] is None
    assert case_events[0] == [e for e in page["events"] if e["kind"] == "case"][-1]


async def test_each_caller_syncs_only_what_they_may_see(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    api.create_force("hiow", "Hampshire & Isle of Wight Constabulary")
    pc1 = await api.add_officer("tvp", "pc1")
    pc2 = await api.add_officer("tvp", "pc2")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    other_force = await api.add_officer("hiow", "pc1")
    mine = await api.victim_with_case(pc1)
    theirs = await api.victim_with_case(pc2)
    await api.send(mine, mine.case_id, "for pc1")
    await api.send(theirs, theirs.case_id, "for pc2")

    def bodies(page: dict[str, object]) -> set[str]:
        events = page["events"]
        assert isinstance(events, list)
        return {e["message"]["body"] for e in events if e["kind"] == "message"}

    assert bodies(await api.sync(mine)) == {"for pc1"}
    assert bodies(await api.sync(theirs)) == {"for pc2"}
    assert bodies(await api.sync(pc1)) == {"for pc1"}
    assert bodies(await api.sync(sergeant)) == {"for pc1", "for pc2"}
    assert bodies(await api.sync(other_force)) == set()
    officer_page = await api.sync(pc1)
    assert all(e["case"]["victim"] is not None for e in officer_page["events"] if e["kind"] == "case")


async def test_paging_hands_over_everything_exactly_once(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    for n in range(30):
        await api.send(victim, victim.case_id, f"m{n}")

    monkeypatch.setattr(sync_pages, "PAGE_SIZE", 7)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = await api.sync(victim, cursor)
        pages += 1
        seen += [e["message"]["body"] for e in page["events"] if e["kind"] == "message"]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert seen == [f"m{n}" for n in range(30)]
    assert pages > 4


async def test_a_waiting_long_poll_answers_when_something_arrives(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    head = (await api.sync(victim))["cursor"]

    waiting = asyncio.create_task(api.sync(victim, head, wait=10))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    started = time.monotonic()
    await api.send(officer, victim.case_id, "Reply from the officer")
    page = await asyncio.wait_for(waiting, 5)

    assert time.monotonic() - started < 1.0
    assert [e["message"]["body"] for e in page["events"] if e["kind"] == "message"] == ["Reply from the officer"]


async def test_a_long_poll_is_not_woken_by_someone_elses_case(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    other = await api.victim_with_case(officer, victim={"name": "Sam", "phone": "07700 900999"})
    head = (await api.sync(victim))["cursor"]

    started = time.monotonic()
    waiting = asyncio.create_task(api.sync(victim, head, wait=1.0))
    await asyncio.sleep(0.2)
    await api.send(officer, other.case_id, "Not for you")
    page = await waiting

    assert page["events"] == []
    assert time.monotonic() - started >= 0.9


async def test_a_long_poll_times_out_empty_and_keeps_the_cursor_usable(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    head = (await api.sync(victim))["cursor"]

    started = time.monotonic()
    page = await api.sync(victim, head, wait=0.5)

    assert 0.4 < time.monotonic() - started < 3
    assert page["events"] == []
    await api.send(officer, victim.case_id, "After the timeout")
    after = await api.sync(victim, page["cursor"])
    assert [e["message"]["body"] for e in after["events"] if e["kind"] == "message"] == ["After the timeout"]


async def test_polls_answered_from_memory_agree_with_the_database(api: Api) -> None:
    """Once a token is known and the cursor is current, polls skip the database; they must
    still see every change the moment it is committed."""
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    cursor = (await api.sync(victim))["cursor"]
    for n in range(10):
        quiet = await api.sync(victim, cursor)
        assert quiet["events"] == []
        assert quiet["cursor"] == cursor
        await api.send(officer, victim.case_id, f"n{n}")
        page = await api.sync(victim, cursor)
        assert [e["message"]["body"] for e in page["events"] if e["kind"] == "message"] == [f"n{n}"]
        cursor = page["cursor"]


async def test_a_cursor_from_before_a_restart_is_answered_from_the_database(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    await api.send(officer, victim.case_id, "Hello")

    page = await api.sync(victim, encode_cursor(api.services.ctx.secrets, 0))

    assert any(e["kind"] == "message" for e in page["events"])


async def test_sync_refuses_bad_cursors_and_callers_without_cases(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    admin = await api.add_officer("tvp", "admin", Role.ADMIN)
    officer = await api.add_officer("tvp", "pc1")

    bad = await api.client.get("/sync", params={"since": "not-a-cursor"}, headers=officer.auth)
    too_long = await api.client.get("/sync", params={"timeout": 31}, headers=officer.auth)
    as_admin = await api.client.get("/sync", headers=admin.auth)
    as_key = await api.client.get("/sync", headers={"Authorization": f"Bearer {api.integration_keys['tvp']}"})

    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_cursor"
    assert too_long.status_code == 422
    assert as_admin.status_code == 403
    assert as_key.status_code == 403


async def test_a_cursor_tells_the_client_nothing_and_only_this_server_takes_it(api: Api) -> None:
    """The cursor holds the force's counter of changes: readable, it would show how busy the force is."""
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    for n in range(3):
        await api.send(officer, victim.case_id, f"n{n}")
    page = await api.sync(victim)
    head = max(e["seq"] for e in page["events"])
    cursor = page["cursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert str(head).encode() not in raw
    assert b"c1:" not in raw
    assert (await api.sync(victim, cursor))["events"] == []

    # A readable cursor from before they were sealed still reads (an installed app holds one).
    readable = base64.urlsafe_b64encode(f"c1:{head - 1}".encode()).decode().rstrip("=")
    assert [e["seq"] for e in (await api.sync(victim, readable))["events"]] == [head]
    forged = [base64.urlsafe_b64encode(text).decode().rstrip("=") for text in (b"c1:-5", b"c1:" + b"9" * 20)]
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    foreign = encode_cursor(Secrets("another-server-" + "y" * 32), head - 1)
    for given in (*forged, tampered, foreign):
        response = await api.client.get("/sync", params={"since": given}, headers=victim.auth)
        assert response.status_code == 400, given
        assert response.json()["error"]["code"] == "invalid_cursor"


def test_the_sync_envelope_is_a_sync_public_around_the_events_as_stored() -> None:
    case_id = uuid.uuid4()
    at = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    events = [
        ReadEvent(
            seq=seq, case_id=case_id, read=ReadPublic(case_id=case_id, reader=AuthorKind.VICTIM, up_to_seq=seq, at=at)
        )
        for seq in (3, 4)
    ]
    stored = [event.model_dump_json() for event in events]

    assert SyncPublic.model_validate_json(sync_pages.envelope(stored, 'a "cursor"', True)) == SyncPublic(
        events=list(events), cursor='a "cursor"', more=True
    )
    assert SyncPublic.model_validate_json(sync_pages.envelope((), "next", False)) == SyncPublic(
        events=[], cursor="next", more=False
    )
