"""Signed-in devices: each person sees and signs out their own, an admin signs a victim out
everywhere, and a session left unused for too long ends by itself."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from sync.protocol import Role
from sync.server.context import RequestInfo
from sync.server.models import audit_event, device_session
from sync.server.services import devices
from tests.support import PASSWORD, Api, Officer, Victim, bearer


async def world(api: Api) -> tuple[Officer, Officer, Victim, Victim]:
    api.create_force("tvp", "Thames Valley Police")
    admin = await api.add_officer("tvp", "admin", Role.ADMIN)
    pc = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(pc)
    again = await api.sign_in_victim(pc, victim.case_id)  # the same victim on a second phone
    return admin, pc, victim, again


async def test_each_person_lists_and_signs_out_their_own_devices(api: Api) -> None:
    admin, pc, victim, second_phone = await world(api)
    other_desk = bearer(await api.login("tvp", "pc1", device_name="Front desk PC"))
    for me, other in ((victim, second_phone.auth), (pc, other_desk)):
        assert (await api.client.get("/cases", headers=other)).status_code == 200  # cached by this worker
        listed = await api.client.get("/me/devices", headers=me.auth)
        assert listed.status_code == 200
        devices = listed.json()["data"]
        assert listed.json()["count"] == len(devices) == 2
        assert sorted(d["current"] for d in devices) == [False, True]
        assert me.token not in listed.text
        assert "token" not in listed.text
        other_id = next(d["id"] for d in devices if not d["current"])
        assert (await api.client.delete(f"/me/devices/{other_id}", headers=admin.auth)).status_code == 404
        assert (await api.client.delete(f"/me/devices/{other_id}", headers=me.auth)).status_code == 204
        assert (await api.client.get("/cases", headers=other)).status_code == 401
        assert (await api.client.delete(f"/me/devices/{other_id}", headers=me.auth)).status_code == 404
        assert (await api.client.get("/me/devices", headers=me.auth)).json()["count"] == 1
    assert (await api.client.get("/me/devices", headers=bearer(api.integration_keys["tvp"]))).status_code == 403
    actions = [r.action for r in api.rows(audit_event)]
    assert {"victim.device_sign_out", "officer.device_sign_out"} <= set(actions)


async def test_an_admin_signs_a_victim_out_everywhere(api: Api) -> None:
    admin, pc, victim, second_phone = await world(api)
    victim_id = api.rows(device_session, device_session.c.kind == "victim")[0].victim_id
    for phone in (victim, second_phone):
        assert (await api.client.get(f"/cases/{victim.case_id}", headers=phone.auth)).status_code == 200
    assert (await api.client.post(f"/victims/{victim_id}/sign-out", headers=pc.auth)).status_code == 403
    assert (await api.client.post(f"/victims/{victim_id}/sign-out", headers=victim.auth)).status_code == 403
    assert (await api.client.post(f"/victims/{uuid.uuid4()}/sign-out", headers=admin.auth)).status_code == 404
    unused_link = await api.invite(pc, victim.case_id)  # a link the taker of the phone could still open
    ended = await api.client.post(f"/victims/{victim_id}/sign-out", headers=admin.auth)
    assert ended.status_code == 200
    assert ended.json() == {"signed_out": 2}
    for phone in (victim, second_phone):
        assert (await api.client.get(f"/cases/{victim.case_id}", headers=phone.auth)).status_code == 401
    assert (await api.client.get(f"/cases/{victim.case_id}", headers=pc.auth)).status_code == 200
    (row,) = api.rows(audit_event, audit_event.c.action == "victim.sign_out_everywhere")
    assert row.detail == {"victim_id": str(victim_id), "sessions_ended": 2, "invitations_withdrawn": 1}
    refused = await api.redeem(unused_link)
    assert (refused.status_code, refused.json()["error"]["code"]) == (410, "invitation_revoked")
    assert str(row.actor_id) == admin.id


async def test_a_session_left_unused_too_long_ends(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    pc = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(pc)
    idle_pc = bearer(await api.login("tvp", "pc1"))
    callers = api.services.ctx.callers

    async def status(auth: dict[str, str]) -> int:
        callers.clear()  # as if this worker's short cache had lapsed in the meantime
        return (await api.client.get(f"/cases/{victim.case_id}", headers=auth)).status_code

    # The officer on duty uses the app every three hours; their colleague's other session sits idle.
    for _ in range(3):
        api.clock.advance(hours=3)
        assert await status(pc.auth) == 200
    idle = await api.client.get(f"/cases/{victim.case_id}", headers=idle_pc)
    assert idle.status_code == 401
    assert idle.json()["error"]["code"] == "session_idle"
    # Victims: 30 days by default.
    api.clock.advance(days=29)
    assert await status(victim.auth) == 200
    api.clock.advance(days=30, seconds=1)
    assert await status(victim.auth) == 401


async def test_last_use_is_written_at_most_once_a_minute(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    pc = await api.add_officer("tvp", "pc1")
    callers = api.services.ctx.callers

    def last_used() -> object:
        (row,) = api.rows(device_session)
        return row.last_used_at or row.created_at

    signed_in = last_used()
    api.clock.advance(seconds=50)
    callers.clear()
    assert (await api.client.get("/officers/me", headers=pc.auth)).status_code == 200
    assert last_used() == signed_in
    api.clock.advance(seconds=20)
    callers.clear()
    assert (await api.client.get("/officers/me", headers=pc.auth)).status_code == 200  # a read
    assert last_used() == api.clock.now


async def test_a_token_cached_by_a_request_racing_its_sign_out_is_forgotten_when_the_sign_out_commits(
    api: Api,
) -> None:
    """A request that read the session just before the sign-out committed caches it on this
    worker after the sign-out forgot it: the sign-out forgets it once more, after commit."""
    _, _, victim, _ = await world(api)
    ctx = api.services.ctx
    digest = ctx.secrets.digest(victim.token)
    assert (await api.client.get("/cases", headers=victim.auth)).status_code == 200
    caller = ctx.callers.get(digest, now=ctx.now())
    assert caller is not None

    def sign_out_while_a_racing_request_caches_the_session(conn: sa.Connection) -> None:
        devices.logout(conn, ctx, RequestInfo(token=victim.token, ip=None))
        ctx.callers.put(digest, caller, expires_at=None)  # the racing request, before this commits

    api.services.db.run_write(sign_out_while_a_racing_request_caches_the_session)
    assert ctx.callers.get(digest, now=ctx.now()) is None
    assert (await api.client.get("/cases", headers=victim.auth)).status_code == 401


async def test_a_revoke_key_ends_its_one_session_and_does_nothing_else(api: Api) -> None:
    """A phone wiped by too many wrong PINs cannot open its store to find its token: the revoke
    key it kept outside the store ends that session, and is good for nothing else."""
    api.create_force("tvp", "Thames Valley Police")
    pc = await api.add_officer("tvp", "pc1")
    case = await api.create_case(pc)
    redeemed = await api.redeem(await api.invite(pc, case["id"]))
    verified = (await api.verify(redeemed.json()["challenge_id"], api.last_code())).json()
    token, key = verified["token"], verified["revoke_key"]
    assert key.startswith("vpr_")
    assert (await api.client.get("/cases", headers=bearer(token))).status_code == 200
    assert (await api.client.get("/cases", headers=bearer(key))).status_code == 401  # reads nothing
    for attempt in (key, key, "vpr_" + "x" * 43):  # the same answer, known or not, once or twice
        assert (await api.client.post("/auth/revoke", json={"revoke_key": attempt})).status_code == 204
    assert (await api.client.get("/cases", headers=bearer(token))).status_code == 401
    assert (await api.client.get("/cases", headers=pc.auth)).status_code == 200  # the officer's own session stays
    (row,) = api.rows(audit_event, audit_event.c.action == "victim.revoked_by_key")
    assert row.case_id is None
    stored = api.rows(device_session, device_session.c.kind == "victim")[0]
    assert stored.revoke_hash == api.services.ctx.secrets.digest(key)  # only its digest is kept
    assert key not in str(stored)
    refused = await api.client.post("/auth/revoke", json={"revoke_key": "not a key\x00"})
    assert refused.status_code == 422
    officer_login = await api.client.post(
        "/auth/officer/login",
        json={"force_code": "tvp", "username": "pc1", "password": PASSWORD, "totp_code": api.totp_code("tvp", "pc1")},
    )
    assert officer_login.json()["revoke_key"].startswith("vpr_")
