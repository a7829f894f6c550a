"""A force's own list of local support services: set by its admin (or the command line), read by
anyone signed in to that force, and by no one else."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sync.server import cli, demo
from sync.server.models import audit_event, support_services
from tests.server.test_access import assert_error
from tests.support import Api, World, bearer

PATH = "/support-services"
SERVICE: dict[str, Any] = {
    "id": "victims-first",
    "name": "Victims First",
    "purpose": "The Thames Valley Police and Crime Commissioner's service for victims.",
    "phone": None,
    "website": "https://victims-first.org.uk",
    "source": "victims-first.org.uk",
    "reviewed": "2026-11-01",
}
LIST: dict[str, Any] = {"version": "2026-11-01", "services": [SERVICE]}


def snapshot(api: Api) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in api.rows(support_services)]


async def test_a_force_without_its_own_list_says_so(world: World) -> None:
    for who in ("tvp.v1", "tvp.pc1", "tvp.sgt", "tvp.admin"):
        response = await world.api.client.get(PATH, headers=world.anyone(who).auth)
        assert_error(response, 404)
        assert response.json()["error"]["code"] == "no_local_list"


async def test_the_admin_sets_it_and_everyone_in_that_force_reads_it(world: World) -> None:
    api = world.api
    response = await api.client.put(PATH, json=LIST, headers=world.officers["tvp.admin"].auth)
    assert response.status_code == 200, response.text
    assert response.json() == LIST
    for who in ("tvp.v1", "tvp.v2", "tvp.pc1", "tvp.sgt", "tvp.admin"):
        read = await api.client.get(PATH, headers=world.anyone(who).auth)
        assert read.status_code == 200, who
        assert read.json() == LIST
    for who in ("hiow.v1", "hiow.pc1", "hiow.admin"):  # another force's list is not theirs
        assert (await api.client.get(PATH, headers=world.anyone(who).auth)).json()["error"]["code"] == "no_local_list"
    assert [row.action for row in api.rows(audit_event)].count("support_services.update") == 1


async def test_only_the_forces_admin_may_change_it(world: World) -> None:
    api = world.api
    for who in ("tvp.v1", "tvp.pc1", "tvp.sgt"):
        assert_error(await api.client.put(PATH, json=LIST, headers=world.anyone(who).auth), 403)
    key = bearer(api.integration_keys["tvp"])
    assert_error(await api.client.put(PATH, json=LIST, headers=key), 403)
    assert_error(await api.client.get(PATH, headers=key), 403)
    for headers in ({}, bearer("vpo_not-a-real-token")):
        assert_error(await api.client.put(PATH, json=LIST, headers=headers), 401)
        assert_error(await api.client.get(PATH, headers=headers), 401)
    assert snapshot(api) == []
    # An admin sets their own force's list, never another's.
    assert (await api.client.put(PATH, json=LIST, headers=world.officers["hiow.admin"].auth)).status_code == 200
    assert (await api.client.get(PATH, headers=world.victims["hiow.v1"].auth)).status_code == 200
    assert_error(await api.client.get(PATH, headers=world.victims["tvp.v1"].auth), 404)


async def test_a_changed_list_needs_a_later_version(world: World) -> None:
    api = world.api
    admin = world.officers["tvp.admin"].auth
    assert (await api.client.put(PATH, json=LIST, headers=admin)).status_code == 200
    same_again = await api.client.put(PATH, json=LIST, headers=admin)
    assert same_again.status_code == 200
    assert [row.action for row in api.rows(audit_event)].count("support_services.update") == 1
    before = snapshot(api)

    changed = {"version": LIST["version"], "services": [{**SERVICE, "name": "Victims First (renamed)"}]}
    older = {**changed, "version": "2026-10-01"}
    for body in (changed, older):
        response = await api.client.put(PATH, json=body, headers=admin)
        assert_error(response, 409)
        assert response.json()["error"]["code"] == "version_not_newer"
    assert snapshot(api) == before

    newer = {**changed, "version": "2026-12-01"}
    assert (await api.client.put(PATH, json=newer, headers=admin)).status_code == 200
    assert (await api.client.get(PATH, headers=world.victims["tvp.v1"].auth)).json() == newer
    assert api.count(support_services) == 1


def hostile_lists() -> list[Any]:
    def with_service(**change: Any) -> dict[str, Any]:
        return {"version": "2026-11-01", "services": [{**SERVICE, **change}]}

    without_name = copy.deepcopy(LIST)
    del without_name["services"][0]["name"]
    return [
        {**LIST, "version": "2026-13-45"},
        {**LIST, "version": "yesterday"},
        {**LIST, "version": 20261101},
        {**LIST, "version": "2026-11-01'; DROP TABLE force; --"},
        {"version": "2026-11-01"},
        {"version": "2026-11-01", "services": []},
        {"version": "2026-11-01", "services": [SERVICE, SERVICE]},
        {"version": "2026-11-01", "services": [{**SERVICE, "id": f"s{n}"} for n in range(101)]},
        {**LIST, "note": "extra"},
        without_name,
        with_service(id="Victims First"),
        with_service(id=""),
        with_service(name=""),
        with_service(name="x" * 201),
        with_service(purpose=""),
        with_service(purpose="x" * 501),
        with_service(purpose="bad\u0000byte"),
        with_service(website="javascript:alert(1)"),
        with_service(website="http://victims-first.org.uk"),
        with_service(website="https://victims first.org.uk"),
        with_service(website="https://victims-first.org.uk/\u0000"),
        with_service(name="Victims\u0007 First"),
        with_service(source="Force\u0000list"),
        with_service(phone="1"),
        with_service(phone=101),
        with_service(reviewed="last week"),
        with_service(reviewed=None),
        with_service(source=""),
        with_service(**{"for": "the bundled file's name for purpose"}),
        [LIST],
        "2026-11-01",
        None,
    ]


async def test_hostile_or_malformed_lists_are_refused_and_nothing_is_stored(world: World) -> None:
    api = world.api
    admin = world.officers["tvp.admin"].auth
    for body in hostile_lists():
        response = await api.client.put(PATH, json=body, headers=admin)
        assert_error(response, 422)
        assert response.json()["error"]["code"] == "invalid_request", body
    broken = await api.client.put(
        PATH, content=b'{"version": "2026-', headers={**admin, "Content-Type": "application/json"}
    )
    assert_error(broken, 400)
    assert snapshot(api) == []
    assert "support_services.update" not in [row.action for row in api.rows(audit_event)]


# ---------------------------------------------------------------------------- the command line and the demo


def run_cli(api: Api, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("PORTAL_DATABASE_URL", api.settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", api.settings.secret_key.get_secret_value())
    monkeypatch.setenv("PORTAL_NOTIFY_FILE", str(api.settings.notify_file))
    return cli.main(list(args))


async def test_the_command_line_sets_a_forces_list_from_a_file(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    api = world.api
    good = tmp_path / "tvp.json"
    good.write_text(json.dumps(LIST))
    assert run_cli(api, monkeypatch, "support-services", "--force", "TVP", "--file", str(good)) == 0
    assert "Stored 1 support services for tvp" in capsys.readouterr().out
    assert (await api.client.get(PATH, headers=world.victims["tvp.v1"].auth)).json() == LIST
    assert run_cli(api, monkeypatch, "support-services", "--force", "tvp", "--file", str(good)) == 0
    assert "nothing changed" in capsys.readouterr().out
    before = snapshot(api)

    not_json = tmp_path / "not.json"
    not_json.write_text('{"version": "2026-12-01", "services": [')
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"version": "2026-12-01", "services": [{**SERVICE, "website": "ftp://x"}]}))
    not_utf8 = tmp_path / "latin1.json"
    not_utf8.write_bytes(b'{"version": "2026-12-01", "services": [{"name": "\xe9"}]}')
    changed_same_version = tmp_path / "same-version.json"
    changed_same_version.write_text(json.dumps({**LIST, "services": [{**SERVICE, "name": "Renamed"}]}))
    for force, path, says in [
        ("tvp", tmp_path / "missing.json", "Cannot read"),
        ("tvp", tmp_path, "Cannot read"),
        ("tvp", not_json, "not valid JSON"),
        ("tvp", not_utf8, "not valid JSON"),
        ("tvp", invalid, "services.0.website"),
        ("tvp", changed_same_version, "later version"),
        ("nope", good, "No force with code"),
    ]:
        assert run_cli(api, monkeypatch, "support-services", "--force", force, "--file", str(path)) == 1, path
        out = capsys.readouterr().out
        assert out.startswith("portal-server: ")
        assert says in out, out
        assert "Traceback" not in out
    assert snapshot(api) == before


async def test_the_demo_gives_each_force_its_local_list(api: Api) -> None:
    services = api.services
    demo.seed(services.db, services.ctx, services.outbox)
    demo.seed(services.db, services.ctx, services.outbox)  # again: nothing new, nothing refused
    lists = {}
    for demo_force in demo.FORCES:
        token = await api.login(demo_force.code, "admin", demo.DEMO_PASSWORD)
        # Demo officers set up their authenticator when they first sign in.
        await api.enrol_authenticator(demo_force.code, "admin", token, password=demo.DEMO_PASSWORD)
        response = await api.client.get(PATH, headers=bearer(token))
        assert response.status_code == 200
        lists[demo_force.code] = response.json()
    assert lists["tvp"]["services"][0]["website"] == "https://victims-first.org.uk"
    assert lists["hiow"]["services"][0]["website"] == "https://www.hampshireiowvictimcare.co.uk"
    for listed in lists.values():
        assert listed["version"] == "2026-11-01"
        assert [(s["phone"], s["reviewed"]) for s in listed["services"]] == [(None, "2026-11-01")]
