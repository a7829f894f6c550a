"""Closing a case with its outcome: everyone sees the outcome's code and, where the outcome allows
a Victims' Right to Review, the last day to ask, 3 months from being told."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from sync.protocol import Role
from tests.support import Api, FakeClock, Officer, Victim


@pytest.fixture
def clock() -> FakeClock:
    # Told on 29 November 2026: the window ends on the last day of February (no 29th in 2027).
    return FakeClock(datetime(2026, 11, 29, 10, 0, tzinfo=UTC))


@pytest.fixture
async def people(api: Api) -> tuple[Officer, Victim]:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    return officer, await api.victim_with_case(officer)


async def signed_in_again(api: Api, officer: Officer) -> Officer:
    return replace(officer, token=await api.login(officer.force, officer.username))


async def close(api: Api, officer: Officer, case_id: str, outcome: str) -> dict[str, object]:
    response = await api.client.post(
        f"/cases/{case_id}/updates",
        json={"status": "closed", "closed_outcome": outcome, "text": "Closing the case."},
        headers=officer.auth,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_no_further_action_gives_the_victim_a_review_window(api: Api, people: tuple[Officer, Victim]) -> None:
    officer, victim = people
    head = (await api.sync(victim))["cursor"]

    entry = await close(api, officer, victim.case_id, "no_further_action")

    assert entry["closed_outcome"] == "no_further_action"
    for who in (victim, officer):
        shown = (await api.client.get(f"/cases/{victim.case_id}", headers=who.auth)).json()
        assert shown["status"] == "closed"
        assert shown["closed_outcome"] == "no_further_action"
        assert shown["closed_at"] == "2026-11-29T10:00:00Z"
        assert shown["right_to_review_until"] == "2027-02-28"
    events = (await api.sync(victim, head))["events"]
    case_event = next(e for e in events if e["kind"] == "case")
    assert case_event["case"]["right_to_review_until"] == "2027-02-28"
    assert next(e for e in events if e["kind"] == "update")["update"]["closed_outcome"] == "no_further_action"


async def test_outcomes_without_a_review_give_no_window(api: Api, people: tuple[Officer, Victim]) -> None:
    officer, victim = people

    await close(api, officer, victim.case_id, "charged")

    shown = (await api.client.get(f"/cases/{victim.case_id}", headers=victim.auth)).json()
    assert (shown["closed_outcome"], shown["right_to_review_until"]) == ("charged", None)
    assert shown["closed_at"] == "2026-11-29T10:00:00Z"


async def test_reopening_clears_the_outcome_and_closing_again_restarts_the_window(
    api: Api, people: tuple[Officer, Victim], clock: FakeClock
) -> None:
    officer, victim = people
    path = f"/cases/{victim.case_id}"
    await close(api, officer, victim.case_id, "no_suspect")

    clock.advance(days=10)
    officer = await signed_in_again(api, officer)  # sessions last 12 hours
    reopened = await api.client.post(
        f"{path}/updates", json={"status": "investigating", "text": "New CCTV found."}, headers=officer.auth
    )
    assert reopened.status_code == 201, reopened.text
    shown = (await api.client.get(path, headers=officer.auth)).json()
    assert (shown["closed_outcome"], shown["closed_at"], shown["right_to_review_until"]) == (None, None, None)
    assert shown["next_update_due"] is not None

    clock.advance(days=5)
    officer = await signed_in_again(api, officer)
    await close(api, officer, victim.case_id, "no_suspect")
    shown = (await api.client.get(path, headers=officer.auth)).json()
    assert shown["right_to_review_until"] == date(2027, 3, 14).isoformat()


async def test_a_new_outcome_on_a_closed_case_restarts_the_window(
    api: Api, people: tuple[Officer, Victim], clock: FakeClock
) -> None:
    officer, victim = people
    await close(api, officer, victim.case_id, "charged")
    clock.advance(days=31)
    officer = await signed_in_again(api, officer)

    await close(api, officer, victim.case_id, "no_further_action")

    shown = (await api.client.get(f"/cases/{victim.case_id}", headers=officer.auth)).json()
    assert (shown["closed_outcome"], shown["right_to_review_until"]) == ("no_further_action", "2027-03-30")


async def test_only_the_cases_officers_may_close_it(api: Api, people: tuple[Officer, Victim]) -> None:
    officer, victim = people
    colleague = await api.add_officer("tvp", "pc2")
    admin = await api.add_officer("tvp", "admin", role=Role.ADMIN)
    body = {"status": "closed", "closed_outcome": "no_further_action"}
    path = f"/cases/{victim.case_id}/updates"

    refused = [
        (await api.client.post(path, json=body, headers=who.auth)).status_code for who in (colleague, admin, victim)
    ]
    bad = await api.client.post(path, json={**body, "closed_outcome": "dropped"}, headers=officer.auth)

    assert refused == [404, 403, 403]
    assert bad.status_code == 422
    shown = (await api.client.get(f"/cases/{victim.case_id}", headers=officer.auth)).json()
    assert (shown["status"], shown["closed_outcome"], shown["right_to_review_until"]) == ("assigned", None, None)
