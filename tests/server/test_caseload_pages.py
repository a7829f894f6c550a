"""The caseload a page at a time: the order cases need attention in, views, search, keyset
paging, and a force of 10,000 cases read from an index rather than a scan."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from sync.protocol import Role
from sync.server.models import case, force, victim
from sync.server.services import attention
from tests.support import Api, Officer

FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
async def officer(api: Api) -> Officer:
    api.clock.now = FRIDAY
    api.create_force("tvp", "Thames Valley Police")
    return await api.add_officer("tvp", "pc1")


async def page(api: Api, who: Officer, **params: Any) -> dict[str, Any]:
    response = await api.client.get("/cases", params=params, headers=who.auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def references(body: dict[str, Any]) -> list[str]:
    return [c["crime_reference"] for c in body["data"]]


async def test_the_caseload_comes_most_overdue_first_and_closed_last(api: Api, officer: Officer) -> None:
    later = await api.create_case(officer, crime_reference="REF-LATER", reported_on="2026-11-26")  # due 1 Dec
    overdue = await api.create_case(officer, crime_reference="REF-OVERDUE", reported_on="2026-11-01")  # 6 Nov
    closing = await api.create_case(officer, crime_reference="REF-CLOSED", reported_on="2026-10-01")
    await api.client.post(
        f"/cases/{closing['id']}/updates",
        json={"status": "closed", "closed_outcome": "no_suspect", "text": "No suspect."},
        headers=officer.auth,
    )
    soon = await api.create_case(officer, crime_reference="REF-SOON", reported_on="2026-11-24")  # due 29 Nov
    assert references(await page(api, officer)) == ["REF-OVERDUE", "REF-SOON", "REF-LATER", "REF-CLOSED"]
    assert references(await page(api, officer, view="open")) == ["REF-OVERDUE", "REF-SOON", "REF-LATER"]
    assert references(await page(api, officer, view="closed")) == ["REF-CLOSED"]
    # An update moves the case back in the queue: its next update is 28 days away.
    await api.client.post(f"/cases/{overdue['id']}/updates", json={"text": "CCTV requested."}, headers=officer.auth)
    assert references(await page(api, officer, view="open")) == ["REF-SOON", "REF-LATER", "REF-OVERDUE"]
    assert {later["id"], soon["id"]} <= {c["id"] for c in (await page(api, officer))["data"]}


async def test_needing_attention_is_overdue_due_today_asked_for_or_unread(api: Api, officer: Officer) -> None:
    api.clock.now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    await api.create_case(officer, crime_reference="REF-QUIET", reported_on="2026-11-26")  # due 1 Dec: quiet
    await api.create_case(officer, crime_reference="REF-TODAY", reported_on="2026-11-22")  # due 27 Nov: today
    asked = await api.victim_with_case(officer, crime_reference="REF-ASKED", reported_on="2026-11-26")
    wrote = await api.victim_with_case(officer, crime_reference="REF-WROTE", reported_on="2026-11-26")
    await api.client.post(f"/cases/{asked.case_id}/update-requests", json={}, headers=asked.auth)
    await api.send(wrote, wrote.case_id, "Is there any news?")

    attention_page = await page(api, officer, view="attention")
    assert set(references(attention_page)) == {"REF-TODAY", "REF-ASKED", "REF-WROTE"}
    counts = (await api.client.get("/cases/counts", headers=officer.auth)).json()
    assert counts == {"attention": 3, "open": 4, "closed": 0}

    # Reading the message and answering the request take those two off the list.
    newest = (await api.client.get(f"/cases/{wrote.case_id}/messages", headers=officer.auth)).json()[-1]["seq"]
    await api.client.post(f"/cases/{wrote.case_id}/read", json={"up_to_seq": newest}, headers=officer.auth)
    await api.client.post(
        f"/cases/{asked.case_id}/updates", json={"text": "A suspect is in custody."}, headers=officer.auth
    )
    assert references(await page(api, officer, view="attention")) == ["REF-TODAY"]


async def test_officers_page_their_own_cases_and_supervisors_the_force(api: Api, officer: Officer) -> None:
    colleague = await api.add_officer("tvp", "pc2")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    admin = await api.add_officer("tvp", "admin", Role.ADMIN)
    for n in range(3):
        await api.create_case(officer, crime_reference=f"MINE-{n}")
        await api.create_case(colleague, crime_reference=f"THEIRS-{n}")
    assert sorted(references(await page(api, officer))) == ["MINE-0", "MINE-1", "MINE-2"]
    assert len((await page(api, sergeant))["data"]) == 6
    assert (await api.client.get("/cases", headers=admin.auth)).status_code == 403
    assert (await api.client.get("/cases/counts", headers=admin.auth)).status_code == 403


async def test_search_finds_a_crime_reference_or_part_of_a_name(api: Api, officer: Officer) -> None:
    await api.create_case(
        officer, crime_reference="43/1234/26", victim={"name": "Alex Morgan", "phone": "07700 900001"}
    )
    await api.create_case(officer, crime_reference="43/9999/26", victim={"name": "Sam Patel", "phone": "07700 900002"})
    assert references(await page(api, officer, q="43/1234/26")) == ["43/1234/26"]
    assert references(await page(api, officer, q="  patel ")) == ["43/9999/26"]
    assert references(await page(api, officer, q="sam")) == ["43/9999/26"]
    assert references(await page(api, officer, q="%_")) == []
    refused = await api.client.get("/cases", params={"q": "a\x00b"}, headers=officer.auth)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_request"


async def test_pages_follow_each_other_without_gaps_or_repeats(api: Api, officer: Officer) -> None:
    made = [await api.create_case(officer, crime_reference=f"REF-{n:02d}", reported_on="2026-11-20") for n in range(7)]
    seen: list[str] = []
    cursor = None
    while True:
        body = await page(api, officer, limit=3, **({"cursor": cursor} if cursor else {}))
        assert body["count"] == len(body["data"]) <= 3
        seen += [c["id"] for c in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(c["id"] for c in made)
    assert len(seen) == len(set(seen))
    for bad in ("nonsense", "A" * 60):
        refused = await api.client.get("/cases", params={"cursor": bad}, headers=officer.auth)
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "invalid_cursor"
    too_many = await api.client.get("/cases", params={"limit": 101}, headers=officer.auth)
    assert too_many.status_code == 422


def _many_cases(api: Api, officer: Officer, count: int) -> None:
    """``count`` cases straight into the database (the API would take minutes), each with its queue place."""
    officer_id = uuid.UUID(officer.id)

    def insert(conn: sa.Connection) -> None:
        force_id = conn.execute(sa.select(force.c.id).where(force.c.code == officer.force)).scalar_one()
        victims, cases = [], []
        for n in range(count):
            victim_id, case_id = uuid.uuid4(), uuid.uuid4()
            due = FRIDAY + timedelta(minutes=n * 7 % 50_000)
            victims.append(
                {
                    "id": victim_id,
                    "force_id": force_id,
                    "name": f"Victim {n}",
                    "phone": "+447700900001",
                    "email": None,
                    "preferred_channel": "sms",
                    "safe_contact_notes": "",
                    "enhanced_rights": False,
                    "created_at": FRIDAY,
                }
            )
            cases.append(
                {
                    "id": case_id,
                    "force_id": force_id,
                    "crime_reference": f"BULK{n:06d}",
                    "crime_type": "Theft",
                    "status": "investigating",
                    "summary": "",
                    "reported_on": date(2026, 11, 1),
                    "officer_id": officer_id,
                    "victim_id": victim_id,
                    "created_at": FRIDAY,
                    "updated_at": FRIDAY,
                    "next_update_due": due,
                    "queue_position": attention.queue_position(closed=False, next_due=due, updated_at=FRIDAY),
                }
            )
        conn.execute(sa.insert(victim), victims)
        conn.execute(sa.insert(case), cases)

    api.services.db.run_write(insert)


async def test_a_force_of_ten_thousand_cases_is_read_a_page_at_a_time_from_an_index(
    api: Api, officer: Officer, database_url: str
) -> None:
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    _many_cases(api, officer, 10_000)
    first = await page(api, sergeant, limit=100)
    assert first["count"] == 100
    dues = [c["next_update_due"] for c in first["data"]]
    assert dues == sorted(dues)
    second = await page(api, sergeant, limit=100, cursor=first["next_cursor"])
    assert not {c["id"] for c in first["data"]} & {c["id"] for c in second["data"]}
    assert second["data"][0]["next_update_due"] >= dues[-1]
    assert references(await page(api, sergeant, q="BULK004321")) == ["BULK004321"]

    def plan(conn: sa.Connection) -> str:
        conn.exec_driver_sql("ANALYZE")
        force_id = conn.execute(sa.select(case.c.force_id).limit(1)).scalar_one()
        page_of_the_force = 'SELECT id FROM "case" WHERE force_id = {} ORDER BY queue_position, id LIMIT 100'
        if conn.dialect.name == "postgresql":
            rows = conn.exec_driver_sql("EXPLAIN " + page_of_the_force.format("%(f)s"), {"f": force_id}).all()
        else:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + page_of_the_force.format("?"), (force_id.hex,)).all()
        return "\n".join(" ".join(str(part) for part in row) for row in rows)

    shown = api.services.db.run_write(plan)
    # Both databases walk the caseload's index: no scan of the whole table, no sort of it.
    assert "ix_case_force_id_queue_position_id" in shown, (database_url, shown)
    assert "Seq Scan" not in shown, shown
    assert "TEMP B-TREE" not in shown, shown
