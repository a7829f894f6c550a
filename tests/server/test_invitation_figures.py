"""The supervisor's comparison of invited with not-invited cases (GET /v1/stats, ``invitations``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync.protocol import Role
from tests.support import Api

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PERIOD = {"from": (MONDAY - timedelta(days=1)).isoformat(), "to": (MONDAY + timedelta(days=12)).isoformat()}


async def test_invited_and_not_invited_cases_compared_over_a_known_world(api: Api) -> None:
    api.clock.now = MONDAY
    api.create_force("tvp", "Thames Valley Police")
    api.create_force("hiow", "Hampshire and Isle of Wight Constabulary")
    officer = await api.add_officer("tvp", "pc1")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    admin = await api.add_officer("tvp", "admin", Role.ADMIN)
    other_officer = await api.add_officer("hiow", "pc9")
    other_sergeant = await api.add_officer("hiow", "sgt9", Role.SUPERVISOR)

    # Invited: Alex (answered after an hour) and Sam (after two hours), one update request each.
    alex = await api.victim_with_case(officer)
    sam = await api.victim_with_case(officer, victim={"name": "Sam", "phone": "07700 900222"})
    # Not invited: one the officer writes to twice, one left alone, one invited only after the period.
    quiet = await api.create_case(officer, victim={"name": "Jo", "phone": "07700 900333"})
    await api.create_case(officer, victim={"name": "Kim", "phone": "07700 900444"})
    late = await api.create_case(officer, victim={"name": "Lee", "phone": "07700 900555"})
    # Another force's invited case with a quick reply: never in Thames Valley's figures.
    hampshire = await api.victim_with_case(other_officer, victim={"name": "Pat", "phone": "07700 900666"})

    await api.send(alex, alex.case_id, "first")
    api.clock.advance(minutes=30)
    await api.send(alex, alex.case_id, "second, still waiting")
    await api.send(hampshire, hampshire.case_id, "hello")
    api.clock.advance(minutes=30)
    await api.send(other_officer, hampshire.case_id, "reply after half an hour")
    await api.send(officer, alex.case_id, "reply after an hour")
    await api.send(sam, sam.case_id, "hello")
    api.clock.advance(hours=2)
    await api.send(officer, sam.case_id, "reply after two hours")
    for case_id in (quiet["id"], quiet["id"], late["id"]):
        sent = await api.send(officer, case_id, "we are looking into it")
        assert sent.status_code == 201, sent.text
    for victim in (alex, sam):
        asked = await api.client.post(f"/cases/{victim.case_id}/update-requests", json={}, headers=victim.auth)
        assert asked.status_code == 201, asked.text

    api.clock.advance(days=20)
    officer.token = await api.login("tvp", "pc1")
    await api.invite(officer, late["id"])  # after the period: not invited for the period's figures

    for who, force in ((sergeant, "tvp"), (admin, "tvp"), (other_sergeant, "hiow")):
        who.token = await api.login(force, who.username)
    response = await api.client.get("/stats", params=PERIOD, headers=sergeant.auth)
    assert response.status_code == 200, response.text
    assert response.json()["invitations"] == {
        "invited": {
            "cases": 2,
            "update_requests_per_case": 1.0,
            "victim_messages_per_case": 1.5,
            "officer_messages_per_case": 1.0,
            "median_first_reply_seconds": 5400.0,
        },
        "not_invited": {
            "cases": 3,
            "update_requests_per_case": 0.0,
            "victim_messages_per_case": 0.0,
            "officer_messages_per_case": 1.0,
            "median_first_reply_seconds": None,
        },
    }
    # An admin gets the force's figures too; a plain officer gets none.
    as_admin = await api.client.get("/stats", params=PERIOD, headers=admin.auth)
    assert as_admin.json()["invitations"] == response.json()["invitations"]
    officer_view = await api.client.get("/stats", params=PERIOD, headers=officer.auth)
    assert officer_view.status_code == 403
    assert "invitations" not in officer_view.json()

    # Hampshire's supervisor sees only Hampshire's one case.
    theirs = (await api.client.get("/stats", params=PERIOD, headers=other_sergeant.auth)).json()["invitations"]
    assert theirs["invited"]["cases"] == 1
    assert theirs["invited"]["median_first_reply_seconds"] == 1800.0
    assert theirs["not_invited"] == {
        "cases": 0,
        "update_requests_per_case": None,
        "victim_messages_per_case": None,
        "officer_messages_per_case": None,
        "median_first_reply_seconds": None,
    }


async def test_cases_closed_before_or_opened_after_the_period_are_not_compared(api: Api) -> None:
    api.clock.now = MONDAY - timedelta(days=3)
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    closed = await api.victim_with_case(officer, victim={"name": "Jo", "phone": "07700 900333"})
    closing = {"status": "closed", "closed_outcome": "no_suspect", "text": "Closed."}
    done = await api.client.post(f"/cases/{closed.case_id}/updates", json=closing, headers=officer.auth)
    assert done.status_code == 201, done.text
    api.clock.now = MONDAY
    officer.token = await api.login("tvp", "pc1")
    await api.create_case(officer)
    api.clock.advance(days=13)
    officer.token = await api.login("tvp", "pc1")
    await api.victim_with_case(officer, victim={"name": "Sam", "phone": "07700 900222"})  # after the period
    sergeant.token = await api.login("tvp", "sgt")

    response = await api.client.get("/stats", params=PERIOD, headers=sergeant.auth)
    assert response.status_code == 200, response.text
    comparison = response.json()["invitations"]
    assert (comparison["invited"]["cases"], comparison["not_invited"]["cases"]) == (0, 1)
