"""Security headers on every answer, and API docs that need no other host."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from sync.server.app import create_app
from tests.server.test_control_characters import _allow_message_inserts, _refuse_message_inserts
from tests.support import CLIENT_IP, Api, FakeClock, open_api, settings_for

SECURE = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_secure(response: httpx.Response, *, hsts: bool = False) -> None:
    for name, value in SECURE.items():
        assert response.headers.get(name) == value, (response.request.url, name, response.headers)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert ("strict-transport-security" in response.headers) is hsts, response.request.url


async def test_every_answer_carries_the_security_headers(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    cursor = (await api.sync(victim))["cursor"]
    assert api.services.ctx.callers.get(api.services.ctx.secrets.digest(victim.token), now=api.clock.now)
    answers = [
        await api.client.get("/health"),
        await api.client.get(f"/cases/{victim.case_id}", headers=victim.auth),  # case data
        await api.client.get("/sync", params={"since": cursor}, headers=victim.auth),  # the fast path
        await api.client.get("/cases"),  # 401
        await api.client.get("/nowhere"),  # 404
        await api.client.post("/cases", json={"crime_type": 1}, headers=officer.auth),  # 422
    ]
    assert [r.status_code for r in answers] == [200, 200, 200, 401, 404, 422]
    for response in answers:
        assert_secure(response)

    api.services.db.run_write(_refuse_message_inserts)
    transport = httpx.ASGITransport(app=api.app, client=(CLIENT_IP, 50000), raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver/v1") as client:
            failed = await client.put(
                f"/cases/{victim.case_id}/messages/{uuid.uuid4()}", json={"body": "hello"}, headers=victim.auth
            )
    finally:
        api.services.db.run_write(_allow_message_inserts)
    assert failed.status_code == 500
    assert_secure(failed)


async def test_hsts_only_over_https_and_a_proxy_counts_only_when_trusted(tmp_path: Path) -> None:
    async def health(trusted: int, base_url: str, headers: dict[str, str]) -> httpx.Response:
        app = create_app(
            settings_for(f"sqlite:///{tmp_path / f'p{trusted}.sqlite3'}", tmp_path, trusted_proxies=trusted)
        )
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as client:
            return await client.get("/v1/health", headers=headers)

    forwarded = {"X-Forwarded-Proto": "https"}
    assert_secure(await health(0, "https://testserver", {}), hsts=True)
    assert_secure(await health(0, "http://testserver", {}), hsts=False)
    assert_secure(await health(0, "http://testserver", forwarded), hsts=False)  # anyone can say so
    assert_secure(await health(1, "http://testserver", forwarded), hsts=True)
    assert_secure(await health(1, "http://testserver", {"X-Forwarded-Proto": "http"}), hsts=False)


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value for name, value in attrs if name in ("src", "href") and value}
        self.urls.extend(v for v in found.values() if v)
        self._in_script = tag == "script" and "src" not in found

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_scripts.append(data)


@pytest.fixture
async def root(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with open_api(database_url, tmp_path, FakeClock()) as api:
        transport = httpx.ASGITransport(app=api.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_the_docs_and_everything_they_load_come_from_this_server(root: httpx.AsyncClient) -> None:
    page = await root.get("/docs")
    assert page.status_code == 200
    parser = _References()
    parser.feed(page.text)
    (script,) = parser.inline_scripts
    openapi = re.search(r"url: '([^']+)'", script)
    assert openapi is not None
    urls = [*parser.urls, openapi.group(1)]
    assert len(urls) >= 4  # styles, icon, script, the OpenAPI document
    for url in urls:
        absolute = urljoin(str(page.url), url)
        assert urlsplit(absolute).netloc == "testserver", url
        fetched = await root.get(absolute)
        assert fetched.status_code == 200, url
        assert len(fetched.content) > 100, url
    policy = page.headers["content-security-policy"]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy  # the one inline script runs, and no other
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "http" not in policy
    assert (await root.get("/redoc")).status_code == 404  # ReDoc would need a CDN


PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "secret_key": "s" * 40,
    "password_hashing": "strong",
    "notify_channel": "smtp",
    "smtp_starttls": True,
}


@pytest.mark.parametrize(("settings", "served"), [({}, False), ({"api_docs": True}, True)])
async def test_production_serves_the_docs_only_when_asked(
    tmp_path: Path, settings: dict[str, Any], served: bool
) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'p.sqlite3'}", tmp_path, **PRODUCTION, **settings))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        for path in ("/docs", "/openapi.json", "/docs/assets/swagger-ui-bundle.js"):
            response = await client.get(path)
            assert response.status_code == (200 if served else 404), path
