"""The invitation decision on the officer's case (app/officer_case.py), against the real
backend: the rules' decision shown with its reason and version, the officer's override with a
required reason, and the phone-risk mark that makes the rules decide again."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from app.domain import Case, InviteDecisionNote, OfficerContact
from app.officer_case import OfficerCase
from app.store import records
from sync.protocol import Role
from tests.officer.conftest import Device
from tests.server.eligibility_support import put_rules
from tests.support import Api


async def a_decided_case(backend: Api, device: Device, crime_type: str) -> OfficerCase:
    admin = await backend.add_officer("tvp", "admin", Role.ADMIN)
    await put_rules(backend, admin)  # Burglary invited, Criminal damage left to the officer
    officer = await backend.add_officer("tvp", "pc1")
    victim: dict[str, Any] = {"name": "Alex Morgan", "phone": "07700 900123", "age": 30, "portal_consent": True}
    created = await backend.create_case(officer, crime_type=crime_type, victim=victim)
    await device.sign_in("tvp", "pc1", secret=backend.authenticators[("tvp", "pc1")])
    state = device.officer.case(created["id"])
    await device.settle(lambda: note_of(state) is not None)
    return state


def note_of(state: OfficerCase) -> InviteDecisionNote | None:
    case = state.case  # read afresh each time: sync replaces it
    return case.invite_decision if case is not None else None


def risk_of(state: OfficerCase) -> bool:
    return state.phone_risk  # read afresh (mypy keeps an earlier assert's narrowing across an await)


async def test_the_rules_decision_is_shown_with_its_reason_and_version(backend: Api, device: Device) -> None:
    state = await a_decided_case(backend, device, "Criminal damage")
    note = note_of(state)
    assert note is not None
    assert (note.decision, note.rules_version, note.overridden_by) == ("officer", 1, None)
    assert note.rule
    assert note.reason.strip()  # plain words from the server, shown beside the decision
    assert state.may_decide  # the case's own officer
    assert not state.phone_risk


async def test_an_override_needs_a_reason_keeps_what_was_typed_and_changes_the_decision(
    backend: Api, device: Device
) -> None:
    state = await a_decided_case(backend, device, "Criminal damage")
    words = device.portal.words
    state.start_deciding()
    await state.save_decision()
    assert state.errors == {"decision": words("officer.decision.choose")}
    state.choose_decision("never")
    state.type_decision_reason("   ")
    await state.save_decision()
    assert state.errors == {"decision": words("officer.decision.reason_missing")}
    state.type_decision_reason("no")  # shorter than the server takes
    await state.save_decision()
    assert state.errors["decision"].startswith("reason")  # the server's reason, beside the field
    assert (state.decision, state.decision_reason, state.deciding) == ("never", "no", True)  # kept
    note = note_of(state)
    assert note is not None
    assert note.decision == "officer"  # nothing changed

    state.type_decision_reason("The suspect shares the victim's phone.")
    await state.save_decision()
    assert state.errors == {}
    assert state.notice == words("officer.decision.saved")
    assert (state.deciding, state.decision_reason) == (False, "")
    await device.settle(lambda: (n := note_of(state)) is not None and n.decision == "never")
    note = note_of(state)
    assert note is not None
    assert note.overridden_by
    assert note.override_reason == "The suspect shares the victim's phone."


async def test_a_phone_risk_mark_turns_an_invite_into_never_and_back(backend: Api, device: Device) -> None:
    state = await a_decided_case(backend, device, "Burglary")
    note = note_of(state)
    assert note is not None
    assert note.decision == "invite"
    await state.mark_phone_risk(True)
    assert state.errors == {}
    assert state.phone_risk
    await device.settle(lambda: (n := note_of(state)) is not None and n.rule == "excluded_phone_risk")
    note = note_of(state)
    assert note is not None
    assert note.decision == "never"
    assert note.phone_risk, "the server's mark itself reaches the device with the decision"
    await state.mark_phone_risk(False)
    assert not risk_of(state)
    await device.settle(lambda: (n := note_of(state)) is not None and n.decision == "invite")


async def test_an_officer_not_on_the_case_may_not_decide_and_the_server_agrees(backend: Api, device: Device) -> None:
    admin = await backend.add_officer("tvp", "admin", Role.ADMIN)
    await put_rules(backend, admin)
    pc1 = await backend.add_officer("tvp", "pc1")
    await backend.add_officer("tvp", "pc2")
    created = await backend.create_case(pc1, crime_type="Criminal damage")
    await device.sign_in("tvp", "pc2", secret=backend.authenticators[("tvp", "pc2")])
    state = device.officer.case(created["id"])
    assert not state.may_decide
    state.choose_decision("invite")
    state.type_decision_reason("I think they should be invited.")
    await state.save_decision()  # if the app asked anyway, the server says no
    assert state.errors["decision"]
    assert state.decision_reason == "I think they should be invited."
    await state.mark_phone_risk(True)
    assert state.errors["phone_risk"]


def test_the_decision_survives_the_store_and_older_cases_still_load(backend: Api) -> None:
    now = backend.clock.now
    case = Case("c1", "REF1", "Burglary", "assigned", "", now.date(), OfficerContact("o1", "PC One", "1", "", ""))
    decided = dataclasses.replace(
        case,
        invite_decision=InviteDecisionNote(
            "never", "officer_override_never", "An officer decided.", now, 2, "PC One", "Risk."
        ),
    )
    assert records.load(Case, records.dump(decided)) == decided
    older = json.loads(records.dump(case))
    del older["invite_decision"]  # a case cached before decisions were kept
    assert records.load(Case, json.dumps(older).encode()) == case
