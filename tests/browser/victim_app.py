"""The victim's app for browser journeys: a real backend on 127.0.0.1 with one case and an
invitation, the app served by ``portal web`` against it, and Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from sync.protocol import SupportServicesPublic
from sync.server import admin
from tests import liveserver
from tests.support import FakeClock, Officer, open_api, settings_for

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SLOW = 60_000
LOCAL_SERVICES = SupportServicesPublic.model_validate(
    {
        "version": "2026-11-01",
        "services": [
            {
                "id": "victims-first",
                "name": "Victims First",
                "purpose": "The Thames Valley Police and Crime Commissioner's service for victims.",
                "phone": None,
                "website": "https://victims-first.org.uk",
                "source": "victims-first.org.uk",
                "reviewed": "2026-11-01",
            }
        ],
    }
)  # ms: the first load of the wasm client takes a few seconds on a busy machine


@dataclass
class Backend:
    env: dict[str, str]
    port: int
    officer: Officer
    case: dict[str, Any]
    invitation: str
    notify_file: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = liveserver.start(self.env, self.port)

    def stop(self) -> None:
        if self.process is not None:
            liveserver.stop(self.process)
            self.process = None

    def last_code(self) -> str:
        for line in reversed(self.notify_file.read_text().splitlines()):
            note = json.loads(line)
            if note["purpose"] == "code":
                found = re.search(r"\b(\d{6})\b", note["body"])
                assert found is not None
                return found.group(1)
        raise AssertionError("no sign-in code was sent")

    def officer_call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = httpx.request(method, f"{self.url}/v1{path}", json=body, headers=self.officer.auth, timeout=10)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


async def seeded_backend(tmp_path: Path) -> Backend:
    """A SQLite database with a force, an officer and a case whose victim has been invited."""
    database = tmp_path / "portal.sqlite3"
    from sync.server.migrate import upgrade

    upgrade(f"sqlite:///{database}")
    url = f"sqlite:///{database}"
    async with open_api(url, tmp_path, FakeClock(datetime.now(UTC))) as api:
        api.create_force("tvp", "Thames Valley Police")
        officer = await api.add_officer("tvp", "pc1")
        case = await api.create_case(officer, crime_type="Burglary (home)")
        invitation = await api.invite(officer, case["id"])
        api.services.db.run_write(admin.set_support_services, api.services.ctx, "tvp", LOCAL_SERVICES)
    settings = settings_for(url, tmp_path)
    env = {
        "PORTAL_DATABASE_URL": url,
        "PORTAL_SECRET_KEY": settings.secret_key.get_secret_value(),
        "PORTAL_NOTIFY_FILE": str(settings.notify_file),
        "PORTAL_CALLER_CACHE_SECONDS": "1",
    }
    return Backend(env, liveserver.free_port(), officer, case, invitation, settings.notify_file)


@contextmanager
def web_app(server_url: str, data_home: Path) -> Iterator[str]:
    """``portal web`` on a free port; yields its address."""
    port = liveserver.free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "main", "web", "--port", str(port), "--server", server_url],
        cwd=ROOT,
        env={**os.environ, "XDG_DATA_HOME": str(data_home), "PYTHONPATH": str(ROOT)},
    )
    try:
        liveserver.wait_until_served(f"http://127.0.0.1:{port}/", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        liveserver.stop(process)


OWN_HOSTS = {"127.0.0.1", "localhost"}


def record_hosts(page: Page) -> set[str]:
    """Every host the page asks anything of (pages, scripts, fonts, sockets), from now on;
    data: and blob: addresses ask nobody."""
    hosts: set[str] = set()

    def asked(url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss"):
            hosts.add(parts.hostname or "")

    page.on("request", lambda request: asked(request.url))
    page.on("websocket", lambda socket: asked(socket.url))
    return hosts


def record_policy_violations(page: Page) -> list[str]:
    """What the browser refused under the Content-Security-Policy."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the tests through `python3 dev.py test`, which installs it")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    require_chromium()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def open_app(page: Page, url: str, expected: str) -> None:
    """Load the Flet client, turn on its accessibility tree, and wait for the first screen."""
    await page.goto(url)
    await page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=SLOW)
    await page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    await see(page, expected)


LABELS_JS = "Array.from(document.querySelectorAll('flt-semantics')).map(e => e.getAttribute('aria-label') || '')"


async def screen_text(page: Page) -> str:
    """What the accessibility tree exposes, what a screen reader would read out: the aria
    snapshot, and the labels of the semantics nodes (the snapshot leaves out some groups)."""
    labels = await page.evaluate(LABELS_JS)
    return await page.locator("body").aria_snapshot() + "\n" + "\n".join(labels)


async def see(page: Page, text: str, within_ms: float = 20_000) -> None:
    """Wait until the text is on screen (Flutter merges a card's texts into one label, so
    this looks in the accessibility tree rather than for one element per text)."""
    deadline = time.monotonic() + within_ms / 1000
    while text not in (shown := await screen_text(page)):
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {text!r} on screen; it showed:\n{shown}")
        await page.wait_for_timeout(200)


async def all_controls_named(page: Page) -> None:
    """Every button, text field, checkbox and tab on screen has an accessible name."""
    unnamed = [
        line.strip()
        for line in (await page.locator("body").aria_snapshot()).splitlines()
        if re.fullmatch(r"- (button|textbox|checkbox|tab|link|combobox)( \[[^\]]*\])*:?", line.strip())
    ]
    assert not unnamed, f"controls without an accessible name: {unnamed}"


async def not_see(page: Page, text: str) -> None:
    assert text not in await screen_text(page)
    assert text not in await page.content()


async def tap(page: Page, name: str, role: str = "button") -> None:
    await page.get_by_role(role, name=name).first.click()  # type: ignore[arg-type]


async def type_into(page: Page, label: str, text: str) -> None:
    """Type into the text field with this label, key by key as a person does, and wait until
    the field holds it. Flutter rebuilds its accessibility tree's input elements when the
    screen redraws, and keys typed into an element as it is replaced are lost, so typing that
    did not take is done again."""
    box = page.get_by_role("textbox", name=label).first
    attempts = 5
    for attempt in range(attempts):
        await box.click()
        await page.wait_for_timeout(150)  # as a person does: focus lands before the first key
        await page.keyboard.press("Control+A")
        await page.keyboard.press("Backspace")
        # a key every 40 ms is still faster than people type; on a busy machine faster typing
        # outruns the redraws the app's answer to each key causes, and keys are lost
        await page.keyboard.type(text, delay=40 if attempt else 20)
        try:
            await expect(box).to_have_value(text, timeout=3000)
            break
        except AssertionError:
            if attempt == attempts - 1:
                raise
    await page.wait_for_timeout(300)  # the app's answer to each keystroke comes back over the socket


async def shoot(page: Page, name: str) -> None:
    """Screenshots kept as test artifacts, once the screen has settled: at phone size and,
    from the same screen, at desktop size."""
    await page.wait_for_timeout(400)
    await page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"))
    await page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    await page.wait_for_timeout(400)
    await page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"))
    await page.set_viewport_size(PHONE)  # type: ignore[arg-type]


def fresh_artifacts() -> None:
    """Screenshots from this run only (call before the journeys). Officer mode's journey keeps
    its own (officer-*.png, cleared by tests/browser/test_officer_journey.py), which may run first."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.iterdir():
        if old.is_file() and not old.name.startswith("officer-"):
            old.unlink()
