"""Cases, their timelines, update requests and invitations, as officers and victims see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync.protocol import Role
from sync.server.models import audit_event, invitation, update_request, victim
from tests.support import Api, Officer, bearer

FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
async def officer(api: Api) -> Officer:
    api.clock.now = FRIDAY
    api.create_force("tvp", "Thames Valley Police")
    return await api.add_officer("tvp", "pc1")


async def test_a_case_shows_the_officer_in_charge_and_officers_see_the_victim(api: Api, officer: Officer) -> None:
    case = await api.create_case(
        officer, victim={"name": "Alex Morgan", "phone": "07700 900123", "safe_contact_notes": "Text only"}
    )
    assert case["officer"]["name"] == "Officer pc1"
    assert case["officer"]["collar_number"]
    assert case["officer"]["phone"].startswith("+44")
    assert case["victim"]["phone"] == "+447700900123"
    assert case["victim"]["safe_contact_notes"] == "Text only"
    assert case["status"] == "assigned"
    victim_token = (await api.sign_in_victim(officer, case["id"])).token
    own = (await api.client.get(f"/cases/{case['id']}", headers=bearer(victim_token))).json()
    assert own["victim"] is None
    assert own["notifications"] is None
    assert own["officer"] == case["officer"]


async def test_crime_references_are_unique_within_a_force_only(api: Api, officer: Officer) -> None:
    api.create_force("hiow", "Hampshire & Isle of Wight Constabulary")
    other = await api.add_officer("hiow", "pc1")
    await api.create_case(officer, crime_reference="43260000001")
    again = await api.client.post(
        "/cases",
        json={
            "crime_reference": "43260000001",
            "crime_type": "Theft",
            "reported_on": "2026-11-01",
            "victim": {"name": "P", "phone": "07700 900001"},
        },
        headers=officer.auth,
    )
    assert again.status_code == 409
    await api.create_case(other, crime_reference="43260000001")


async def test_reported_in_the_future_is_refused(api: Api, officer: Officer) -> None:
    tomorrow = (FRIDAY + timedelta(days=1)).date().isoformat()
    response = await api.client.post(
        "/cases",
        json={
            "crime_reference": "43260000002",
            "crime_type": "Theft",
            "reported_on": tomorrow,
            "victim": {"name": "P", "phone": "07700 900001"},
        },
        headers=officer.auth,
    )
    assert response.status_code == 400
    assert api.count(victim) == 0


async def test_the_timeline_and_closing_a_case(api: Api, officer: Officer) -> None:
    case = await api.create_case(officer)
    path = f"/cases/{case['id']}/updates"
    assert (await api.client.post(path, json={}, headers=officer.auth)).json()["error"]["code"] == "empty_update"
    assert (await api.client.post(path, json={"status": "closed"}, headers=officer.auth)).json()["error"][
        "code"
    ] == "outcome_missing"
    wrong = await api.client.post(path, json={"closed_outcome": "charged", "text": "x"}, headers=officer.auth)
    assert wrong.json()["error"]["code"] == "invalid_outcome"
    first = await api.client.post(
        path, json={"status": "investigating", "text": "CCTV requested"}, headers=officer.auth
    )
    assert first.status_code == 201
    assert (first.json()["status_from"], first.json()["status_to"]) == ("assigned", "investigating")
    closed = await api.client.post(
        path,
        json={"status": "closed", "closed_outcome": "no_suspect", "text": "No suspect found."},
        headers=officer.auth,
    )
    assert closed.status_code == 201
    timeline = (await api.client.get(path, headers=officer.auth)).json()
    assert [u["text"] for u in timeline] == ["CCTV requested", "No suspect found."]
    now = (await api.client.get(f"/cases/{case['id']}", headers=officer.auth)).json()
    assert (now["status"], now["closed_outcome"], now["next_update_due"]) == ("closed", "no_suspect", None)


async def test_when_the_next_update_is_due(api: Api, officer: Officer) -> None:
    reported = "2026-11-26"
    standard = await api.create_case(officer, reported_on=reported)
    enhanced = await api.create_case(
        officer, reported_on=reported, victim={"name": "J", "phone": "07700 900002", "enhanced_rights": True}
    )
    assert standard["next_update_due"] == "2026-12-01T00:00:00Z"
    assert enhanced["next_update_due"] == "2026-11-27T00:00:00Z"
    await api.client.post(f"/cases/{standard['id']}/updates", json={"text": "x"}, headers=officer.auth)
    await api.client.post(f"/cases/{enhanced['id']}/updates", json={"text": "x"}, headers=officer.auth)
    after_standard = (await api.client.get(f"/cases/{standard['id']}", headers=officer.auth)).json()
    after_enhanced = (await api.client.get(f"/cases/{enhanced['id']}", headers=officer.auth)).json()
    assert after_standard["next_update_due"] == "2026-12-25T10:00:00Z"  # + 28 days
    assert after_enhanced["next_update_due"] == "2026-12-07T10:00:00Z"  # + 10 days


async def test_update_requests_are_due_in_working_days_and_answered_by_the_officer(api: Api, officer: Officer) -> None:
    standard = await api.victim_with_case(officer)
    enhanced = await api.victim_with_case(
        officer, victim={"name": "J", "phone": "07700 900002", "enhanced_rights": True}
    )
    asked = await api.client.post(
        f"/cases/{standard.case_id}/update-requests", json={"note": "Any news?"}, headers=standard.auth
    )
    assert asked.status_code == 201
    assert asked.json()["due_at"] == "2026-12-04T10:00:00Z"  # Friday + 5 working days
    urgent = await api.client.post(f"/cases/{enhanced.case_id}/update-requests", json={}, headers=enhanced.auth)
    assert urgent.json()["due_at"] == "2026-11-30T10:00:00Z"  # Friday + 1 working day: Monday

    again = await api.client.post(f"/cases/{standard.case_id}/update-requests", json={}, headers=standard.auth)
    assert again.json()["id"] == asked.json()["id"]
    assert api.count(update_request) == 2
    seen = (await api.client.get(f"/cases/{standard.case_id}", headers=officer.auth)).json()
    assert [r["note"] for r in seen["open_update_requests"]] == ["Any news?"]
    assert seen["next_update_due"] == "2026-12-01T00:00:00Z"  # the earlier of the schedule and the request

    await api.client.post(
        f"/cases/{standard.case_id}/updates", json={"text": "We have a suspect."}, headers=officer.auth
    )
    await api.send(officer, enhanced.case_id, "I'll call you this afternoon.")
    for case_id in (standard.case_id, enhanced.case_id):
        assert (await api.client.get(f"/cases/{case_id}", headers=officer.auth)).json()["open_update_requests"] == []
    assert all(row.answered_at is not None for row in api.rows(update_request))

    refused = await api.client.post(f"/cases/{standard.case_id}/update-requests", json={}, headers=officer.auth)
    assert refused.status_code == 403
    await api.client.post(
        f"/cases/{standard.case_id}/updates",
        json={"status": "closed", "closed_outcome": "charged"},
        headers=officer.auth,
    )
    closed = await api.client.post(f"/cases/{standard.case_id}/update-requests", json={}, headers=standard.auth)
    assert closed.status_code == 409


async def test_invitations_carry_a_link_and_no_case_details(api: Api, officer: Officer) -> None:
    case = await api.create_case(officer, crime_type="Burglary (home)")
    response = await api.client.post(f"/cases/{case['id']}/invitations", json={}, headers=officer.auth)
    assert response.status_code == 201
    assert response.json()["delivery"]["status"] == "sent"
    assert response.json()["expires_at"] == (FRIDAY + timedelta(days=14)).isoformat().replace("+00:00", "Z")
    (sent,) = [n for n in api.notifications() if n["purpose"] == "invitation"]
    token = api.last_invitation_token()
    assert f"https://portal.example.test/i/{token}" in sent["body"]
    assert case["crime_reference"] not in sent["body"]
    assert "Burglary" not in sent["body"]
    (row,) = api.rows(invitation)
    assert token not in str(tuple(row))
    by_email = await api.client.post(
        f"/cases/{case['id']}/invitations", json={"channel": "email"}, headers=officer.auth
    )
    assert by_email.status_code == 400
    assert by_email.json()["error"]["code"] == "victim_contact_missing"


async def test_officers_are_added_by_admins(api: Api, officer: Officer) -> None:
    admin = await api.add_officer("tvp", "admin", Role.ADMIN)
    body = {
        "username": "pc.new",
        "name": "PC New",
        "collar_number": "7001",
        "email": "n@example.org",
        "phone": "01632 960002",
    }
    created = await api.client.post("/officers", json=body, headers=admin.auth)
    assert created.status_code == 201
    assert created.json()["role"] == "officer"
    assert created.json()["active"] is True
    assert "password" not in created.text
    assert (await api.client.post("/officers", json=body, headers=admin.auth)).status_code == 409
    # Nobody chooses another person's password: the officer does, with their set-up code.
    assert (
        await api.client.post(
            "/officers", json={**body, "username": "x.y", "password": "a-long-enough-one"}, headers=admin.auth
        )
    ).status_code == 422
    listed = await api.client.get("/officers", headers=admin.auth)
    assert {o["username"] for o in listed.json()} == {"pc1", "admin", "pc.new"}


async def test_officers_reads_and_changes_are_audited(api: Api, officer: Officer) -> None:
    case = await api.create_case(officer)
    await api.client.get(f"/cases/{case['id']}", headers=officer.auth)
    await api.client.post(f"/cases/{case['id']}/updates", json={"text": "x"}, headers=officer.auth)
    await api.client.post(f"/cases/{case['id']}/invitations", json={}, headers=officer.auth)
    await api.send(officer, case["id"], "hello")
    rows = [r for r in api.rows(audit_event) if r.case_id is not None and str(r.case_id) == case["id"]]
    actions = {r.action for r in rows}
    assert {"case.create", "case.read", "case.update", "invitation.create", "message.send"} <= actions
    for row in rows:
        assert str(row.actor_id) == officer.id
        assert row.session_id is not None
        assert row.ip == "203.0.113.9"
