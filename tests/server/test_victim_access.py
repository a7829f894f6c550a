"""The officer's view of a case: the victim's details and how they may be contacted, whether they
have signed in and when last, and their latest invitation's state, kept current through sync."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sync.protocol import Role
from tests.server.test_access import assert_error
from tests.support import Api, Officer


@pytest.fixture
async def officer(api: Api) -> Officer:
    api.create_force("tvp", "Thames Valley Police")
    return await api.add_officer("tvp", "pc1")


async def access(api: Api, officer: Officer, case_id: str) -> dict[str, Any]:
    shown = (await api.client.get(f"/cases/{case_id}", headers=officer.auth)).json()
    return dict(shown["victim_access"])


async def test_an_invitation_from_sent_to_opened_to_used(api: Api, officer: Officer) -> None:
    created = await api.create_case(
        officer, victim={"name": "Sam Hill", "phone": "07700 900777", "enhanced_rights": True}
    )
    case_id = created["id"]
    assert await access(api, officer, case_id) == {
        "signed_in": False,
        "last_signed_in_at": None,
        "last_seen_at": None,
        "invitation": None,
    }
    head = (await api.sync(officer))["cursor"]

    token = await api.invite(officer, case_id)
    sent = await access(api, officer, case_id)
    assert sent["invitation"]["state"] == "sent"
    assert sent["invitation"]["channel"] == "sms"
    # The officer's app hears of it through sync, without a reload.
    page = await api.sync(officer, head)
    case_event = [e for e in page["events"] if e["kind"] == "case"][-1]
    assert case_event["case"]["victim_access"]["invitation"]["state"] == "sent"

    redeemed = await api.redeem(token)
    assert redeemed.status_code == 201, redeemed.text
    assert (await access(api, officer, case_id))["invitation"]["state"] == "opened"
    page = await api.sync(officer, page["cursor"])
    assert [e["case"]["victim_access"]["invitation"]["state"] for e in page["events"] if e["kind"] == "case"] == [
        "opened"
    ]

    verified = await api.verify(redeemed.json()["challenge_id"], api.last_code())
    assert verified.status_code == 200, verified.text
    used = await access(api, officer, case_id)
    assert used["invitation"]["state"] == "used"
    assert used["signed_in"] is True
    assert used["last_signed_in_at"] == api.clock.now.isoformat().replace("+00:00", "Z")
    page = await api.sync(officer, page["cursor"])
    assert [e["case"]["victim_access"]["signed_in"] for e in page["events"] if e["kind"] == "case"] == [True]

    shown = (await api.client.get(f"/cases/{case_id}", headers=officer.auth)).json()
    assert shown["victim"]["name"] == "Sam Hill"
    assert shown["victim"]["phone"] == "+447700900777"
    assert shown["victim"]["enhanced_rights"] is True
    victim_token = verified.json()["token"]
    preferences = {
        "contact_channels": ["phone_call", "sms"],
        "contact_times": "Weekdays after 6pm",
        "safe_to_leave_voicemail": False,
        "news_alerts": True,
    }
    saved = await api.client.put(
        "/me/contact-preferences", json=preferences, headers={"Authorization": f"Bearer {victim_token}"}
    )
    assert saved.status_code == 200, saved.text
    shown = (await api.client.get(f"/cases/{case_id}", headers=officer.auth)).json()
    assert shown["victim"]["contact_preferences"] == preferences
    # A victim never sees this about themselves, nor their own record's notes.
    as_victim = (await api.client.get(f"/cases/{case_id}", headers={"Authorization": f"Bearer {victim_token}"})).json()
    assert as_victim["victim_access"] is None
    assert as_victim["victim"] is None


async def test_resend_withdraws_the_old_one_and_revoke_withdraws_the_new(api: Api, officer: Officer) -> None:
    case_id = (await api.create_case(officer))["id"]
    await api.invite(officer, case_id)
    first = (await access(api, officer, case_id))["invitation"]
    api.clock.advance(minutes=5)

    resent = await api.client.post(f"/cases/{case_id}/invitations", json={}, headers=officer.auth)
    assert resent.status_code == 201, resent.text
    second = (await access(api, officer, case_id))["invitation"]
    assert second["id"] == resent.json()["id"] != first["id"]
    assert second["state"] == "sent"

    revoked = await api.client.delete(f"/cases/{case_id}/invitations/{second['id']}", headers=officer.auth)
    assert revoked.status_code == 204, revoked.text
    assert (await access(api, officer, case_id))["invitation"] == {**second, "state": "withdrawn"}


async def test_an_unused_invitation_expires(api: Api, officer: Officer) -> None:
    case_id = (await api.create_case(officer))["id"]
    await api.invite(officer, case_id)

    api.clock.advance(days=api.settings.invitation_days, seconds=1)
    officer = replace(officer, token=await api.login("tvp", "pc1"))

    assert (await access(api, officer, case_id))["invitation"]["state"] == "expired"


async def test_the_victims_details_and_access_are_for_the_cases_officers_only(api: Api, officer: Officer) -> None:
    victim = await api.victim_with_case(officer)
    colleague = await api.add_officer("tvp", "pc2")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    admin = await api.add_officer("tvp", "admin", Role.ADMIN)
    api.create_force("hiow", "Hampshire & Isle of Wight Constabulary")
    elsewhere = await api.add_officer("hiow", "sgt", Role.SUPERVISOR)
    path = f"/cases/{victim.case_id}"

    assert (await access(api, sergeant, victim.case_id))["signed_in"] is True
    for who, status in ((colleague, 404), (admin, 404), (elsewhere, 404)):
        response = await api.client.get(path, headers=who.auth)
        assert_error(response, status)
        assert "Alex Morgan" not in response.text
    listed = (await api.client.get("/cases", headers=colleague.auth)).json()
    assert listed["data"] == []
    assert_error(await api.client.get("/cases", headers=admin.auth), 403)
