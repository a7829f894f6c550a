"""Handing a case over: the new officer has it at once, the old one sees it leave, the victim
sees who has it now and is alerted without detail, and nobody else can do it."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from sync.server.models import audit_event, case, notification
from tests.server.test_access import assert_error
from tests.support import Api, World, bearer


async def hand_over(api: Api, who_token: str, case_id: str, officer_id: str) -> httpx.Response:
    return await api.client.post(
        f"/cases/{case_id}/hand-over", json={"officer_id": officer_id}, headers=bearer(who_token)
    )


async def test_the_new_officer_has_the_case_and_the_old_one_sees_it_leave(world: World) -> None:
    api = world.api
    pc1, pc2, sgt = world.officers["tvp.pc1"], world.officers["tvp.pc2"], world.officers["tvp.sgt"]
    victim = world.victims["tvp.v1"]
    heads = {name: (await api.sync(who))["cursor"] for name, who in (("pc1", pc1), ("pc2", pc2), ("sgt", sgt))}
    victim_head = (await api.sync(victim))["cursor"]
    # The old officer is waiting on a long-poll, as their app is: the hand-over wakes it.
    waiting = asyncio.create_task(api.sync(pc1, heads["pc1"], wait=10))
    await asyncio.sleep(0.2)

    response = await api.client.post(
        f"/cases/{victim.case_id}/hand-over", json={"officer_id": pc2.id}, headers=pc1.auth
    )

    assert response.status_code == 200, response.text
    handed = response.json()
    assert handed["officer"]["id"] == pc2.id
    assert handed["officer"]["name"] == "Officer pc2"
    assert handed["update"]["handed_to"] == {
        "id": pc2.id,
        "name": "Officer pc2",
        "collar_number": handed["officer"]["collar_number"],
    }

    old_page = await asyncio.wait_for(waiting, 5)
    assert old_page["events"] == [
        {
            "kind": "case_removed",
            "seq": old_page["events"][0]["seq"],
            "case_id": victim.case_id,
            "reason": "handed_over",
        }
    ]
    assert "Victim" not in str(old_page)  # it says nothing about the case
    assert (await api.client.get(f"/cases/{victim.case_id}", headers=pc1.auth)).status_code == 404
    assert victim.case_id not in str((await api.client.get("/cases", headers=pc1.auth)).json())

    caseload = (await api.client.get("/cases", headers=pc2.auth)).json()
    assert victim.case_id in [c["id"] for c in caseload["data"]]
    new_page = await api.sync(pc2, heads["pc2"])
    kinds = {e["kind"]: e for e in new_page["events"]}
    assert kinds["case"]["case"]["officer"]["id"] == pc2.id
    assert kinds["update"]["update"]["handed_to"]["id"] == pc2.id
    assert "case_removed" not in kinds

    # A supervisor still sees the force's cases: the case changes officer, and nothing leaves.
    sgt_page = await api.sync(sgt, heads["sgt"])
    assert [e["kind"] for e in sgt_page["events"]] == ["update", "case"]

    victim_page = await api.sync(victim, victim_head)
    assert [e["kind"] for e in victim_page["events"]] == ["update", "case"]
    seen = (await api.client.get(f"/cases/{victim.case_id}", headers=victim.auth)).json()
    assert seen["officer"]["id"] == pc2.id
    assert seen["officer"]["email"] == "pc2@tvp.police.example"
    timeline = (await api.client.get(f"/cases/{victim.case_id}/updates", headers=victim.auth)).json()
    assert timeline[-1]["handed_to"] == handed["update"]["handed_to"]
    assert timeline[-1]["text"] == ""


async def test_the_victim_is_alerted_without_any_detail_and_it_is_audited(world: World) -> None:
    api = world.api
    pc1, pc2 = world.officers["tvp.pc1"], world.officers["tvp.pc2"]
    victim = world.victims["tvp.v1"]

    assert (await hand_over(api, pc1.token, victim.case_id, pc2.id)).status_code == 200
    await api.services.outbox.drain()

    alerts = [n for n in api.notifications() if n["purpose"] == "alert"]
    assert len(alerts) == 1
    assert alerts[0]["recipient"] == "+447700900100"
    text = (alerts[0]["body"] + alerts[0]["subject"]).lower()
    for detail in ("pc2", "officer", "hand", "police"):
        assert detail not in text
    assert api.count(notification, notification.c.purpose == "alert") == 1
    audited = api.rows(audit_event, audit_event.c.action == "case.hand_over")
    assert len(audited) == 1
    assert audited[0].case_id == uuid.UUID(victim.case_id)
    assert audited[0].detail == {"from_officer_id": pc1.id, "to_officer_id": pc2.id}


async def test_a_supervisor_hands_over_any_case_of_the_force_and_keeps_seeing_it(world: World) -> None:
    api = world.api
    sgt, pc1, pc2 = world.officers["tvp.sgt"], world.officers["tvp.pc1"], world.officers["tvp.pc2"]
    victim = world.victims["tvp.v1"]

    to_pc2 = await hand_over(api, sgt.token, victim.case_id, pc2.id)
    to_sgt = await hand_over(api, pc2.token, victim.case_id, sgt.id)
    back = await hand_over(api, sgt.token, victim.case_id, pc1.id)

    assert [r.status_code for r in (to_pc2, to_sgt, back)] == [200, 200, 200]
    assert api.rows(case, case.c.id == uuid.UUID(victim.case_id))[0].officer_id == uuid.UUID(pc1.id)
    # The supervisor, the case's officer for a while, was never told it left: they still see it.
    events = (await api.sync(sgt))["events"]
    assert "case_removed" not in [e["kind"] for e in events]
    assert (await api.client.get(f"/cases/{victim.case_id}", headers=sgt.auth)).status_code == 200


async def test_who_may_not_hand_a_case_over(world: World) -> None:
    api = world.api
    victim = world.victims["tvp.v1"]
    target = world.officers["tvp.pc2"].id
    refused = {
        "tvp.pc2": 404,  # an officer on a colleague's case
        "tvp.admin": 403,  # an admin reads and moves no cases
        "tvp.v1": 403,  # the victim
        "hiow.sgt": 404,  # a supervisor of another force
        "hiow.pc1": 404,  # an officer of another force
    }

    for who, status in refused.items():
        response = await hand_over(api, world.anyone(who).token, victim.case_id, target)
        assert_error(response, status)
        assert "Victim" not in response.text

    owner = uuid.UUID(world.officers["tvp.pc1"].id)
    assert api.rows(case, case.c.id == uuid.UUID(victim.case_id))[0].officer_id == owner
    assert api.count(audit_event, audit_event.c.action == "case.hand_over") == 0


async def test_who_a_case_may_not_go_to(world: World) -> None:
    api = world.api
    pc1, pc2, admin = world.officers["tvp.pc1"], world.officers["tvp.pc2"], world.officers["tvp.admin"]
    victim = world.victims["tvp.v1"]
    deactivated = await api.client.post(f"/officers/{pc2.id}/deactivate", headers=admin.auth)
    assert deactivated.status_code == 200, deactivated.text

    refusals = {
        "officer_unknown": await hand_over(api, pc1.token, victim.case_id, world.officers["hiow.pc1"].id),
        "officer_is_admin": await hand_over(api, pc1.token, victim.case_id, admin.id),
        "officer_inactive": await hand_over(api, pc1.token, victim.case_id, pc2.id),
        "already_with_officer": await hand_over(api, pc1.token, victim.case_id, pc1.id),
    }
    malformed = await api.client.post(
        f"/cases/{victim.case_id}/hand-over", json={"officer_id": "pc2"}, headers=pc1.auth
    )

    for code, response in refusals.items():
        assert_error(response, (400, 409))
        assert response.json()["error"]["code"] == code
    assert_error(malformed, 422)
    await api.services.outbox.drain()
    unknown = await hand_over(api, pc1.token, victim.case_id, str(uuid.uuid4()))
    assert unknown.json()["error"]["code"] == "officer_unknown"
    # Nothing half done: the case is where it was, with no timeline entry, event or alert.
    assert api.rows(case, case.c.id == uuid.UUID(victim.case_id))[0].officer_id == uuid.UUID(pc1.id)
    assert [u for u in (await api.client.get(f"/cases/{victim.case_id}/updates", headers=pc1.auth)).json()] == []
    assert api.count(audit_event, audit_event.c.action == "case.hand_over") == 0
    assert not [n for n in api.notifications() if n["purpose"] == "alert"]


async def test_who_a_case_can_go_to_is_listed_for_officers_and_supervisors(world: World) -> None:
    api = world.api
    pc1, pc2, sgt = world.officers["tvp.pc1"], world.officers["tvp.pc2"], world.officers["tvp.sgt"]

    listed = await api.client.get("/officers/colleagues", headers=pc1.auth)

    assert listed.status_code == 200, listed.text
    assert {o["id"] for o in listed.json()} == {pc2.id, sgt.id}  # not the admin, not pc1, not hiow
    assert set(listed.json()[0]) == {"id", "name", "collar_number"}
    assert pc1.id in {o["id"] for o in (await api.client.get("/officers/colleagues", headers=sgt.auth)).json()}
    for who in ("tvp.admin", "tvp.v1"):
        assert_error(await api.client.get("/officers/colleagues", headers=world.anyone(who).auth), 403)


async def test_two_hand_overs_at_once_move_the_case_once(world: World) -> None:
    """The case's row lock: the second hand-over by the same officer finds the case no longer theirs."""
    api = world.api
    pc1, pc2, sgt = world.officers["tvp.pc1"], world.officers["tvp.pc2"], world.officers["tvp.sgt"]
    victim = world.victims["tvp.v1"]

    answers = await asyncio.gather(*(hand_over(api, pc1.token, victim.case_id, to.id) for to in (pc2, sgt, pc2, sgt)))

    assert sorted(a.status_code for a in answers) == [200, 404, 404, 404]
    winner = next(a for a in answers if a.status_code == 200).json()["officer"]["id"]
    assert api.rows(case, case.c.id == uuid.UUID(victim.case_id))[0].officer_id == uuid.UUID(winner)
    assert api.count(audit_event, audit_event.c.action == "case.hand_over") == 1
    timeline = (await api.client.get(f"/cases/{victim.case_id}/updates", headers=victim.auth)).json()
    assert [u["handed_to"]["id"] for u in timeline] == [winner]
    removed = [e for e in (await api.sync(pc1))["events"] if e["kind"] == "case_removed"]
    assert len(removed) == 1


