"""The record system's cases: sent by crime reference, idempotently; a changed status becomes one
timeline update in the force's words, a changed officer one hand-over, even when many identical
requests arrive at once on two server processes."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from sync.protocol import Role
from sync.server.models import audit_event, case, case_update, event, victim
from sync.server.wording import status_change
from tests.conftest import fresh_database
from tests.liveserver import server
from tests.server.eligibility_support import case_body, put_rules, recorded, send_case
from tests.support import Api, FakeClock, bearer, open_api, settings_for


async def test_the_same_case_twice_is_the_same_case_and_changes_nothing(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    pc1 = await api.add_officer("tvp", "pc1")
    body = case_body(pc1, officer_id=None, officer_collar_number="101")
    first = await send_case(api, body)
    assert first.status_code == 201, first.text
    counts = [api.count(t) for t in (case, victim, case_update, event, audit_event)]
    api.clock.advance(minutes=5)
    again = await send_case(api, body)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert [api.count(t) for t in (case, victim, case_update, event, audit_event)] == counts

    # Officers still cannot open a second case with a reference already used.
    duplicate = await api.client.post("/cases", json={**body, "officer_collar_number": None}, headers=pc1.auth)
    assert duplicate.status_code == 409


async def test_a_changed_status_is_one_update_in_the_forces_words(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    pc1 = await api.add_officer("tvp", "pc1")
    body = case_body(pc1)
    created = await recorded(api, body)
    victim_session = await api.sign_in_victim(pc1, created["id"])

    body["status"] = "with_prosecutor"
    body["summary"] = "Suspect identified from CCTV."
    changed = await send_case(api, body)
    assert changed.status_code == 200
    assert (changed.json()["status"], changed.json()["summary"]) == ("with_prosecutor", "Suspect identified from CCTV.")
    assert (await send_case(api, body)).status_code == 200

    seen = (await api.client.get(f"/cases/{created['id']}/updates", headers=victim_session.auth)).json()
    assert [(u["status_from"], u["status_to"], u["text"], u["author_kind"]) for u in seen] == [
        ("assigned", "with_prosecutor", status_change("with_prosecutor", {}), "system")
    ]
    body["status"] = "closed"
    no_outcome = await send_case(api, body)
    assert no_outcome.status_code == 400
    assert no_outcome.json()["error"]["code"] == "outcome_missing"
    body["closed_outcome"] = "charged"
    closed = await send_case(api, body)
    assert (closed.json()["status"], closed.json()["closed_outcome"]) == ("closed", "charged")
    assert api.count(case_update, case_update.c.case_id == uuid.UUID(created["id"])) == 2


async def test_a_changed_officer_is_a_hand_over(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    pc1 = await api.add_officer("tvp", "pc1")
    pc2 = await api.add_officer("tvp", "pc2")
    body = case_body(pc1)
    created = await recorded(api, body)
    body["officer_id"] = pc2.id
    moved = await send_case(api, body)
    assert moved.status_code == 200
    assert moved.json()["officer"]["id"] == pc2.id
    assert (await send_case(api, body)).status_code == 200
    assert (await api.client.get(f"/cases/{created['id']}", headers=pc1.auth)).status_code == 404
    updates = (await api.client.get(f"/cases/{created['id']}/updates", headers=pc2.auth)).json()
    # the officers' own hand-over: the timeline names the new officer
    assert [(u["text"], u["handed_to"]["id"]) for u in updates] == [("", pc2.id)]
    handed = api.rows(audit_event, audit_event.c.action == "case.hand_over")
    assert [(a.detail["from_officer_id"], a.detail["to_officer_id"]) for a in handed] == [(pc1.id, pc2.id)]

    unknown = await send_case(api, {**body, "officer_id": str(uuid.uuid4())})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "officer_unknown"
    other_force = await send_case(api, {**body, "officer_id": None, "officer_collar_number": "999"})
    assert other_force.status_code == 400


async def test_bad_submissions_are_refused_whole(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    admin = await api.add_officer("tvp", "admin", Role.ADMIN)
    pc1 = await api.add_officer("tvp", "pc1")
    await put_rules(api, admin)
    body = case_body(pc1)
    await recorded(api, body)
    before = [api.count(t) for t in (case, victim, case_update, event, audit_event)]
    for bad in (
        {**body, "victim": {**body["victim"], "phone": None, "email": None}},
        {**body, "reported_on": "2999-01-01"},
        {**body, "closed_outcome": "charged"},
        {**body, "status": "closed", "crime_reference": "NEW-REF-1", "closed_outcome": "charged"},
        {**body, "victim": {**body["victim"], "age": 400}},
        {**body, "victim": {**body["victim"], "date_of_birth": "1066-10-14"}},
    ):
        response = await send_case(api, bad)
        assert 400 <= response.status_code < 500, (bad, response.text)
        assert set(response.json()["error"]) == {"code", "message"}
    assert [api.count(t) for t in (case, victim, case_update, event, audit_event)] == before


async def test_identical_changes_at_once_on_two_workers_happen_once(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    database_url = fresh_database("postgresql", request, tmp_path)
    async with open_api(database_url, tmp_path, FakeClock()) as api:
        key = api.create_force("tvp", "Thames Valley Police")
        pc1 = await api.add_officer("tvp", "pc1")
        pc2 = await api.add_officer("tvp", "pc2")
        body = case_body(pc1)
        created = await recorded(api, body)
    settings = settings_for(database_url, tmp_path)
    env = {
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": settings.secret_key.get_secret_value(),
        "PORTAL_NOTIFY_FILE": str(settings.notify_file),
    }
    fresh = case_body(pc1)  # a case not yet known, sent many times at once
    with server(env, workers=2) as url:
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=40)) as client:
            changed = {**body, "status": "investigating", "officer_id": pc2.id}
            responses = await asyncio.gather(
                *[client.post(f"{url}/cases", json=changed, headers=bearer(key)) for _ in range(12)],
                *[client.post(f"{url}/cases", json=fresh, headers=bearer(key)) for _ in range(12)],
            )
    assert sorted(r.status_code for r in responses[:12]) == [200] * 12, [r.text for r in responses]
    assert sorted(r.status_code for r in responses[12:]) == [200] * 11 + [201]
    assert len({r.json()["id"] for r in responses[12:]}) == 1
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            texts = conn.execute(
                sa.select(case_update.c.text, case_update.c.status_to).where(
                    case_update.c.case_id == uuid.UUID(created["id"])
                )
            ).all()
            fresh_cases = conn.execute(
                sa.select(sa.func.count()).select_from(case).where(case.c.crime_reference == fresh["crime_reference"])
            ).scalar_one()
    finally:
        engine.dispose()
    assert sorted(texts, key=lambda t: t.text) == sorted(
        [("", None), (status_change("investigating", {}), "investigating")],
        key=lambda t: t[0],
    )
    assert fresh_cases == 1
