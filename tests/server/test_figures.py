"""The figures supervisors publish (GET /v1/stats)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync.protocol import Role
from tests.support import Api

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_stats_over_a_known_scenario(api: Api) -> None:
    api.clock.now = MONDAY
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    alex = await api.victim_with_case(officer)
    sam = await api.victim_with_case(officer, victim={"name": "Sam", "phone": "07700 900222"})
    await api.sign_in_victim(officer, alex.case_id)  # Alex signs in again on a second device

    await api.send(alex, alex.case_id, "first")  # 09:00
    api.clock.advance(minutes=30)
    await api.send(alex, alex.case_id, "second, still waiting")
    api.clock.advance(minutes=30)
    await api.send(officer, alex.case_id, "reply after an hour")  # 60 minutes after "first"
    await api.send(sam, sam.case_id, "hello")
    api.clock.advance(hours=2)
    await api.send(officer, sam.case_id, "reply after two hours")

    await api.client.post(f"/cases/{alex.case_id}/update-requests", json={}, headers=alex.auth)
    api.clock.advance(days=1)
    officer.token = await api.login("tvp", "pc1")  # a new shift
    answered = await api.client.post(f"/cases/{alex.case_id}/updates", json={"text": "in time"}, headers=officer.auth)
    assert answered.status_code == 201
    await api.client.post(f"/cases/{sam.case_id}/update-requests", json={}, headers=sam.auth)
    api.clock.advance(days=10)
    officer.token = await api.login("tvp", "pc1")
    sergeant.token = await api.login("tvp", "sgt")
    late = await api.client.post(f"/cases/{sam.case_id}/updates", json={"text": "late"}, headers=officer.auth)
    assert late.status_code == 201

    response = await api.client.get(
        "/stats",
        params={"from": (MONDAY - timedelta(days=1)).isoformat(), "to": (MONDAY + timedelta(days=30)).isoformat()},
        headers=sergeant.auth,
    )
    assert response.status_code == 200, response.text
    figures = response.json()
    assert figures["force_code"] == "tvp"
    assert figures["victims_logged_in"] == 2
    assert figures["victim_logins"] == 3
    assert figures["messages_from_victims"] == 3
    assert figures["messages_from_officers"] == 2
    assert figures["update_requests"] == 2
    assert figures["update_requests_answered_in_time"] == 1
    assert figures["median_first_reply_seconds"] == 5400.0  # median of 1 hour and 2 hours

    later = await api.client.get(
        "/stats",
        params={"from": (MONDAY + timedelta(days=20)).isoformat(), "to": (MONDAY + timedelta(days=30)).isoformat()},
        headers=sergeant.auth,
    )
    assert later.json()["messages_from_victims"] == 0
    assert later.json()["median_first_reply_seconds"] is None


async def test_stats_periods_must_make_sense(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    backwards = await api.client.get(
        "/stats", params={"from": "2026-11-20T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, headers=sergeant.auth
    )
    naive = await api.client.get("/stats", params={"from": "2026-11-01T00:00:00"}, headers=sergeant.auth)
    assert backwards.status_code == 400
    assert backwards.json()["error"]["code"] == "invalid_period"
    assert naive.status_code == 400


async def test_stats_refuse_times_out_of_range(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    for params in (
        {"to": "0001-01-02T00:00:00Z"},  # a month before it is before the year 1
        {"from": "0001-01-01T00:00:00+01:00", "to": "0001-01-02T00:00:00Z"},  # UTC is in year 0
        {"from": "9999-12-31T00:00:00Z", "to": "9999-12-31T23:00:00-05:00"},  # UTC is in year 10000
        {"from": "1000-01-01T00:00:00Z", "to": "1000-02-01T00:00:00Z"},
    ):
        response = await api.client.get("/stats", params=params, headers=sergeant.auth)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["error"]["code"] == "invalid_period"
