"""Eligibility: each force's rules as versioned data, the decision each case gets from them,
officers' overrides, and rule changes that never reach back to cases already decided."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

from sync.protocol import EligibilityRules, Role
from sync.server import eligibility
from sync.server.models import audit_event, case, eligibility_rules, invitation, notification
from sync.server.wording import CONTENT
from tests.server.eligibility_support import RULES, case_body, decision, put_rules, recorded, send_case
from tests.support import Api, Officer, bearer

REASONS = json.loads((CONTENT / "eligibility-reasons.json").read_text())["reasons"]


async def _people(api: Api) -> tuple[Officer, Officer]:
    api.create_force("tvp", "Thames Valley Police")
    return await api.add_officer("tvp", "admin", Role.ADMIN), await api.add_officer("tvp", "pc1")


def _invitations(api: Api, case_id: str, *, live: bool = False) -> int:
    where = [invitation.c.case_id == uuid.UUID(case_id)]
    if live:
        where.append(invitation.c.revoked_at.is_(None))
    return api.count(invitation, *where)


async def test_rules_are_versions_that_only_a_force_admin_sets(api: Api) -> None:
    admin, pc1 = await _people(api)
    sgt = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    none_yet = await api.client.get("/eligibility-rules", headers=admin.auth)
    assert none_yet.status_code == 404
    assert none_yet.json()["error"]["code"] == "no_rules"

    first = await put_rules(api, admin)
    assert first["version"] == 1
    assert (await put_rules(api, admin))["version"] == 1  # the same rules again add nothing
    second = await put_rules(api, admin, pilot_percent=50, minimum_age=18)
    assert second["version"] == 2
    current = await api.client.get("/eligibility-rules", headers=sgt.auth)
    assert current.json()["rules"]["minimum_age"] == 18
    versions = (await api.client.get("/eligibility-rules/versions", headers=admin.auth)).json()
    assert [v["version"] for v in versions["data"]] == [2, 1]
    assert versions["data"][1]["rules"]["pilot_percent"] == 100  # version 1 is as it was made

    for who in (pc1.auth, sgt.auth, bearer(api.integration_keys["tvp"])):
        refused = await api.client.put("/eligibility-rules", json=RULES, headers=who)
        assert refused.status_code == 403
        assert set(refused.json()["error"]) == {"code", "message"}
    assert (await api.client.get("/eligibility-rules", headers=pc1.auth)).status_code == 403
    assert api.count(eligibility_rules) == 2


HOSTILE_RULES: list[Any] = [
    {**RULES, "surprise": True},
    {**RULES, "invite_crime_types": ["Burglary", "burglary"]},
    {**RULES, "officer_crime_types": ["Theft"]},
    {"invite_crime_types": [], "officer_crime_types": []},
    {**RULES, "pilot_percent": 101},
    {**RULES, "pilot_percent": -1},
    {**RULES, "minimum_age": 17},
    {**RULES, "pilot_by": "victim_name"},
    {**RULES, "invite_crime_types": ["x" * 201]},
    {**RULES, "invite_crime_types": ["Bur\x00glary"]},
    {**RULES, "invite_crime_types": [f"type {n}" for n in range(501)]},
    {**RULES, "exclude_domestic_abuse": "maybe"},
    ["Burglary"],
    "Burglary",
]


async def test_hostile_rules_are_refused_with_a_clear_error_and_change_nothing(api: Api) -> None:
    admin, _ = await _people(api)
    for body in HOSTILE_RULES:
        response = await api.client.put("/eligibility-rules", json=body, headers=admin.auth)
        assert 400 <= response.status_code < 500, (body, response.status_code)
        error = response.json()["error"]
        assert set(error) == {"code", "message"}, body
        assert error["message"], body
    not_json = await api.client.put(
        "/eligibility-rules", content=b"{not json", headers={**admin.auth, "content-type": "application/json"}
    )
    assert 400 <= not_json.status_code < 500
    assert api.count(eligibility_rules) == 0


FIFTEEN = (date.today() - timedelta(days=365 * 15)).isoformat()
EXCLUDED: list[tuple[dict[str, Any], str]] = [
    ({"domestic_abuse": True}, "excluded_domestic_abuse"),
    ({"sexual_offence": True}, "excluded_sexual_offence"),
    ({"phone_risk": True}, "excluded_phone_risk"),
    ({"victim": {"age": 15}}, "excluded_under_16"),
    ({"victim": {"age": None, "date_of_birth": FIFTEEN}}, "excluded_under_16"),
    ({"victim": {"portal_consent": False}}, "victim_declined"),
    ({"crime_type": "Fraud"}, "crime_type_not_included"),
]  # fmt: skip


async def test_every_exclusion_means_never_invited_with_the_reason_in_plain_words(api: Api) -> None:
    admin, pc1 = await _people(api)
    await put_rules(api, admin)
    for overrides, rule in EXCLUDED:
        created = await recorded(api, case_body(pc1, **overrides))
        found = await decision(api, pc1, created["id"])
        assert (found["decision"], found["rule"], found["rules_version"]) == ("never", rule, 1), overrides
        assert found["reason"] == REASONS[rule]["text"]
        assert _invitations(api, created["id"]) == 0
        # Nor can the officer invite without overriding first.
        refused = await api.client.post(f"/cases/{created['id']}/invitations", json={}, headers=pc1.auth)
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "invite_decision_never"
    await api.services.outbox.drain()  # automatic invitations go after the request has answered
    assert not [n for n in api.notifications() if n["purpose"] == "invitation"]

    # A force may choose 18, and may choose not to exclude a flag.
    await put_rules(api, admin, minimum_age=18, exclude_domestic_abuse=False)
    seventeen = await recorded(api, case_body(pc1, victim={"age": 17}))
    assert (await decision(api, pc1, seventeen["id"]))["rule"] == "excluded_under_18"
    abuse = await recorded(api, case_body(pc1, domestic_abuse=True))
    assert (await decision(api, pc1, abuse["id"]))["decision"] == "invite"
    assert _invitations(api, abuse["id"]) == 1


async def test_a_pilot_takes_the_same_share_of_crime_types_every_time(api: Api) -> None:
    admin, pc1 = await _people(api)
    types = [f"Type {n}" for n in range(40)]
    await put_rules(api, admin, invite_crime_types=types, officer_crime_types=[], pilot_percent=50)
    inside = [t for t in types if eligibility.pilot_bucket("tvp", t) < 50]
    assert 5 < len(inside) < 35  # about half, and the same on every run
    for crime_type in (inside[0], next(t for t in types if t not in inside)):
        created = await recorded(api, case_body(pc1, crime_type=crime_type))
        expected = "invite_crime_type" if crime_type in inside else "outside_pilot"
        assert (await decision(api, pc1, created["id"]))["rule"] == expected
    by_reference = EligibilityRules.model_validate({**RULES, "pilot_percent": 50, "pilot_by": "crime_reference"})
    facts = eligibility.Facts("tvp", "REF1", "Theft", False, False, False, True, None, 40)
    verdicts = {eligibility.decide(by_reference, facts, today=date.today()) for _ in range(3)}
    assert len(verdicts) == 1


async def test_invited_automatically_once_contact_and_agreement_are_on_record(api: Api) -> None:
    admin, pc1 = await _people(api)
    await put_rules(api, admin)
    body = case_body(pc1, victim={"portal_consent": None, "preferred_channel": "email"})
    created = await recorded(api, body)
    assert (await decision(api, pc1, created["id"]))["decision"] == "invite"
    assert _invitations(api, created["id"]) == 0  # not asked yet: nothing sent

    body["victim"]["portal_consent"] = True
    await recorded(api, body)
    await recorded(api, body)  # sent again: still one invitation
    rows = api.rows(invitation, invitation.c.case_id == uuid.UUID(created["id"]))
    assert [(r.channel, r.created_by) for r in rows] == [("email", "system:eligibility")]
    await api.services.outbox.drain()  # sent after the record system's request has answered
    assert [n["recipient"] for n in api.notifications() if n["purpose"] == "invitation"] == ["sam@example.org"]

    unknown_age = await recorded(api, case_body(pc1, victim={"age": None}))
    assert (await decision(api, pc1, unknown_age["id"]))["rule"] == "age_unknown"
    damage = await recorded(api, case_body(pc1, crime_type="criminal damage"))
    assert (await decision(api, pc1, damage["id"]))["decision"] == "officer"
    assert _invitations(api, unknown_age["id"]) + _invitations(api, damage["id"]) == 0


async def test_an_officer_overrides_with_a_reason_and_the_record_system_cannot(api: Api) -> None:
    admin, pc1 = await _people(api)
    await put_rules(api, admin)
    body = case_body(pc1, domestic_abuse=True)
    created = await recorded(api, body)
    path = f"/cases/{created['id']}/invite-decision"

    by_key = await api.client.put(
        path, json={"decision": "invite", "reason": "Record says so"}, headers=bearer(api.integration_keys["tvp"])
    )
    assert by_key.status_code == 403
    no_reason = await api.client.put(path, json={"decision": "invite", "reason": ""}, headers=pc1.auth)
    assert no_reason.status_code == 422
    officer_decides = await api.client.put(path, json={"decision": "officer", "reason": "whatever"}, headers=pc1.auth)
    assert officer_decides.status_code == 422

    reason = "Flag was set in error; victim lives alone and asked for the portal."
    overridden = await api.client.put(path, json={"decision": "invite", "reason": reason}, headers=pc1.auth)
    assert overridden.status_code == 200, overridden.text
    shown = overridden.json()["invite_decision"]
    assert (shown["decision"], shown["rule"], shown["override_reason"]) == ("invite", "officer_override_invite", reason)
    assert shown["overridden_by"] == "Officer pc1"
    assert _invitations(api, created["id"], live=True) == 1
    audited = api.rows(audit_event, audit_event.c.action == "invite_decision.override")
    assert [(a.actor_kind, a.detail["from"], a.detail["to"], a.detail["reason"]) for a in audited] == [
        ("officer", "never", "invite", reason)
    ]

    # The same case sent again changes nothing; changed facts the rules still exclude put "never" back.
    assert (await send_case(api, body)).status_code == 200
    assert (await decision(api, pc1, created["id"]))["rule"] == "officer_override_invite"
    body["sexual_offence"] = True
    await recorded(api, body)
    assert (await decision(api, pc1, created["id"]))["rule"] == "excluded_domestic_abuse"
    assert _invitations(api, created["id"], live=True) == 0

    # A victim's "no" stands whatever the record system sends after it.
    declined = case_body(pc1, victim={"portal_consent": False})
    declined_case = await recorded(api, declined)
    declined["victim"]["portal_consent"] = None
    assert (await send_case(api, declined)).status_code == 200
    assert (await decision(api, pc1, declined_case["id"]))["rule"] == "victim_declined"

    # An officer's "never" revokes the invitation not yet used.
    invited = await recorded(api, case_body(pc1))
    assert _invitations(api, invited["id"], live=True) == 1
    stop = await api.client.put(
        f"/cases/{invited['id']}/invite-decision",
        json={"decision": "never", "reason": "Victim told me by phone they share it."},
        headers=pc1.auth,
    )
    assert stop.status_code == 200
    assert _invitations(api, invited["id"], live=True) == 0


async def test_changing_the_rules_never_changes_a_decision_already_made(api: Api) -> None:
    admin, pc1 = await _people(api)
    await put_rules(api, admin)
    theft = await recorded(api, case_body(pc1, crime_type="Theft"))
    await put_rules(api, admin, invite_crime_types=["Burglary"], minimum_age=18)
    before = await decision(api, pc1, theft["id"])
    assert (before["decision"], before["rules_version"], before["rule"]) == ("invite", 1, "invite_crime_type")
    stored = api.rows(case, case.c.id == uuid.UUID(theft["id"]))[0]
    assert (stored.invite_decision, stored.decision_rules_version) == ("invite", 1)
    assert _invitations(api, theft["id"], live=True) == 1

    later = await recorded(api, case_body(pc1, crime_type="Theft"))
    after = await decision(api, pc1, later["id"])
    assert (after["decision"], after["rules_version"], after["rule"]) == ("never", 2, "crime_type_not_included")
    # Victims never see the decision.
    victim = await api.sign_in_victim(pc1, theft["id"])
    assert (await api.client.get(f"/cases/{theft['id']}", headers=victim.auth)).json()["invite_decision"] is None


async def test_without_rules_the_officer_decides_as_before(api: Api) -> None:
    _, pc1 = await _people(api)
    created = await api.create_case(pc1)
    found = await decision(api, pc1, created["id"])
    assert (found["decision"], found["rule"], found["rules_version"]) == ("officer", "no_rules", None)
    assert api.count(notification, notification.c.purpose == "invitation") == 0


def test_every_rule_has_plain_words_with_a_source_and_review_date() -> None:
    rules = {
        "no_rules", "victim_declined", "excluded_domestic_abuse", "excluded_sexual_offence", "excluded_phone_risk",
        "excluded_under_16", "excluded_under_18", "crime_type_not_included", "outside_pilot", "age_unknown",
        "officer_crime_type", "invite_crime_type", "officer_override_invite", "officer_override_never",
    }  # fmt: skip
    assert set(REASONS) == rules
    for entry in REASONS.values():
        assert entry["text"]
        assert entry["source"]
        date.fromisoformat(entry["reviewed"])


async def test_an_officer_marks_a_risk_from_someone_with_the_victims_phone(api: Api) -> None:
    admin, pc1 = await _people(api)
    await put_rules(api, admin)
    body = case_body(pc1)
    created = await recorded(api, body)
    assert _invitations(api, created["id"], live=True) == 1
    path = f"/cases/{created['id']}/phone-risk"
    by_key = await api.client.put(path, json={"at_risk": True}, headers=bearer(api.integration_keys["tvp"]))
    assert by_key.status_code == 403
    marked = await api.client.put(path, json={"at_risk": True}, headers=pc1.auth)
    assert marked.status_code == 200
    assert marked.json()["invite_decision"]["rule"] == "excluded_phone_risk"
    assert _invitations(api, created["id"], live=True) == 0
    # The record system sending the case again without the mark does not clear it.
    assert (await send_case(api, body)).status_code == 200
    assert (await decision(api, pc1, created["id"]))["rule"] == "excluded_phone_risk"
    cleared = await api.client.put(path, json={"at_risk": False}, headers=pc1.auth)
    assert cleared.json()["invite_decision"]["rule"] == "invite_crime_type"
    marks = api.rows(audit_event, audit_event.c.action == "case.phone_risk")
    assert [m.detail["at_risk"] for m in marks] == [True, False]
