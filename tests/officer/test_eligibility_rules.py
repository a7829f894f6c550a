"""The force admin's invitation rules in officer mode (app/eligibility_rules.py) over the real
backend: admins load and save versions, supervisors read only, plain officers never reach them."""

from __future__ import annotations

from app.eligibility_rules import EligibilityRulesState
from app.officer_ports import RulesVersion
from sync.protocol import Role
from tests.officer.conftest import Device
from tests.support import Api, Officer


def shown(state: EligibilityRulesState) -> RulesVersion | None:
    """The version on screen now (read afresh: each intent changes it)."""
    return state.current


async def signed_in(backend: Api, device: Device, role: Role) -> Officer:
    me = await backend.add_officer("tvp", "me", role)
    await device.sign_in("tvp", "me", secret=backend.authenticators[("tvp", "me")])
    return me


async def test_an_admin_loads_the_rules_and_saves_a_new_version(backend: Api, device: Device) -> None:
    await signed_in(backend, device, Role.ADMIN)
    rules = device.officer.rules
    assert device.officer.reads_rules
    assert rules.can_save
    await rules.load()
    assert rules.error == ""
    assert rules.loaded
    assert shown(rules) is None
    assert rules.versions == []

    rules.type("invite", "Burglary, Theft from a vehicle")
    rules.type("officer", "Criminal damage\nFraud")
    rules.type("pilot", "50")
    rules.type("age", "18")
    rules.exclude("exclude_phone_risk", False)
    await rules.save()
    assert rules.errors == {}
    assert rules.error == ""
    current = shown(rules)
    assert current is not None
    assert current.version == 1
    assert "version 1" in rules.notice
    saved = current.rules
    assert saved.invite_crime_types == ("Burglary", "Theft from a vehicle")
    assert saved.officer_crime_types == ("Criminal damage", "Fraud")
    assert (saved.pilot_percent, saved.minimum_age, saved.exclude_phone_risk) == (50, 18, False)
    assert saved.exclude_domestic_abuse
    assert saved.exclude_sexual_offence
    assert "(admin)" in current.created_by

    rules.type("pilot", "75")
    await rules.save()
    assert [v.version for v in rules.versions] == [2, 1]

    # what the server holds, read afresh on another visit
    again = device.officer._new_rules()
    await again.load()
    assert again.current is not None
    assert again.current.version == 2
    assert again.pilot_text == "75"
    assert again.invite_text == "Burglary, Theft from a vehicle"


async def test_a_refusal_keeps_what_was_typed_and_names_the_field(backend: Api, device: Device) -> None:
    me = await signed_in(backend, device, Role.ADMIN)
    rules = device.officer.rules
    await rules.load()
    rules.type("invite", "Burglary")
    rules.type("pilot", "150")
    await rules.save()
    assert set(rules.errors) == {"pilot"}
    assert "pilot_percent" in rules.errors["pilot"]
    assert rules.pilot_text == "150"
    assert rules.invite_text == "Burglary"
    assert rules.current is None  # nothing was saved

    rules.type("pilot", "100")
    rules.type("age", "17")
    await rules.save()
    assert set(rules.errors) == {"age"}
    assert rules.age_text == "17"

    rules.type("age", "sixteen")  # not a number: said before asking the server
    await rules.save()
    assert set(rules.errors) == {"age"}

    rules.type("age", "16")
    rules.type("officer", "burglary")  # the same crime type in both lists
    await rules.save()
    assert set(rules.errors) == {"invite"}
    assert rules.officer_text == "burglary"
    assert (await backend.client.get("/eligibility-rules/versions", headers=me.auth)).json()["count"] == 0


async def test_a_supervisor_reads_the_rules_but_cannot_save(backend: Api, device: Device) -> None:
    admin = await backend.add_officer("tvp", "admin1", Role.ADMIN)
    body = {"invite_crime_types": ["Burglary"], "pilot_percent": 40}
    assert (await backend.client.put("/eligibility-rules", json=body, headers=admin.auth)).status_code == 200
    me = await signed_in(backend, device, Role.SUPERVISOR)
    rules = device.officer.rules
    assert device.officer.reads_rules
    assert not rules.can_save
    await rules.load()
    assert rules.current is not None
    assert rules.current.version == 1
    assert rules.invite_text == "Burglary"
    assert rules.pilot_text == "40"
    assert [v.version for v in rules.versions] == [1]

    rules.type("pilot", "90")
    await rules.save()  # the app does not ask: no button, and nothing sent
    assert rules.current.version == 1
    assert rules.notice == ""
    # were it to ask, the server says no
    refused = await backend.client.put("/eligibility-rules", json=body | {"pilot_percent": 90}, headers=me.auth)
    assert refused.status_code == 403


async def test_a_plain_officer_cannot_reach_the_rules(backend: Api, device: Device) -> None:
    me = await signed_in(backend, device, Role.OFFICER)
    assert not device.officer.reads_rules
    assert not device.officer.rules.can_save
    rules = device.officer.rules
    await rules.load()  # asked anyway: the server refuses and nothing is shown
    assert rules.error
    assert rules.current is None
    assert not rules.loaded
    refused = await backend.client.get("/eligibility-rules", headers=me.auth)
    assert refused.status_code == 403