async def test_the_new_officer_receives_the_cases_conversation_and_timeline_so_far(world: World) -> None:
    """Their app had read the feed past the case's history while it was someone else's."""
    api = world.api
    pc1, pc2 = world.officers["tvp.pc1"], world.officers["tvp.pc2"]
    victim = world.victims["tvp.v1"]
    said = await api.client.put(
        f"/cases/{victim.case_id}/messages/{uuid.uuid4()}", json={"body": "Any news?"}, headers=victim.auth
    )
    assert said.status_code in (200, 201), said.text
    answered = await api.client.put(
        f"/cases/{victim.case_id}/messages/{uuid.uuid4()}", json={"body": "Checking CCTV."}, headers=pc1.auth
    )
    assert answered.status_code in (200, 201), answered.text
    head = (await api.sync(pc2))["cursor"]  # pc2's app is up to date, and the case is not theirs
    victim_head = (await api.sync(victim))["cursor"]

    assert (await hand_over(api, pc1.token, victim.case_id, pc2.id)).status_code == 200

    page = await api.sync(pc2, head)
    bodies = [e["message"]["body"] for e in page["events"] if e["kind"] == "message"]
    assert bodies == ["Any news?", "Checking CCTV."]
    assert any(e["kind"] == "update" and e["update"]["handed_to"] for e in page["events"])
    # nobody else is sent the history again
    assert [e["kind"] for e in (await api.sync(victim, victim_head))["events"]].count("message") == 0
