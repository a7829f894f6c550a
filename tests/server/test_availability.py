"""An officer's availability: set by the officer, shown to the victims on their open cases."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from sync.server.errors import BadRequest
from sync.server.models import audit_event, event, officer
from sync.server.services.officers import check_back_on
from sync.server.victims_code import UK
from tests.server.test_access import assert_error
from tests.support import Api, World, bearer

PATH = "/officers/me/availability"
AWAY = {"reply_within_hours": 72, "away_message": "On leave until Monday 3 August. PC Walsh is covering my cases."}


def stored(api: Api, officer_id: str) -> tuple[Any, Any]:
    row = api.rows(officer, officer.c.id == uuid.UUID(officer_id))[0]
    return (row.reply_within_hours, row.away_message)


async def test_an_officer_starts_on_duty_replying_within_two_days(world: World) -> None:
    api = world.api
    pc, v = world.officers["tvp.pc1"], world.victims["tvp.v1"]
    me = (await api.client.get("/officers/me", headers=pc.auth)).json()
    assert (me["reply_within_hours"], me["away_message"]) == (48, None)
    shown = (await api.client.get(f"/cases/{v.case_id}", headers=v.auth)).json()["officer"]
    assert (shown["reply_within_hours"], shown["away_message"]) == (48, None)
    listed = (await api.client.get("/officers", headers=world.officers["tvp.sgt"].auth)).json()
    assert all(o["reply_within_hours"] == 48 and o["away_message"] is None for o in listed)


async def test_going_away_reaches_the_victims_on_open_cases_by_sync(world: World) -> None:
    api = world.api
    pc, v = world.officers["tvp.pc1"], world.victims["tvp.v1"]
    closed = await api.create_case(pc)
    closing = {"status": "closed", "closed_outcome": "no_suspect", "text": "Closed."}
    assert (await api.client.post(f"/cases/{closed['id']}/updates", json=closing, headers=pc.auth)).status_code == 201
    cursors = {who: (await api.sync(who_))["cursor"] for who, who_ in _people(world).items()}

    response = await api.client.put(PATH, json=AWAY, headers=pc.auth)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["reply_within_hours"], body["away_message"]) == (72, AWAY["away_message"])
    assert body["username"] == "pc1"  # the officer's own record, as GET /officers/me answers
    page = await api.sync(v, cursors["tvp.v1"])
    changed = [e for e in page["events"] if e["kind"] == "case"]
    assert [e["case_id"] for e in changed] == [v.case_id]
    assert changed[0]["case"]["officer"]["away_message"] == AWAY["away_message"]
    assert changed[0]["case"]["officer"]["reply_within_hours"] == 72
    officer_page = await api.sync(pc, cursors["tvp.pc1"])
    assert {e["case_id"] for e in officer_page["events"] if e["kind"] == "case"} == {v.case_id}  # not the closed one
    for who in ("tvp.v2", "hiow.v1", "tvp.pc2"):
        assert (await api.sync(_people(world)[who], cursors[who]))["events"] == [], who
    shown = (await api.client.get(f"/cases/{v.case_id}", headers=v.auth)).json()["officer"]
    assert shown["away_message"] == AWAY["away_message"]
    assert (
        await api.client.get(f"/cases/{world.victims['tvp.v2'].case_id}", headers=world.victims["tvp.v2"].auth)
    ).json()["officer"]["away_message"] is None
    assert "officer.availability" in [row.action for row in api.rows(audit_event)]

    back = await api.client.put(PATH, json={"reply_within_hours": 24, "away_message": "   "}, headers=pc.auth)
    assert back.status_code == 200
    assert (back.json()["reply_within_hours"], back.json()["away_message"]) == (24, None)
    assert stored(api, pc.id) == (24, None)


def _people(world: World) -> dict[str, Any]:
    return {name: world.anyone(name) for name in ("tvp.v1", "tvp.v2", "hiow.v1", "tvp.pc1", "tvp.pc2")}


async def test_the_same_availability_again_changes_nothing(world: World) -> None:
    api = world.api
    pc = world.officers["tvp.pc1"]
    assert (await api.client.put(PATH, json=AWAY, headers=pc.auth)).status_code == 200
    events = api.count(event)
    again = await api.client.put(PATH, json=AWAY, headers=pc.auth)
    assert again.status_code == 200
    assert again.json()["away_message"] == AWAY["away_message"]
    assert api.count(event) == events


async def test_each_officer_sets_only_their_own_and_victims_none(world: World) -> None:
    api = world.api
    events = api.count(event)
    everyone = [o.id for o in world.officers.values()]
    before = {officer_id: stored(api, officer_id) for officer_id in everyone}
    for who in ("tvp.v1", "hiow.v2"):
        assert_error(await api.client.put(PATH, json=AWAY, headers=world.victims[who].auth), 403)
    assert_error(await api.client.put(PATH, json=AWAY, headers=bearer(api.integration_keys["tvp"])), 403)
    for headers in ({}, bearer("vpo_not-a-real-token")):
        assert_error(await api.client.put(PATH, json=AWAY, headers=headers), 401)
    assert {officer_id: stored(api, officer_id) for officer_id in everyone} == before
    assert api.count(event) == events

    for who in ("hiow.sgt", "tvp.admin"):  # supervisors and admins are officers too
        assert (await api.client.put(PATH, json=AWAY, headers=world.officers[who].auth)).status_code == 200
    changed = {o: stored(api, o) for o in everyone if stored(api, o) != before[o]}
    assert set(changed) == {world.officers["hiow.sgt"].id, world.officers["tvp.admin"].id}


HOSTILE: list[Any] = [
    {"reply_within_hours": 0, "away_message": None},
    {"reply_within_hours": -5, "away_message": None},
    {"reply_within_hours": 169, "away_message": None},
    {"reply_within_hours": 10**30, "away_message": None},
    {"reply_within_hours": 48.5, "away_message": None},
    {"reply_within_hours": "two days", "away_message": None},
    {"reply_within_hours": None, "away_message": None},
    {"reply_within_hours": [48], "away_message": None},
    {"away_message": "Away"},
    {"reply_within_hours": 48},
    {"reply_within_hours": 48, "away_message": "x" * 301},
    {"reply_within_hours": 48, "away_message": "Away\u0000"},
    {"reply_within_hours": 48, "away_message": "Away\u001b[31m"},
    {"reply_within_hours": 48, "away_message": {"text": "Away"}},
    {"reply_within_hours": 48, "away_message": None, "officer_id": str(uuid.uuid4())},
    {"reply_within_hours": 48, "away_message": None, "role": "supervisor"},
    [48, None],
    "away",
    None,
]


async def test_hostile_or_malformed_availability_is_refused_and_nothing_is_stored(world: World) -> None:
    api = world.api
    pc = world.officers["tvp.pc1"]
    before, events = stored(api, pc.id), api.count(event)
    for body in HOSTILE:
        response = await api.client.put(PATH, json=body, headers=pc.auth)
        assert_error(response, 422)
        assert response.json()["error"]["code"] == "invalid_request", body
    broken = await api.client.put(
        PATH, content=b'{"reply_within_hours": 4', headers={**pc.auth, "Content-Type": "application/json"}
    )
    assert_error(broken, 400)
    assert stored(api, pc.id) == before
    assert api.count(event) == events
    longest = {"reply_within_hours": 168, "away_message": "Back soon.\nCall 101 if it cannot wait." + "x" * 262}
    assert (await api.client.put(PATH, json=longest, headers=pc.auth)).status_code == 200


def uk_today(api: Api) -> date:
    return api.clock.now.astimezone(UK).date()


def back_stored(api: Api, officer_id: str) -> Any:
    return api.rows(officer, officer.c.id == uuid.UUID(officer_id))[0].back_on


async def test_the_date_back_is_stored_and_victims_see_it_until_it_is_cleared(world: World) -> None:
    api = world.api
    pc, v = world.officers["tvp.pc1"], world.victims["tvp.v1"]
    back_on = uk_today(api) + timedelta(days=8)
    cursor = (await api.sync(v))["cursor"]

    response = await api.client.put(PATH, json={**AWAY, "back_on": back_on.isoformat()}, headers=pc.auth)

    assert response.status_code == 200, response.text
    assert response.json()["back_on"] == back_on.isoformat()
    assert back_stored(api, pc.id) == back_on
    changed = [e for e in (await api.sync(v, cursor))["events"] if e["kind"] == "case"]
    assert changed[0]["case"]["officer"]["back_on"] == back_on.isoformat()
    shown = (await api.client.get(f"/cases/{v.case_id}", headers=v.auth)).json()["officer"]
    assert (shown["away_message"], shown["back_on"]) == (AWAY["away_message"], back_on.isoformat())

    still_away = await api.client.put(PATH, json={**AWAY, "back_on": None}, headers=pc.auth)
    assert still_away.status_code == 200
    assert (still_away.json()["away_message"], still_away.json()["back_on"]) == (AWAY["away_message"], None)
    assert back_stored(api, pc.id) is None
    shown = (await api.client.get(f"/cases/{v.case_id}", headers=v.auth)).json()["officer"]
    assert shown["back_on"] is None


async def test_today_and_a_year_ahead_are_the_bounds_of_the_date_back(world: World) -> None:
    api = world.api
    pc = world.officers["tvp.pc1"]
    today = uk_today(api)
    a_year_on = date(today.year + 1, today.month, min(today.day, 28 if today.month == 2 else 31))
    for good in (today, a_year_on):
        response = await api.client.put(PATH, json={**AWAY, "back_on": good.isoformat()}, headers=pc.auth)
        assert response.status_code == 200, (good, response.text)
        assert back_stored(api, pc.id) == good
    events = api.count(event)
    refused = {
        (today - timedelta(days=1)).isoformat(): "back_on_past",
        (a_year_on + timedelta(days=1)).isoformat(): "back_on_too_far",
    }
    for bad, code in refused.items():
        response = await api.client.put(PATH, json={**AWAY, "back_on": bad}, headers=pc.auth)
        assert_error(response, 400)
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["message"].startswith("back_on: ")
    for malformed in ("next Monday", "2026-02-30", 20261207, {"day": 7}):
        assert_error(await api.client.put(PATH, json={**AWAY, "back_on": malformed}, headers=pc.auth), 422)
    without_message = {"reply_within_hours": 48, "away_message": None, "back_on": today.isoformat()}
    assert_error(await api.client.put(PATH, json=without_message, headers=pc.auth), 422)
    assert back_stored(api, pc.id) == a_year_on  # nothing half-changed by any refusal
    assert api.count(event) == events


def test_a_year_ahead_from_29_february_is_28_february() -> None:
    check_back_on(date(2029, 2, 28), date(2028, 2, 29))
    with pytest.raises(BadRequest):
        check_back_on(date(2029, 3, 1), date(2028, 2, 29))
