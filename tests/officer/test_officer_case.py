"""A case in officer mode (app/officer_case.py) and away (app/availability.py), against the
real backend; and the roles: what the app shows matches what the server allows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from app.availability import typed_date
from app.officer_case import OfficerCase
from app.officer_ports import Invitation
from sync.protocol import Role
from sync.server.victims_code import UK
from tests.officer.conftest import Device, open_device
from tests.support import Api


async def signed_in_with_a_case(backend: Api, device: Device, **victim: object) -> tuple[str, dict[str, str]]:
    officer = await backend.add_officer("tvp", "pc1")
    created = await backend.create_case(officer, victim={"name": "Alex Morgan", "phone": "07700 900123", **victim})
    signed = await backend.sign_in_victim(officer, created["id"])
    await device.sign_in("tvp", "pc1", secret=backend.authenticators[("tvp", "pc1")])
    await device.settle(lambda: device.portal.session.store.case(created["id"]) is not None)
    return created["id"], signed.auth


async def test_the_victim_and_how_they_may_be_contacted_are_on_the_case(backend: Api, device: Device) -> None:
    case_id, _ = await signed_in_with_a_case(backend, device, enhanced_rights=True, safe_contact_notes="Not after 6pm")
    case = device.officer.case(case_id).case
    assert case is not None
    assert case.victim is not None
    assert case.victim.name == "Alex Morgan"
    assert case.victim.enhanced_rights
    assert case.victim.safe_contact_notes == "Not after 6pm"
    assert case.victim.contact_channels  # their preference, as the server keeps it


async def test_an_update_from_a_template_is_edited_posted_and_reaches_the_victim(backend: Api, device: Device) -> None:
    case_id, victim_auth = await signed_in_with_a_case(backend, device)
    asked = await backend.client.post(f"/cases/{case_id}/update-requests", json={"note": ""}, headers=victim_auth)
    assert asked.status_code == 201
    state = device.officer.case(case_id)
    await state.load_templates()
    assert [o.template for o in state.offers][:2] == ["suspect_arrested", "suspect_interviewed"]
    state.choose_template("suspect_arrested")
    offer = state.offer
    assert offer is not None
    assert offer.working_days == 5  # no Enhanced Rights: the force's 5 working days
    assert offer.due_by > backend.clock.now
    words = device.officer.words.templates["suspect_arrested"]
    assert state.update_text == words.text  # filled in, and editable
    state.type_update(words.text + " He is in custody.")
    await state.post_update()
    assert state.errors == {}
    assert state.notice == device.portal.words("officer.case.update_posted")
    await device.settle(lambda: any("in custody" in u.text for u in state.timeline()))
    await device.settle(lambda: state.case is not None and state.case.requests_due == ())  # answered
    victim_view = await backend.client.get(f"/cases/{case_id}/updates", headers=victim_auth)
    assert any("in custody" in u["text"] for u in victim_view.json())


async def test_closing_asks_for_the_outcome_and_gives_the_victim_a_right_to_review_date(
    backend: Api, device: Device
) -> None:
    case_id, _ = await signed_in_with_a_case(backend, device, enhanced_rights=True)
    state = device.officer.case(case_id)
    await state.load_templates()
    assert {o.working_days for o in state.offers} == {1}  # Enhanced Rights: 1 working day
    state.choose_template("case_closed")
    assert state.needs_outcome
    await state.post_update()
    assert state.errors == {"update": device.portal.words("officer.case.outcome_missing")}
    state.choose_outcome("no_suspect")
    await state.post_update()
    assert state.errors == {}
    await device.settle(lambda: state.case is not None and state.case.status == "closed")
    case = state.case
    assert case is not None
    assert case.closed_outcome == "no_suspect"
    assert case.right_to_review_until is not None
    assert case.right_to_review_until > backend.clock.now.date()


async def test_an_empty_or_refused_update_keeps_what_was_typed(backend: Api, device: Device) -> None:
    case_id, _ = await signed_in_with_a_case(backend, device)
    state = device.officer.case(case_id)
    state.type_update("   ")
    await state.post_update()
    assert state.errors == {"update": device.portal.words("officer.case.update_empty")}
    state.type_update("x" * 5000)  # longer than the server takes
    await state.post_update()
    assert state.errors["update"].startswith("text:")  # the server's reason, beside the field
    assert state.update_text == "x" * 5000


def invitation_of(state: OfficerCase) -> Invitation | None:
    return state.invitation  # read afresh (mypy keeps an earlier assert's narrowing across an await)


async def test_the_invitation_is_sent_again_and_withdrawn(backend: Api, device: Device) -> None:
    case_id, _ = await signed_in_with_a_case(backend, device)
    state = device.officer.case(case_id)
    await state.invite()
    assert state.invitation is not None
    token = backend.last_invitation_token()

    def sent(state_now: str) -> Callable[[], bool]:
        def check() -> bool:  # the case screen says where the invitation stands, kept live by sync
            case = state.case
            note = case.access.invitation if case is not None and case.access is not None else None
            return note is not None and note.state == state_now

        return check

    await device.settle(sent("sent"))
    assert state.withdrawable is not None

    await state.withdraw_invitation()
    assert state.errors == {}
    assert invitation_of(state) is None
    await device.settle(sent("withdrawn"))
    refused = await backend.redeem(token)
    assert refused.status_code in (400, 404, 410), refused.text


async def test_away_is_set_shown_on_the_officers_own_screen_and_cleared(backend: Api, device: Device) -> None:
    await signed_in_with_a_case(backend, device)
    away = device.officer.availability
    away.type_away("")
    await away.go_away()
    assert "away" in away.errors
    away.type_away("On leave until Monday 7 December. For anything urgent call 101.")
    await away.go_away()
    profile = device.officer.profile
    assert profile is not None
    assert profile.away_message == "On leave until Monday 7 December. For anything urgent call 101."
    assert away.away_message == profile.away_message  # what the Away screen and banner show
    away.type_reply_within("999")
    await away.go_away()
    assert away.errors["reply_within"].startswith("reply_within_hours")  # the server's reason
    away.type_reply_within("24")
    await away.come_back()
    profile = device.officer.profile
    assert profile is not None
    assert profile.away_message is None
    assert profile.reply_within_hours == 24


async def test_the_date_back_is_set_kept_on_refusal_shown_and_cleared(backend: Api, device: Device) -> None:
    case_id, _ = await signed_in_with_a_case(backend, device)
    away = device.officer.availability
    today = backend.clock.now.astimezone(UK).date()
    words = device.portal.words
    away.type_away("On leave. For anything urgent call 101.")
    away.type_back_on("next Monday")
    await away.go_away()
    assert away.errors["back_on"] == words("officer.away.back_on_invalid")
    assert device.officer.profile is not None
    assert device.officer.profile.away_message is None

    yesterday = today - timedelta(days=1)
    typed = f"{yesterday.day}/{yesterday.month}/{yesterday.year}"
    away.type_back_on(typed)
    await away.go_away()
    assert away.errors["back_on"].startswith("back_on: ")  # the server's reason, beside the field
    assert "past" in away.errors["back_on"]
    assert (away.back_text, away.away_text) == (typed, "On leave. For anything urgent call 101.")  # kept
    assert device.officer.profile is not None
    assert device.officer.profile.away_message is None

    back_on = today + timedelta(days=8)
    away.type_back_on(back_on.isoformat())
    assert "back_on" not in away.errors
    await away.go_away()
    assert away.errors == {}
    profile = device.officer.profile
    assert profile is not None
    assert (profile.away_message, profile.back_on) == ("On leave. For anything urgent call 101.", back_on)
    assert away.back_on == back_on  # what the Away screen and the banner show
    assert away.back_text == f"{back_on.day}/{back_on.month}/{back_on.year}"
    # the case as the officer's device keeps it carries the date too (it is what victims see)
    await device.settle(lambda: _back_on_in_store(device, case_id) == back_on)

    away.type_back_on("")
    await away.go_away()  # still away, no date given any more
    profile = device.officer.profile
    assert profile is not None
    assert (profile.away_message, profile.back_on) == ("On leave. For anything urgent call 101.", None)

    away.type_back_on(back_on.isoformat())
    await away.go_away()
    await away.come_back()
    profile = device.officer.profile
    assert profile is not None
    assert (profile.away_message, profile.back_on, away.back_text) == (None, None, "")


def _back_on_in_store(device: Device, case_id: str) -> date | None:
    case = device.portal.session.store.case(case_id)
    return case.officer.back_on if case else None


def test_a_typed_date_is_read_in_the_uk_order_or_iso() -> None:
    assert typed_date("7/12/2026") == typed_date(" 07.12.2026 ") == typed_date("2026-12-07") == date(2026, 12, 7)
    for bad in ("", "12/7", "31/2/2026", "Monday", "2026-13-01"):
        assert typed_date(bad) is None


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ADMIN])
async def test_roles_in_the_app_match_the_server(backend: Api, device: Device, role: Role) -> None:
    """A plain officer never sees another officer's case; an admin reads no cases and sees no
    button that changes one. The server refuses both as well."""
    other = await backend.add_officer("tvp", "pc2")
    theirs = await backend.create_case(other)
    me = await backend.add_officer("tvp", "me", role)
    await device.sign_in("tvp", "me", secret=backend.authenticators[("tvp", "me")])
    if role == Role.OFFICER:
        await device.settle(lambda: device.portal.session.connection == "online")
    else:
        await asyncio.sleep(0.3)  # time enough for a pull, were there one
        assert device.portal.session.last_synced_at is None  # an admin has no feed: the app does not ask
    assert device.portal.session.store.cases() == []
    assert device.officer.caseload.rows() == []
    assert device.officer.reads_cases is (role == Role.OFFICER)
    assert device.officer.case(theirs["id"]).may_write is (role == Role.OFFICER)
    refused = await backend.client.get(f"/cases/{theirs['id']}", headers=me.auth)
    assert refused.status_code in (403, 404)
    state = device.officer.case(theirs["id"])
    state.type_update("Anything")
    await state.post_update()  # if the app asked anyway, the server says no and nothing changes
    assert state.errors["update"]
    assert state.update_text == "Anything"


async def test_a_second_device_of_the_same_officer_gets_the_caseload_too(backend: Api, device: Device) -> None:
    case_id, _ = await signed_in_with_a_case(backend, device)
    other = open_device(backend)
    try:
        backend.clock.advance(seconds=30)
        await other.sign_in("tvp", "pc1", secret=backend.authenticators[("tvp", "pc1")])
        other.officer.caseload.show("open")
        await other.settle(lambda: [r.case.id for r in other.officer.caseload.rows()] == [case_id])
    finally:
        await other.portal.session.stop()


def sergeant_id(api: Api) -> str:
    from sync.server.models import officer

    return str(api.rows(officer, officer.c.username == "sgt")[0].id)


async def test_a_supervisor_hands_a_case_over_and_the_officer_who_lost_it_forgets_it(backend: Api) -> None:
    pc1 = await backend.add_officer("tvp", "pc1")
    pc2 = await backend.add_officer("tvp", "pc2")
    await backend.add_officer("tvp", "sgt", Role.SUPERVISOR)
    created = await backend.create_case(pc1, victim={"name": "Alex Morgan", "phone": "07700 900123"})
    case_id = created["id"]
    officer_device, sergeant_device = open_device(backend), open_device(backend)
    try:
        await officer_device.sign_in("tvp", "pc1", secret=backend.authenticators[("tvp", "pc1")])
        await officer_device.settle(lambda: officer_device.portal.session.store.case(case_id) is not None)
        mine = officer_device.officer.case(case_id)
        mine.type_reply("Half-typed")
        await mine.load_colleagues()  # the officer may hand it over too: to anyone but themselves
        assert {c.id for c in mine.colleagues} == {pc2.id, sergeant_id(backend)}

        await sergeant_device.sign_in("tvp", "sgt", secret=backend.authenticators[("tvp", "sgt")])
        await sergeant_device.settle(lambda: sergeant_device.portal.session.store.case(case_id) is not None)
        state = sergeant_device.officer.case(case_id)
        await state.load_colleagues()
        assert pc2.id in {c.id for c in state.colleagues}
        assert pc1.id not in {c.id for c in state.colleagues}  # not the officer who has it now
        await state.hand_over(pc2.id)
        assert state.errors == {}

        def now_with_pc2() -> bool:
            case = state.case
            return case is not None and case.officer.id == pc2.id

        await sergeant_device.settle(now_with_pc2)
        await sergeant_device.settle(lambda: any(u.handed_to is not None for u in state.timeline()))
        # the officer who lost it: gone from the caseload and from the device, through the sync feed
        await officer_device.settle(lambda: officer_device.portal.session.store.case(case_id) is None)
        assert officer_device.portal.session.store.messages(case_id) == []
        assert officer_device.officer.caseload.all_rows() == []
    finally:
        await officer_device.portal.session.stop()
        await sergeant_device.portal.session.stop()
