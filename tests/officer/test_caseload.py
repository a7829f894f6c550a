"""The officer's caseload (app/caseload.py): its order and filters on the store, and kept
current by the real SyncRunner's long-poll against the real backend, offline included."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from app.caseload import Caseload
from app.domain import VictimDetails
from app.store.memory import MemoryStore
from tests.officer.conftest import Device
from tests.store.conftest import a_case, a_message
from tests.support import Api, FakeClock

NOW = datetime(2026, 12, 2, 10, tzinfo=UTC)  # a Wednesday morning, UK time


def test_the_caseload_sorts_overdue_then_due_today_then_unread_then_the_rest() -> None:
    store = MemoryStore()
    later = NOW + timedelta(days=9)

    def case(case_id: str, name: str, due: datetime | None, **changes: object) -> None:
        victim = VictimDetails(name)
        store.put_cases(
            [a_case(case_id, crime_reference=f"REF-{case_id}", next_update_due=due, victim=victim, **changes)]
        )

    case("rest", "Rowan Rest", later)
    case("unread", "Uma Unread", later)
    store.put_messages([a_message(1, "unread", seq=1)])  # from the victim, not read by the officer
    case("today", "Toni Today", NOW + timedelta(hours=5))
    case("overdue-most", "Olu Overdue", NOW - timedelta(days=3))
    case("overdue", "Ola Overdue", NOW - timedelta(hours=1))
    case("asked", "Ash Asked", later, requests_due=(NOW - timedelta(minutes=5),))  # a request, overdue
    case("closed", "Cal Closed", None, status="closed", closed_outcome="no_suspect")
    caseload = Caseload(lambda: store, FakeClock(NOW))

    caseload.show("open")
    rows = caseload.rows()
    assert [r.case.id for r in rows] == ["overdue-most", "overdue", "asked", "today", "unread", "rest"]
    assert [r.urgency for r in rows] == ["overdue", "overdue", "overdue", "today", "unread", "rest"]
    assert rows[-2].unread == 1

    assert caseload.counts() == {"attention": 5, "open": 6, "closed": 1}
    caseload.show("attention")
    assert [r.case.id for r in caseload.rows()] == ["overdue-most", "overdue", "asked", "today", "unread"]
    caseload.show("closed")
    assert [r.case.id for r in caseload.rows()] == ["closed"]

    caseload.show("open")
    caseload.search("ref-TODAY")  # a crime reference, case and spaces ignored
    assert [r.case.id for r in caseload.rows()] == ["today"]
    caseload.search("ola")  # part of a name
    assert [r.case.id for r in caseload.rows()] == ["overdue"]
    assert caseload.counts() == {"attention": 1, "open": 1, "closed": 0}  # the counts follow the search
    found = caseload.find(" ref-asked ")
    assert found is not None
    assert found.case.id == "asked"


def test_a_message_read_by_the_officer_is_no_longer_unread() -> None:
    store = MemoryStore()
    store.put_cases([a_case("c", next_update_due=NOW + timedelta(days=9), victim=VictimDetails("V"))])
    store.put_messages([a_message(1, "c", seq=4)])
    caseload = Caseload(lambda: store, FakeClock(NOW))
    assert caseload.rows()[0].urgency == "unread"
    case = store.case("c")
    assert case is not None
    store.put_cases([replace(case, officer_read_seq=4)])
    assert caseload.all_rows()[0].urgency == "rest"
    assert caseload.rows() == []  # nothing needs attention now


async def test_the_caseload_is_live_through_the_sync_long_poll_and_cached_offline(backend: Api, device: Device) -> None:
    officer = await backend.add_officer("tvp", "pc1")
    created = await backend.create_case(officer, victim={"name": "Alex Morgan", "phone": "07700 900123"})
    victim = await backend.sign_in_victim(officer, created["id"])
    await device.sign_in("tvp", "pc1", secret=backend.authenticators[("tvp", "pc1")])
    caseload = device.officer.caseload
    caseload.show("open")
    await device.settle(lambda: len(caseload.rows()) == 1)
    row = caseload.rows()[0]
    assert row.victim_name == "Alex Morgan"
    assert row.case.crime_reference == created["crime_reference"]
    assert row.unread == 0
    assert row.requests_due == ()

    redraws: list[int] = []
    caseload.subscribe(lambda: redraws.append(1))
    sent = await backend.send(victim, created["id"], "Has anyone been caught?")
    assert sent.status_code == 201
    await device.settle(lambda: caseload.rows()[0].unread == 1)  # through the long-poll: no reload
    assert redraws  # the screen was told to draw again
    asked = await backend.client.post(f"/cases/{created['id']}/update-requests", json={"note": ""}, headers=victim.auth)
    assert asked.status_code == 201
    await device.settle(lambda: len(caseload.rows()[0].requests_due) == 1)
    assert caseload.counts()["attention"] == 1

    # on a train: the caseload shows as last synced, and a reply waits in the outbox
    device.network.up = False
    case = device.officer.case(created["id"])
    case.type_reply("We have a suspect. I will call you today.")
    assert case.reply()
    assert [m.state for m in case.conversation() if m.mine] == ["sending"]  # at once, from the outbox
    await device.settle(lambda: device.portal.session.connection == "offline")  # the banner's cue
    assert [r.victim_name for r in caseload.rows()] == ["Alex Morgan"]
    assert [m.state for m in case.conversation() if m.mine] == ["sending"]
    device.network.up = True
    device.portal.session.refresh()
    await device.settle(lambda: [m.state for m in case.conversation() if m.mine] == ["sent"])
    page = await backend.sync(victim)
    bodies = [e["message"]["body"] for e in page["events"] if e["kind"] == "message"]
    assert bodies == ["Has anyone been caught?", "We have a suspect. I will call you today."]
    # the reply answered the update request, and the officer read the victim's message
    case.seen()
    await device.settle(lambda: caseload.rows()[0].unread == 0 and caseload.rows()[0].requests_due == ())
