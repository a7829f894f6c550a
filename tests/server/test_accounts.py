"""Who may make whom, and access that can be ended: set-up codes instead of passwords chosen by
someone else, deactivation, password changes and resets."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from sync.protocol import Role
from sync.server.models import audit_event, device_session, officer, setup_code
from sync.server.services import accounts
from tests.support import PASSWORD, Api, Officer, bearer

NEW_OFFICER = {
    "username": "new.pc",
    "name": "PC New",
    "collar_number": "9001",
    "email": "new.pc@example.org",
    "phone": "01632 960001",
}


async def setup(api: Api, code: str, password: str = "a-password-of-my-own", username: str = "new.pc") -> Any:
    return await api.client.post(
        "/auth/officer/setup",
        json={"force_code": "tvp", "username": username, "setup_code": code, "new_password": password},
    )


async def login_status(api: Api, username: str, password: str) -> int:
    body = {"force_code": "tvp", "username": username, "password": password}
    if ("tvp", username) in api.authenticators:  # every officer signs in with a code as well
        api.clock.advance(seconds=30)  # a fresh time step, so the code was never used before
        body["totp_code"] = api.totp_code("tvp", username)
    response = await api.client.post("/auth/officer/login", json=body)
    return response.status_code


async def admin_of(api: Api) -> Officer:
    api.create_force("tvp", "Thames Valley Police")
    return await api.add_officer("tvp", "admin", Role.ADMIN)


async def test_the_record_system_adds_plain_officers_only(api: Api) -> None:
    admin = await admin_of(api)
    key = bearer(api.integration_keys["tvp"])
    for role in ("supervisor", "admin"):
        refused = await api.client.post("/officers", json={**NEW_OFFICER, "role": role}, headers=key)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "role_not_allowed"
    assert api.count(officer, officer.c.username == "new.pc") == 0
    made = await api.client.post("/officers", json=NEW_OFFICER, headers=key)
    assert made.status_code == 201
    sergeant = await api.client.post(
        "/officers",
        json={**NEW_OFFICER, "username": "new.sgt", "collar_number": "9002", "role": "supervisor"},
        headers=admin.auth,
    )
    assert sergeant.status_code == 201
    created = [r.detail for r in api.rows(audit_event, audit_event.c.action == "officer.create")]
    assert {"officer_id": made.json()["id"], "role": "officer"} in created
    assert {"officer_id": sergeant.json()["id"], "role": "supervisor"} in created


async def test_a_new_officer_chooses_their_password_with_a_one_time_code(api: Api) -> None:
    admin = await admin_of(api)
    created = await api.client.post("/officers", json=NEW_OFFICER, headers=admin.auth)
    assert created.status_code == 201
    code = created.json()["setup"]["setup_code"]
    assert len(code) >= 20
    # Stored only as a keyed digest.
    (row,) = api.rows(setup_code, setup_code.c.officer_id == uuid.UUID(created.json()["id"]))
    assert row.code_hash == api.services.ctx.secrets.digest(f"setup:{code}")
    assert row.expires_at - row.created_at == timedelta(hours=72)
    # No password works before the officer sets one.
    assert await login_status(api, "new.pc", "") == 422
    assert await login_status(api, "new.pc", PASSWORD) == 401

    assert (await setup(api, code, password="too-short")).status_code == 422
    wrong = await setup(api, code[:-2] + "xx")
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "setup_code_refused"
    assert (await setup(api, code)).status_code == 204
    assert await login_status(api, "new.pc", "a-password-of-my-own") == 200
    again = await setup(api, code, password="someone-elses-password")
    assert again.status_code == 400
    assert await login_status(api, "new.pc", "someone-elses-password") == 401
    actions = [r.action for r in api.rows(audit_event)]
    assert "officer.password_set" in actions
    assert "officer.setup_failed" in actions


async def test_a_set_up_code_expires(api: Api) -> None:
    admin = await admin_of(api)
    code = (await api.client.post("/officers", json=NEW_OFFICER, headers=admin.auth)).json()["setup"]["setup_code"]
    api.clock.advance(hours=72, seconds=1)
    assert (await setup(api, code)).status_code == 400


async def test_set_up_attempts_are_rate_limited(api: Api) -> None:
    admin = await admin_of(api)
    code = (await api.client.post("/officers", json=NEW_OFFICER, headers=admin.auth)).json()["setup"]["setup_code"]
    for _ in range(5):
        assert (await setup(api, "not-the-code-at-all")).status_code == 400
    limited = await setup(api, code)
    assert limited.status_code == 429
    assert "retry-after" in limited.headers


async def test_a_set_up_code_is_spent_once_even_when_sent_many_times_at_once(api: Api) -> None:
    admin = await admin_of(api)
    code = (await api.client.post("/officers", json=NEW_OFFICER, headers=admin.auth)).json()["setup"]["setup_code"]
    answers = await asyncio.gather(*(setup(api, code, password=f"racing-password-{n:02d}") for n in range(5)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [204] + [400] * 4  # five: the per-account limit stays out of it
    winner = next(n for n, a in enumerate(answers) if a.status_code == 204)
    assert await login_status(api, "new.pc", f"racing-password-{winner:02d}") == 200


async def test_deactivating_an_officer_ends_every_session_at_once_and_keeps_their_cases(api: Api) -> None:
    admin = await admin_of(api)
    pc = await api.add_officer("tvp", "pc1")
    sergeant = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
    victim = await api.victim_with_case(pc)
    second = bearer(await api.login("tvp", "pc1"))
    for auth in (pc.auth, second):  # both now cached by this worker
        assert (await api.client.get("/cases", headers=auth)).status_code == 200

    assert (await api.client.post(f"/officers/{pc.id}/deactivate", headers=sergeant.auth)).status_code == 403
    own = await api.client.post(f"/officers/{admin.id}/deactivate", headers=admin.auth)
    assert own.status_code == 409
    done = await api.client.post(f"/officers/{pc.id}/deactivate", headers=admin.auth)
    assert done.status_code == 200
    assert done.json()["active"] is False
    for auth in (pc.auth, second):
        assert (await api.client.get("/cases", headers=auth)).status_code == 401
    assert await login_status(api, "pc1", PASSWORD) == 401
    assert (await api.client.get(f"/cases/{victim.case_id}", headers=sergeant.auth)).status_code == 200
    assert (await api.client.get(f"/cases/{victim.case_id}", headers=victim.auth)).status_code == 200

    assert (await api.client.post(f"/officers/{pc.id}/reactivate", headers=admin.auth)).json()["active"] is True
    assert (await api.client.get("/cases", headers=pc.auth)).status_code == 401  # ended sessions stay ended
    assert await login_status(api, "pc1", PASSWORD) == 200
    details = {r.action: r.detail for r in api.rows(audit_event, audit_event.c.actor_id == uuid.UUID(admin.id))}
    assert details["officer.deactivate"] == {"officer_id": pc.id, "sessions_ended": 2}
    assert "officer.reactivate" in details


async def test_an_officer_changes_their_password_and_their_other_devices_are_signed_out(api: Api) -> None:
    await admin_of(api)
    pc = await api.add_officer("tvp", "pc1")
    other = bearer(await api.login("tvp", "pc1"))
    assert (await api.client.get("/officers/me", headers=other)).status_code == 200
    body = {"current_password": "not-my-password", "new_password": "a-brand-new-password"}
    wrong = await api.client.post("/auth/officer/password", json=body, headers=pc.auth)
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "bad_credentials"
    changed = await api.client.post(
        "/auth/officer/password", json={**body, "current_password": PASSWORD}, headers=pc.auth
    )
    assert changed.status_code == 204
    assert (await api.client.get("/officers/me", headers=pc.auth)).status_code == 200
    assert (await api.client.get("/officers/me", headers=other)).status_code == 401
    assert await login_status(api, "pc1", PASSWORD) == 401
    assert await login_status(api, "pc1", "a-brand-new-password") == 200
    assert "officer.password_change" in {r.action for r in api.rows(audit_event)}


async def test_an_admin_reset_ends_the_password_and_every_session(api: Api) -> None:
    admin = await admin_of(api)
    pc = await api.add_officer("tvp", "pc1")
    assert (await api.client.post(f"/officers/{pc.id}/password-reset", headers=pc.auth)).status_code == 403
    reset = await api.client.post(f"/officers/{pc.id}/password-reset", headers=admin.auth)
    assert reset.status_code == 201
    assert (await api.client.get("/officers/me", headers=pc.auth)).status_code == 401
    assert await login_status(api, "pc1", PASSWORD) == 401
    assert (await setup(api, reset.json()["setup_code"], username="pc1")).status_code == 204
    assert await login_status(api, "pc1", "a-password-of-my-own") == 200
    assert "officer.password_reset" in {r.action for r in api.rows(audit_event)}


async def test_a_sign_in_racing_a_password_reset_does_not_outlive_it(api: Api) -> None:
    """The reset holds the officer's row while a sign-in with the old password arrives: the
    sign-in waits for it, then finds the password gone."""
    await admin_of(api)
    pc = await api.add_officer("tvp", "pc1")
    force_id = api.rows(officer, officer.c.username == "pc1")[0].force_id
    db, ctx = api.services.db, api.services.ctx
    with db.engine.connect() as conn:
        conn.info["write"] = True
        try:
            with conn.begin():
                accounts.reset_password(conn, ctx, None, force_id, uuid.UUID(pc.id))
                signing_in = asyncio.create_task(login_status(api, "pc1", PASSWORD))
                await asyncio.sleep(0.5)
                assert not signing_in.done()
        finally:
            conn.info["write"] = False
    assert await signing_in == 401
    assert (
        api.count(
            device_session, device_session.c.officer_id == uuid.UUID(pc.id), device_session.c.revoked_at.is_(None)
        )
        == 0
    )


async def test_a_set_up_code_given_before_deactivation_does_not_work_after_reactivation(api: Api) -> None:
    admin = await admin_of(api)
    created = await api.client.post("/officers", json=NEW_OFFICER, headers=admin.auth)
    officer_id, code = created.json()["id"], created.json()["setup"]["setup_code"]
    assert (await api.client.post(f"/officers/{officer_id}/deactivate", headers=admin.auth)).status_code == 200
    assert (await api.client.post(f"/officers/{officer_id}/reactivate", headers=admin.auth)).status_code == 200
    refused = await setup(api, code)
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "setup_code_refused")
    assert await login_status(api, "new.pc", "a-password-of-my-own") == 401
