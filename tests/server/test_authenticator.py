"""Every officer has an authenticator: without one a session can only set one up, and setting
one up (or replacing it) needs the password again."""

from __future__ import annotations

import uuid

import httpx
import pyotp
import pytest

from sync.protocol import Role
from sync.server import limits
from sync.server.models import attempt, audit_event, officer
from tests.support import PASSWORD, Api, bearer, reported


@pytest.fixture
async def token(api: Api) -> str:
    """A password-only session of an officer the admin has just made."""
    api.create_force("tvp", "Thames Valley Police")
    api.create_officer("tvp", "pc1")
    return await api.login("tvp", "pc1")


async def _enrol(api: Api, token: str, **body: str) -> httpx.Response:
    return await api.client.post("/auth/officer/totp", json={"password": PASSWORD, **body}, headers=bearer(token))


async def _confirm(api: Api, token: str, code: str) -> httpx.Response:
    return await api.client.post("/auth/officer/totp/confirm", json={"totp_code": code}, headers=bearer(token))


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.ADMIN])
async def test_without_an_authenticator_an_officer_can_only_set_one_up(api: Api, role: Role) -> None:
    api.create_force("tvp", "Thames Valley Police")
    api.create_officer("tvp", "someone", role)
    auth = bearer(await api.login("tvp", "someone"))
    case_id = uuid.uuid4()
    refused = [
        await api.client.get("/cases", headers=auth),
        await api.client.get(f"/cases/{case_id}", headers=auth),
        await api.client.post(
            "/cases",
            json={
                "crime_reference": "REF0001",
                "crime_type": "Burglary",
                "summary": "Back door forced.",
                "reported_on": reported(),
                "victim": {"name": "Alex Morgan", "phone": "07700 900123"},
            },
            headers=auth,
        ),
        await api.client.get("/sync", headers=auth),
        await api.client.get("/officers", headers=auth),
        await api.client.get("/stats", headers=auth),
        await api.client.get("/support-services", headers=auth),
        await api.client.put(f"/cases/{case_id}/messages/{uuid.uuid4()}", json={"body": "Hello"}, headers=auth),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "authenticator_required"
    assert "authenticator" in refused[0].json()["error"]["message"]
    me = await api.client.get("/officers/me", headers=auth)
    assert me.status_code == 200
    assert me.json()["totp_enabled"] is False

    started = await api.client.post("/auth/officer/totp", json={"password": PASSWORD}, headers=auth)
    assert started.status_code == 201
    confirmed = await _confirm(api, auth["Authorization"][7:], pyotp.TOTP(started.json()["secret"]).at(api.clock.now))
    assert confirmed.status_code == 204
    readable = "/officers" if role == Role.ADMIN else "/cases"  # an admin reads no cases, whatever happens
    assert (await api.client.get(readable, headers=auth)).status_code == 200
    assert (await api.client.post("/auth/logout", headers=auth)).status_code == 204


async def test_an_officer_without_an_authenticator_can_sign_out(api: Api, token: str) -> None:
    assert (await api.client.post("/auth/logout", headers=bearer(token))).status_code == 204
    assert (await api.client.get("/officers/me", headers=bearer(token))).status_code == 401


async def test_setting_up_an_authenticator_needs_the_password(api: Api, token: str) -> None:
    missing = await api.client.post("/auth/officer/totp", json={}, headers=bearer(token))
    assert missing.status_code == 422
    wrong = await _enrol(api, token, password="not the password")
    assert wrong.status_code == 403
    assert wrong.json()["error"] == {"code": "bad_password", "message": "The password is not right."}
    assert api.count(officer, officer.c.totp_pending_secret.is_not(None)) == 0
    assert "officer.totp_enrol_refused" in [row.action for row in api.rows(audit_event)]

    started = await _enrol(api, token)
    assert started.status_code == 201
    assert started.json()["provisioning_uri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(started.json()["secret"])
    assert (await _confirm(api, token, "000000" if totp.at(api.clock.now) != "000000" else "111111")).status_code == 400
    assert (await _confirm(api, token, totp.at(api.clock.now))).status_code == 204
    actions = [row.action for row in api.rows(audit_event)]
    assert "officer.totp_enrol" in actions
    assert "officer.totp_enabled" in actions

    api.clock.advance(seconds=60)
    without = await api.client.post(
        "/auth/officer/login", json={"force_code": "tvp", "username": "pc1", "password": PASSWORD}
    )
    assert without.json()["error"]["code"] == "totp_required"
    code = totp.at(api.clock.now)
    assert (await api.login("tvp", "pc1", totp_code=code)) != token
    replay = await api.client.post(
        "/auth/officer/login",
        json={"force_code": "tvp", "username": "pc1", "password": PASSWORD, "totp_code": code},
    )
    assert replay.json()["error"]["code"] == "bad_totp"


async def test_wrong_passwords_when_setting_up_count_against_the_sign_in_limit(api: Api, token: str) -> None:
    for _ in range(limits.OFFICER_LOGIN_PER_ACCOUNT.max_failures):
        assert (await _enrol(api, token, password="guess")).status_code == 403
    assert api.count(attempt, attempt.c.scope == limits.OFFICER_LOGIN_PER_ACCOUNT.scope) == 5
    locked = await _enrol(api, token)
    assert locked.status_code == 429
    signing_in = await api.client.post(
        "/auth/officer/login", json={"force_code": "tvp", "username": "pc1", "password": PASSWORD}
    )
    assert signing_in.status_code == 429


async def test_replacing_an_authenticator_needs_the_password_and_a_code_from_the_old(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    pc1 = await api.add_officer("tvp", "pc1")
    old = pyotp.TOTP(api.authenticators[("tvp", "pc1")])

    assert (await _enrol(api, pc1.token)).json()["error"]["code"] == "totp_required"
    assert (await _enrol(api, pc1.token, password="guess", totp_code=old.at(api.clock.now))).status_code == 403
    wrong = "000000" if old.at(api.clock.now) != "000000" else "111111"
    assert (await _enrol(api, pc1.token, totp_code=wrong)).json()["error"]["code"] == "bad_totp"

    api.clock.advance(seconds=90)
    started = await _enrol(api, pc1.token, totp_code=old.at(api.clock.now))
    assert started.status_code == 201
    new = pyotp.TOTP(started.json()["secret"])
    # Until the new one is confirmed, the old one still signs in and the session still reads cases.
    api.clock.advance(seconds=30)
    laptop = bearer(await api.login("tvp", "pc1", totp_code=old.at(api.clock.now)))
    assert (await api.client.get("/cases", headers=pc1.auth)).status_code == 200
    assert (await api.client.get("/cases", headers=laptop)).status_code == 200

    assert (await _confirm(api, pc1.token, new.at(api.clock.now))).status_code == 204
    assert "officer.totp_replaced" in [row.action for row in api.rows(audit_event)]
    # Replaced because a device may be in the wrong hands: every other device signs in again.
    assert (await api.client.get("/cases", headers=laptop)).status_code == 401
    assert (await api.client.get("/cases", headers=pc1.auth)).status_code == 200
    api.clock.advance(seconds=30)
    by_old = await api.client.post(
        "/auth/officer/login",
        json={"force_code": "tvp", "username": "pc1", "password": PASSWORD, "totp_code": old.at(api.clock.now)},
    )
    assert by_old.json()["error"]["code"] == "bad_totp"
    assert await api.login("tvp", "pc1", totp_code=new.at(api.clock.now))
