"""Signing in: officers with password and TOTP, victims with an invitation and a one-time code."""

from __future__ import annotations

import json

import httpx
import pytest

from sync.server.models import audit_event, challenge, device_session, invitation
from tests.support import PASSWORD, Api, Officer, bearer


@pytest.fixture
async def officer(api: Api) -> Officer:
    api.create_force("tvp", "Thames Valley Police")
    return await api.add_officer("tvp", "pc1")


async def login(api: Api, password: str = PASSWORD, **extra: str) -> httpx.Response:
    if password == PASSWORD and "totp_code" not in extra:
        extra["totp_code"] = api.totp_code("tvp", "pc1")
    return await api.client.post(
        "/auth/officer/login", json={"force_code": "tvp", "username": "pc1", "password": password, **extra}
    )


async def test_officer_login_gives_a_bearer_token(api: Api, officer: Officer) -> None:
    response = await login(api)
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("vpo_")
    assert body["role"] == "officer"
    assert body["token_type"] == "bearer"
    me = await api.client.get("/officers/me", headers=bearer(body["token"]))
    assert me.json()["username"] == "pc1"


@pytest.mark.parametrize(
    "body",
    [
        {"force_code": "tvp", "username": "pc1", "password": "wrong password"},
        {"force_code": "tvp", "username": "nobody", "password": PASSWORD},
        {"force_code": "hiow", "username": "pc1", "password": PASSWORD},
    ],
)
async def test_wrong_credentials_get_one_answer_that_says_nothing_more(
    api: Api, officer: Officer, body: dict[str, str]
) -> None:
    response = await api.client.post("/auth/officer/login", json=body)
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "bad_credentials",
        "message": "The force, username or password is not right.",
    }


async def test_repeated_failures_lock_the_account_for_a_while(api: Api, officer: Officer) -> None:
    for _ in range(5):
        assert (await login(api, "guess")).status_code == 401
    locked = await login(api)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    api.clock.advance(minutes=16)
    assert (await login(api)).status_code == 200


async def test_officer_tokens_expire_after_a_shift(api: Api, officer: Officer) -> None:
    assert (await api.client.get("/officers/me", headers=officer.auth)).status_code == 200
    api.clock.advance(hours=13)
    assert (await api.client.get("/officers/me", headers=officer.auth)).status_code == 401


async def test_a_victim_signs_in_with_the_invitation_and_the_code(api: Api, officer: Officer) -> None:
    case = await api.create_case(officer)
    token = await api.invite(officer, case["id"])
    redeemed = await api.redeem(token)
    assert redeemed.status_code == 201
    assert "900123" not in redeemed.json()["sent_to"][:-3]
    assert redeemed.json()["sent_to"].endswith("123")
    code = api.last_code()
    verified = await api.verify(redeemed.json()["challenge_id"], code)
    assert verified.status_code == 200
    assert verified.json()["role"] == "victim"
    mine = await api.client.get("/cases", headers=bearer(verified.json()["token"]))
    assert [c["id"] for c in mine.json()["data"]] == [case["id"]]

    again = await api.redeem(token)
    assert again.status_code == 410
    assert again.json()["error"]["code"] == "invitation_used"


async def test_invitations_and_codes_are_stored_only_as_digests(api: Api, officer: Officer) -> None:
    case = await api.create_case(officer)
    token = await api.invite(officer, case["id"])
    redeemed = await api.redeem(token)
    code = api.last_code()
    verified = await api.verify(redeemed.json()["challenge_id"], code)
    session_token = verified.json()["token"]
    stored = " ".join(
        str(tuple(row)) for table in (invitation, challenge, device_session, audit_event) for row in api.rows(table)
    )
    for secret in (token, session_token, officer.token, PASSWORD):
        assert secret not in stored


async def test_an_expired_invitation(api: Api, officer: Officer) -> None:
    case = await api.create_case(officer)
    token = await api.invite(officer, case["id"])
    api.clock.advance(days=15)
    response = await api.redeem(token)
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "invitation_expired"


async def test_an_unknown_invitation(api: Api, officer: Officer) -> None:
    response = await api.redeem("x" * 27)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "invitation_unknown"


async def test_five_wrong_codes_lock_the_code(api: Api, officer: Officer) -> None:
    case = await api.create_case(officer)
    redeemed = await api.redeem(await api.invite(officer, case["id"]))
    challenge_id = redeemed.json()["challenge_id"]
    right = api.last_code()
    wrong = "000000" if right != "000000" else "111111"
    answers = [await api.verify(challenge_id, wrong) for _ in range(5)]
    assert [a.status_code for a in answers] == [400] * 5
    assert "4 tries left" in answers[0].json()["error"]["message"]
    assert answers[-1].json()["error"]["code"] == "code_locked"
    locked = await api.verify(challenge_id, right)
    assert locked.status_code == 410
    assert locked.json()["error"]["code"] == "code_locked"


async def test_an_expired_code(api: Api, officer: Officer) -> None:
    case = await api.create_case(officer)
    redeemed = await api.redeem(await api.invite(officer, case["id"]))
    api.clock.advance(minutes=11)
    response = await api.verify(redeemed.json()["challenge_id"], api.last_code())
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "code_expired"


async def test_a_new_code_replaces_the_last_and_codes_are_limited(api: Api, officer: Officer) -> None:
    case = await api.create_case(officer)
    token = await api.invite(officer, case["id"])
    first = await api.redeem(token)
    first_code = api.last_code()
    second = await api.redeem(token)
    assert (await api.verify(first.json()["challenge_id"], first_code)).status_code == 410
    third = await api.redeem(token)
    assert third.status_code == 201
    assert (await api.redeem(token)).status_code == 429
    assert second.status_code == 201


async def test_guessing_invitations_is_rate_limited(api: Api, officer: Officer) -> None:
    statuses = [(await api.redeem(f"guess-{n:04d}-abcdef")).status_code for n in range(12)]
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]


async def test_sign_ins_are_audited_without_secrets(api: Api, officer: Officer) -> None:
    await login(api, "wrong")
    victim = await api.victim_with_case(officer)
    actions = [row.action for row in api.rows(audit_event)]
    for expected in ("officer.login", "officer.login_failed", "invitation.create", "invitation.redeem", "victim.login"):
        assert expected in actions
    logins = [row for row in api.rows(audit_event) if row.action == "victim.login"]
    assert logins[0].session_id is not None
    assert logins[0].ip == "203.0.113.9"
    assert json.loads(json.dumps(logins[0].detail)) == {"device": "Test phone"}
    assert victim.token not in str([tuple(r) for r in api.rows(audit_event)])
