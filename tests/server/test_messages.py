from __future__ import annotations

import asyncio
import uuid

from sync.protocol import Role
from sync.server.models import event, message
from tests.support import Api


async def test_same_message_put_twice_stores_one(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    msg_id = str(uuid.uuid4())

    first = await api.send(victim, victim.case_id, "Has anyone looked at the CCTV?", msg_id)
    again = await api.send(victim, victim.case_id, "Has anyone looked at the CCTV?", msg_id)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert api.count(message) == 1


async def test_twenty_concurrent_puts_of_one_message_store_one(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    msg_id = str(uuid.uuid4())

    replies = await asyncio.gather(*(api.send(victim, victim.case_id, "Hello", msg_id) for _ in range(20)))

    assert sorted(r.status_code for r in replies) == [200] * 19 + [201]
    assert len({r.json()["seq"] for r in replies}) == 1
    assert len({r.json()["id"] for r in replies}) == 1
    assert api.count(message) == 1
    assert api.count(event, event.c.kind == "message") == 1


async def test_reusing_a_message_id_for_different_text_is_refused(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    msg_id = str(uuid.uuid4())
    await api.send(victim, victim.case_id, "First text", msg_id)

    clash = await api.send(victim, victim.case_id, "Other text", msg_id)
    officer_clash = await api.send(officer, victim.case_id, "First text", msg_id)

    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "client_msg_id_reused"
    assert officer_clash.status_code == 409
    assert "First text" not in clash.text
    assert api.count(message) == 1


async def test_message_body_limits(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)

    empty = await api.send(victim, victim.case_id, "")
    longest = await api.send(victim, victim.case_id, "x" * 4000)
    too_long = await api.send(victim, victim.case_id, "x" * 4001)

    assert empty.status_code == 422
    assert longest.status_code == 201
    assert too_long.status_code == 422
    assert too_long.json()["error"]["code"] == "invalid_request"
    assert api.count(message) == 1


async def test_messages_keep_order_and_sequence_numbers_rise(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)

    seqs = []
    for n in range(5):
        reply = await api.send(victim if n % 2 == 0 else officer, victim.case_id, f"message {n}")
        seqs.append(reply.json()["seq"])

    listed = await api.client.get(f"/cases/{victim.case_id}/messages", headers=victim.auth)
    assert [m["body"] for m in listed.json()] == [f"message {n}" for n in range(5)]
    assert seqs == sorted(seqs)
    assert [m["author_kind"] for m in listed.json()] == ["victim", "officer", "victim", "officer", "victim"]


async def test_read_marks_move_forward_only_and_mark_the_other_sides_messages(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    from_victim = (await api.send(victim, victim.case_id, "Any news?")).json()
    from_officer = (await api.send(officer, victim.case_id, "Not yet, soon.")).json()

    marked = await api.client.post(
        f"/cases/{victim.case_id}/read", json={"up_to_seq": from_officer["seq"]}, headers=officer.auth
    )
    assert marked.status_code == 200
    assert marked.json()["reader"] == "officer"
    stored = {row.body: row.read_at for row in api.rows(message)}
    assert stored["Any news?"] is not None  # the victim's message, read by the officer
    assert stored["Not yet, soon."] is None  # the officer's own message is not "read" by reading

    back = await api.client.post(f"/cases/{victim.case_id}/read", json={"up_to_seq": 0}, headers=officer.auth)
    assert back.json()["up_to_seq"] == marked.json()["up_to_seq"]

    case = (await api.client.get(f"/cases/{victim.case_id}", headers=victim.auth)).json()
    assert case["officer_read_seq"] >= from_victim["seq"]


async def test_supervisor_can_message_on_any_case_in_force(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    victim = await api.victim_with_case(officer)

    reply = await api.send(sergeant, victim.case_id, "I'm covering while PC 1 is on leave.")

    assert reply.status_code == 201
    assert reply.json()["author_name"] == "Officer sgt"
