"""Updates from templates for the events the Victims' Code names: what each changes, the deadline
it meets for this victim, and that posting one answers the victim's waiting request."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sync.protocol import Role, UpdateTemplate
from tests.server.test_access import assert_error
from tests.support import Api, FakeClock, Officer, Victim

FRIDAY_3PM = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(FRIDAY_3PM)


@pytest.fixture
async def people(api: Api) -> tuple[Officer, Victim]:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    return officer, await api.victim_with_case(officer)


async def test_each_template_with_what_it_changes_and_the_deadline_it_meets(
    api: Api, people: tuple[Officer, Victim]
) -> None:
    officer, victim = people
    enhanced = await api.create_case(officer, victim={"name": "Sam", "phone": "07700 900777", "enhanced_rights": True})

    standard = (await api.client.get(f"/cases/{victim.case_id}/update-templates", headers=officer.auth)).json()
    urgent = (await api.client.get(f"/cases/{enhanced['id']}/update-templates", headers=officer.auth)).json()

    assert [t["template"] for t in standard["data"]] == [t.value for t in UpdateTemplate]
    by_code = {t["template"]: t for t in standard["data"]}
    assert (by_code["suspect_arrested"]["status"], by_code["suspect_arrested"]["closed_outcome"]) == (
        "investigating",
        None,
    )
    assert by_code["no_further_action"]["status"] == "closed"
    assert by_code["no_further_action"]["closed_outcome"] == "no_further_action"
    assert (by_code["case_closed"]["status"], by_code["case_closed"]["closed_outcome"]) == ("closed", None)
    assert by_code["passed_to_prosecutor"]["status"] == "with_prosecutor"
    # Friday 3pm: 5 working days is the next Friday; 1 working day (Enhanced Rights) is Monday.
    assert standard["enhanced_rights"] is False
    assert {(t["working_days"], t["due_by"]) for t in standard["data"]} == {(5, "2026-12-04T15:00:00Z")}
    assert urgent["enhanced_rights"] is True
    assert {(t["working_days"], t["due_by"]) for t in urgent["data"]} == {(1, "2026-11-30T15:00:00Z")}


async def test_an_update_from_a_template_answers_the_waiting_request(api: Api, people: tuple[Officer, Victim]) -> None:
    officer, victim = people
    asked = await api.client.post(
        f"/cases/{victim.case_id}/update-requests", json={"note": "Any news?"}, headers=victim.auth
    )
    assert asked.status_code == 201, asked.text
    waiting = (await api.client.get(f"/cases/{victim.case_id}", headers=officer.auth)).json()
    assert len(waiting["open_update_requests"]) == 1
    head = (await api.sync(victim))["cursor"]

    posted = await api.client.post(
        f"/cases/{victim.case_id}/updates",
        json={
            "template": "suspect_arrested",
            "status": "investigating",
            "text": "A man was arrested this morning. I will call you tomorrow.",  # edited
        },
        headers=officer.auth,
    )

    assert posted.status_code == 201, posted.text
    assert posted.json()["template"] == "suspect_arrested"
    after = (await api.client.get(f"/cases/{victim.case_id}", headers=officer.auth)).json()
    assert after["open_update_requests"] == []
    assert after["status"] == "investigating"
    events = (await api.sync(victim, head))["events"]
    update = next(e for e in events if e["kind"] == "update")["update"]
    assert (update["template"], update["text"]) == (
        "suspect_arrested",
        "A man was arrested this morning. I will call you tomorrow.",
    )
    timeline = (await api.client.get(f"/cases/{victim.case_id}/updates", headers=victim.auth)).json()
    assert timeline[-1]["template"] == "suspect_arrested"


async def test_a_template_cannot_say_something_else_happened(api: Api, people: tuple[Officer, Victim]) -> None:
    officer, victim = people
    path = f"/cases/{victim.case_id}/updates"

    not_closing = await api.client.post(
        path, json={"template": "no_further_action", "status": "investigating", "text": "x"}, headers=officer.auth
    )
    other_outcome = await api.client.post(
        path,
        json={"template": "no_further_action", "status": "closed", "closed_outcome": "charged"},
        headers=officer.auth,
    )
    unknown = await api.client.post(path, json={"template": "suspect_vanished", "text": "x"}, headers=officer.auth)

    for response in (not_closing, other_outcome):
        assert_error(response, 400)
        assert response.json()["error"]["code"] == "template_mismatch"
    assert_error(unknown, 422)
    assert (await api.client.get(path, headers=officer.auth)).json() == []
    closed = await api.client.post(
        path,
        json={"template": "no_further_action", "status": "closed", "closed_outcome": "no_further_action"},
        headers=officer.auth,
    )
    assert closed.status_code == 201, closed.text


async def test_who_may_read_a_cases_templates(api: Api, people: tuple[Officer, Victim]) -> None:
    _, victim = people
    colleague = await api.add_officer("tvp", "pc2")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    admin = await api.add_officer("tvp", "admin", Role.ADMIN)
    api.create_force("hiow", "Hampshire & Isle of Wight Constabulary")
    elsewhere = await api.add_officer("hiow", "sgt", Role.SUPERVISOR)
    path = f"/cases/{victim.case_id}/update-templates"

    assert (await api.client.get(path, headers=sergeant.auth)).status_code == 200
    for who, status in ((colleague, 404), (admin, 403), (victim, 403), (elsewhere, 404)):
        assert_error(await api.client.get(path, headers=who.auth), status)
