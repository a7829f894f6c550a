"""The web app's server: the Flutter client served without its one address of another host,
and a Content-Security-Policy on every response that lets the page reach no other origin."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import signal
import subprocess
import sys
import time

import httpx
import websockets
from starlette.types import Receive, Scope, Send

from tests import liveserver
from views.own_origin import CLIENT_FILES, RIVE_CDN, RIVE_LOCAL, WEB, OwnOrigin, policy, without_cdn

PAGE = b"<html><head><script>var flet = {};</script></head><body><script src='a.js'></script></body></html>"


async def flet_stand_in(scope: Scope, receive: Receive, send: Send) -> None:
    """What Flet's web app answers: the page, or a file in two parts."""
    if scope["path"] == "/":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": PAGE[:20], "more_body": True})
        await send({"type": "http.response.body", "body": PAGE[20:]})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/javascript")]})
    await send({"type": "http.response.body", "body": b"x"})


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=OwnOrigin(flet_stand_in)), base_url="http://portal")


def test_the_installed_client_names_the_rive_cdn_and_the_patch_keeps_its_length() -> None:
    for name in CLIENT_FILES:
        data = (WEB / name).read_bytes()
        assert RIVE_CDN in data, f"{name} no longer names the Rive CDN: look again at what it loads"
        patched = without_cdn(data)
        assert len(patched) == len(data)
        assert b"cdn.jsdelivr.net/npm/@rive-app" not in patched
    assert len(RIVE_LOCAL) == len(RIVE_CDN)
    assert RIVE_LOCAL.startswith(b"/")


def test_the_policy_allows_only_this_origin() -> None:
    header = policy()
    assert "default-src 'self'" in header
    assert "connect-src 'self'" in header
    assert "frame-ancestors 'none'" in header
    assert "http" not in header  # no other origin named anywhere
    assert "'unsafe-inline'" not in header.split("script-src", 1)[1].split(";", 1)[0]


async def test_a_page_is_sent_whole_with_its_inline_scripts_allowed_by_hash() -> None:
    async with client() as http:
        answer = await http.get("/")
    assert answer.content == PAGE
    digest = base64.b64encode(hashlib.sha256(b"var flet = {};").digest()).decode()
    assert f"'sha256-{digest}'" in answer.headers["content-security-policy"]


async def test_every_response_carries_the_policy_and_the_client_comes_patched() -> None:
    async with client() as http:
        other = await http.get("/flutter_bootstrap.js")
        code = await http.get("/main.dart.js")
        rive = await http.get(RIVE_LOCAL.decode() + "wasm/rive_native.js")
    assert other.content == b"x"
    assert other.headers["content-security-policy"] == policy()
    assert code.headers["content-type"] == "text/javascript"
    assert RIVE_LOCAL in code.content
    assert RIVE_CDN not in code.content
    assert rive.status_code == 404


def web_app(port: int) -> subprocess.Popen[bytes]:
    """``portal web`` on this port, against a backend that is not there (none is needed here)."""
    return subprocess.Popen(
        [sys.executable, "-m", "main", "web", "--port", str(port), "--server", "http://127.0.0.1:9"],
        cwd=liveserver.ROOT,
        env={**os.environ, "PYTHONPATH": str(liveserver.ROOT)},
    )


async def test_the_real_web_app_sends_the_policy_and_stops_within_two_seconds_with_a_session_open() -> None:
    port = liveserver.free_port()
    process = web_app(port)
    try:
        await asyncio.to_thread(liveserver.wait_until_served, f"http://127.0.0.1:{port}/", process)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            page = await http.get("/i/some-invitation")
            code = await http.get("/main.dart.wasm")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert RIVE_CDN not in code.content
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws"):
            await asyncio.sleep(0.5)
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(process.wait, 5)
            assert time.monotonic() - started < 2.0
    finally:
        liveserver.stop(process)
