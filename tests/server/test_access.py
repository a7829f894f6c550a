"""The authorization matrix: who may touch which case, and what a refusal gives away (nothing)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sync.protocol import Role
from tests.support import Api, World, bearer


def case_calls(case_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", f"/cases/{case_id}", None),
        ("GET", f"/cases/{case_id}/updates", None),
        ("GET", f"/cases/{case_id}/messages", None),
        ("PUT", f"/cases/{case_id}/messages/{uuid.uuid4()}", {"body": "hello"}),
        ("POST", f"/cases/{case_id}/read", {"up_to_seq": 10}),
        ("POST", f"/cases/{case_id}/update-requests", {}),
        ("POST", f"/cases/{case_id}/updates", {"text": "An update"}),
        ("POST", f"/cases/{case_id}/invitations", {}),
        ("GET", f"/cases/{case_id}/update-templates", None),
        ("POST", f"/cases/{case_id}/hand-over", {"officer_id": str(uuid.uuid4())}),
    ]


async def call(api: Api, token: str, method: str, path: str, body: dict[str, Any] | None) -> Any:
    return await api.client.request(method, path, json=body, headers=bearer(token))


def assert_error(response: Any, status: int | tuple[int, ...]) -> None:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.request.url, response.text)
    error = response.json()["error"]
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)


@pytest.mark.parametrize(
    ("who", "whose"),
    [
        ("tvp.v1", "tvp.v2"),  # a victim on another victim's case
        ("tvp.pc1", "tvp.v2"),  # an officer on a colleague's case
        ("tvp.pc1", "hiow.v1"),  # an officer on another force's case
        ("tvp.sgt", "hiow.v1"),  # a supervisor on another force's case
        ("hiow.v2", "tvp.v1"),  # a victim on another force's case
    ],
)
async def test_nobody_reaches_a_case_that_is_not_theirs(world: World, who: str, whose: str) -> None:
    api = world.api
    actor = world.anyone(who)
    target = world.victims[whose]
    force, victim_name = whose.split(".")
    owner = world.officers[f"{force}.pc{victim_name[1:]}"]
    reference = (await api.client.get(f"/cases/{target.case_id}", headers=owner.auth)).json()["crime_reference"]
    for method, path, body in case_calls(target.case_id):
        response = await call(api, actor.token, method, path, body)
        assert_error(response, (403, 404))
        assert reference not in response.text
        assert "Victim" not in response.text


async def test_refusals_look_the_same_as_a_case_that_does_not_exist(world: World) -> None:
    api = world.api
    victim = world.victims["tvp.v1"]
    someone_elses = await api.client.get(f"/cases/{world.victims['tvp.v2'].case_id}", headers=victim.auth)
    missing = await api.client.get(f"/cases/{uuid.uuid4()}", headers=victim.auth)
    assert someone_elses.status_code == missing.status_code == 404
    assert someone_elses.json() == missing.json()


async def test_the_people_on_a_case_can_use_it(world: World) -> None:
    api = world.api
    victim, officer, sergeant = world.victims["tvp.v1"], world.officers["tvp.pc1"], world.officers["tvp.sgt"]
    for who in (victim, officer, sergeant):
        assert (await api.client.get(f"/cases/{victim.case_id}", headers=who.auth)).status_code == 200
        assert (await api.send(who, victim.case_id, "hello")).status_code == 201
    assert (
        await api.client.post(f"/cases/{victim.case_id}/updates", json={"text": "x"}, headers=officer.auth)
    ).status_code == 201
    assert (
        await api.client.post(f"/cases/{victim.case_id}/updates", json={"text": "y"}, headers=sergeant.auth)
    ).status_code == 201
    forbidden = await api.client.post(f"/cases/{victim.case_id}/updates", json={"text": "z"}, headers=victim.auth)
    assert_error(forbidden, 403)


async def test_caseloads(world: World) -> None:
    api = world.api

    async def references(token: str) -> set[str]:
        response = await api.client.get("/cases", headers=bearer(token))
        assert response.status_code == 200
        return {c["id"] for c in response.json()["data"]}

    tvp = {world.victims["tvp.v1"].case_id, world.victims["tvp.v2"].case_id}
    assert await references(world.officers["tvp.pc1"].token) == {world.victims["tvp.v1"].case_id}
    assert await references(world.officers["tvp.sgt"].token) == tvp
    assert await references(world.victims["tvp.v2"].token) == {world.victims["tvp.v2"].case_id}
    assert_error(await api.client.get("/cases", headers=world.officers["tvp.admin"].auth), 403)


@pytest.mark.parametrize("role", ["tvp.pc1", "tvp.sgt", "tvp.v1"])
async def test_only_admins_and_the_record_system_add_officers(world: World, role: str) -> None:
    actor = world.anyone(role)
    body = {
        "username": "new.pc",
        "name": "PC New",
        "collar_number": "9999",
        "email": "new@example.org",
        "phone": "01632 960001",
    }
    assert_error(await world.api.client.post("/officers", json=body, headers=actor.auth), 403)
    assert (
        await world.api.client.post("/officers", json=body, headers=world.officers["tvp.admin"].auth)
    ).status_code == 201
    by_key = await world.api.client.post(
        "/officers",
        json={**body, "username": "new.pc2", "collar_number": "9998"},
        headers=bearer(world.api.integration_keys["tvp"]),
    )
    assert by_key.status_code == 201


async def test_the_integration_key_does_its_three_jobs_and_nothing_else(world: World) -> None:
    api = world.api
    key = api.integration_keys["tvp"]
    case = await api.client.post(
        "/cases",
        json={
            "crime_reference": "43260077777",
            "crime_type": "Theft",
            "reported_on": "2026-11-01",
            "officer_collar_number": "103",
            "victim": {"name": "Pat", "phone": "07700 900555"},
        },
        headers=bearer(key),
    )
    assert case.status_code == 201, case.text
    update = await api.client.post(
        f"/cases/{case.json()['id']}/updates", json={"status": "investigating"}, headers=bearer(key)
    )
    assert update.status_code == 201
    assert update.json()["author_name"] == "Police records"

    own_case = world.victims["tvp.v1"].case_id
    for method, path, body in [
        ("GET", "/cases", None),
        ("GET", f"/cases/{own_case}", None),
        ("GET", "/sync", None),
        ("GET", "/stats", None),
        ("PUT", f"/cases/{own_case}/messages/{uuid.uuid4()}", {"body": "hi"}),
        ("POST", f"/cases/{own_case}/invitations", {}),
        ("POST", f"/cases/{own_case}/update-requests", {}),
        ("GET", f"/cases/{own_case}/update-templates", None),
        ("POST", f"/cases/{own_case}/hand-over", {"officer_id": world.officers["tvp.pc2"].id}),
        ("POST", "/auth/logout", None),
    ]:
        assert_error(await call(api, key, method, path, body), (403, 404))
    other_force = world.victims["hiow.v1"].case_id
    assert_error(await call(api, key, "POST", f"/cases/{other_force}/updates", {"text": "x"}), 404)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer vpv_not-a-real-token",
        "Bearer vpk_not-a-real-key",
        "token",
    ],
)
async def test_missing_or_unknown_credentials_are_refused(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = await api.client.get("/cases", headers=headers)
    assert_error(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_revoked_token_is_refused_everywhere(world: World) -> None:
    api = world.api
    victim, officer = world.victims["tvp.v1"], world.officers["tvp.pc1"]
    for who in (victim, officer):
        assert (await api.sync(who))["cursor"]
        assert (await api.client.post("/auth/logout", headers=who.auth)).status_code == 204
        assert_error(await api.client.get("/sync", headers=who.auth), 401)
        assert_error(await api.client.get(f"/cases/{victim.case_id}", headers=who.auth), 401)
        assert_error(await api.send(who, victim.case_id, "still there?"), 401)


async def test_stats_are_for_supervisors_and_admins(world: World) -> None:
    api = world.api
    for who in ("tvp.pc1", "tvp.v1"):
        actor = world.anyone(who)
        assert_error(await api.client.get("/stats", headers=actor.auth), 403)
    for who in ("tvp.sgt", "tvp.admin"):
        assert (await api.client.get("/stats", headers=world.officers[who].auth)).status_code == 200
    assert Role.ADMIN  # roles come from the protocol, not strings spread through the tests
