"""Malformed or hostile input: a 4xx JSON error, never a 500, and nothing stored."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.server.models import case, case_update, event, invitation, message, officer, update_request, victim
from tests.support import Api, Victim, World

TABLES = (message, case, victim, officer, case_update, update_request, invitation, event)


def counts(api: Api) -> list[int]:
    return [api.count(table) for table in TABLES]


def assert_refused(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]


def endpoints(world: World) -> list[tuple[str, str, str]]:
    v = world.victims["tvp.v1"]
    return [
        ("POST", "/cases", "tvp.pc1"),
        ("POST", "/officers", "tvp.admin"),
        ("PUT", f"/cases/{v.case_id}/messages/{uuid.uuid4()}", "tvp.v1"),
        ("POST", f"/cases/{v.case_id}/read", "tvp.v1"),
        ("POST", f"/cases/{v.case_id}/updates", "tvp.pc1"),
        ("POST", f"/cases/{v.case_id}/update-requests", "tvp.v1"),
        ("POST", f"/cases/{v.case_id}/invitations", "tvp.pc1"),
        ("POST", "/auth/officer/login", "tvp.v1"),
        ("POST", "/auth/victim/redeem", "tvp.v1"),
        ("POST", "/auth/victim/verify", "tvp.v1"),
    ]


async def test_malformed_json_wrong_types_and_unknown_fields(world: World) -> None:
    api = world.api
    before = counts(api)
    for method, path, who in endpoints(world):
        headers = {**world.anyone(who).auth, "Content-Type": "application/json"}
        assert_refused(await api.client.request(method, path, content=b'{"body": "unterminated', headers=headers), 400)
        if path.endswith("/invitations") or path.endswith("/update-requests"):
            wrong_types: list[Any] = [[1, 2], "text", {"channel": 5}]
        else:
            wrong_types = [[1, 2], "text", {"body": {"nested": True}, "up_to_seq": "ten", "crime_reference": 7}]
        for body in wrong_types:
            response = await api.client.request(method, path, json=body, headers=headers)
            assert_refused(response, 422)
            assert response.json()["error"]["code"] == "invalid_request"
        extra = await api.client.request(method, path, json={"sneaky": "field"}, headers=headers)
        assert_refused(extra, 422)
    assert counts(api) == before


async def test_oversized_bodies_are_refused_declared_or_streamed(world: World) -> None:
    api = world.api
    v = world.victims["tvp.v1"]
    before = counts(api)
    big = b'{"body": "' + b"x" * (70 * 1024) + b'"}'
    declared = await api.client.put(
        f"/cases/{v.case_id}/messages/{uuid.uuid4()}",
        content=big,
        headers={**v.auth, "Content-Type": "application/json"},
    )
    assert_refused(declared, 413)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    streamed = await api.client.put(
        f"/cases/{v.case_id}/messages/{uuid.uuid4()}",
        content=chunks(),
        headers={**v.auth, "Content-Type": "application/json"},
    )
    assert_refused(streamed, 413)
    assert streamed.json()["error"]["code"] == "payload_too_large"
    assert counts(api) == before


async def test_unknown_ids_paths_and_methods(world: World) -> None:
    api = world.api
    v: Victim = world.victims["tvp.v1"]
    assert_refused(await api.client.get(f"/cases/{uuid.uuid4()}", headers=v.auth), 404)
    assert_refused(await api.client.get("/cases/not-a-uuid", headers=v.auth), 422)
    assert_refused(
        await api.client.put(f"/cases/{v.case_id}/messages/not-a-uuid", json={"body": "x"}, headers=v.auth), 422
    )
    assert_refused(await api.client.get("/no/such/thing", headers=v.auth), 404)
    assert_refused(await api.client.delete(f"/cases/{v.case_id}", headers=v.auth), 405)
    assert_refused(await api.client.get("/sync", params={"since": "garbage!"}, headers=v.auth), 400)
    assert_refused(await api.client.get("/sync", params={"timeout": 31}, headers=v.auth), 422)
    assert_refused(await api.client.get("/sync", params={"timeout": "soon"}, headers=v.auth), 422)
    assert_refused(await api.client.post(f"/cases/{v.case_id}/read", json={"up_to_seq": -1}, headers=v.auth), 422)


async def test_a_rejected_case_stores_no_victim(world: World) -> None:
    api = world.api
    before = counts(api)
    response = await api.client.post(
        "/cases",
        json={
            "crime_reference": "43260011111",
            "crime_type": "Theft",
            "reported_on": "2026-11-01",
            "victim": {"name": "Pat", "preferred_channel": "sms", "email": "pat@example.org"},
        },
        headers=world.officers["tvp.pc1"].auth,
    )
    assert_refused(response, 400)
    assert response.json()["error"]["code"] == "victim_contact_missing"
    bad_phone = await api.client.post(
        "/cases",
        json={
            "crime_reference": "43260011112",
            "crime_type": "Theft",
            "reported_on": "2026-11-01",
            "victim": {"name": "Pat", "phone": "not a number"},
        },
        headers=world.officers["tvp.pc1"].auth,
    )
    assert_refused(bad_phone, 400)
    assert counts(api) == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values)
async def test_any_json_at_all_gets_an_answer_not_a_crash(world: World, body: Any) -> None:
    api = world.api
    v = world.victims["tvp.v1"]
    for method, path, who in endpoints(world)[:3]:
        response = await api.client.request(method, path, json=body, headers=world.anyone(who).auth)
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message"}
    assert v.case_id
