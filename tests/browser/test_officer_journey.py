"""Officer mode in a real browser, with the victim in a second browser context: the app served
by ``portal web`` against a real backend on 127.0.0.1, driven by Playwright in Debian's Chromium.
Screenshots of sign-in, enrolment, caseload and case at phone and desktop sizes are kept under
artifacts/screenshots (officer-*.png)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from playwright.async_api import Page

from sync.protocol import Role
from tests import liveserver
from tests.browser.victim_app import (
    ARTIFACTS,
    OWN_HOSTS,
    PHONE,
    SLOW,
    all_controls_named,
    chromium,
    not_see,
    open_app,
    record_hosts,
    screen_text,
    see,
    shoot,
    tap,
    type_into,
    web_app,
)
from tests.support import PASSWORD, FakeClock, bearer, open_api, settings_for


@dataclass
class World:
    env: dict[str, str]
    port: int
    notify_file: Path
    case: dict[str, Any]
    other_case: dict[str, Any]
    colleague_token: str
    sergeant_secret: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def notes(self, purpose: str) -> list[dict[str, Any]]:
        lines = self.notify_file.read_text().splitlines() if self.notify_file.exists() else []
        return [n for n in map(json.loads, lines) if n["purpose"] == purpose]

    def call(self, token: str, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return httpx.request(method, f"{self.url}/v1{path}", json=body, headers=bearer(token), timeout=10)


@pytest.fixture(scope="module", autouse=True)
def _officer_screenshots() -> None:
    """This journey's screenshots from this run only (the victim's journeys keep theirs)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("officer-*.png"):
        old.unlink()


async def a_world(tmp_path: Path) -> World:
    """A force with pc1 (a password, no authenticator yet: the app enrols one), a colleague with a
    case of their own, and pc1's case, whose victim has not been invited yet."""
    from sync.server.migrate import upgrade

    database = tmp_path / "portal.sqlite3"
    url = f"sqlite:///{database}"
    upgrade(url)
    async with open_api(url, tmp_path, FakeClock(datetime.now(UTC))) as api:
        api.create_force("tvp", "Thames Valley Police")
        pc1 = api.create_officer("tvp", "pc1")
        colleague = await api.add_officer("tvp", "pc2", Role.OFFICER)
        await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
        other_case = await api.create_case(colleague, victim={"name": "Sam Other", "phone": "07700 900456"})
        key = bearer(api.integration_keys["tvp"])
        created = await api.client.post(
            "/cases",
            json={
                "crime_reference": "43/12345/26",
                "crime_type": "Burglary (home)",
                "summary": "Back door forced.",
                "reported_on": datetime.now(UTC).date().isoformat(),
                "officer_id": str(pc1.id),
                "victim": {"name": "Alex Morgan", "phone": "07700 900123"},
            },
            headers=key,
        )
        assert created.status_code == 201, created.text
    settings = settings_for(url, tmp_path)
    env = {
        "PORTAL_DATABASE_URL": url,
        "PORTAL_SECRET_KEY": settings.secret_key.get_secret_value(),
        "PORTAL_NOTIFY_FILE": str(settings.notify_file),
        "PORTAL_CALLER_CACHE_SECONDS": "1",
    }
    return World(
        env,
        liveserver.free_port(),
        settings.notify_file,
        created.json(),
        other_case,
        colleague.token,
        api.authenticators[("tvp", "sgt")],
    )


async def eventually(check: Callable[[], object], seconds: float = 20, what: str = "the change") -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} never happened"
        await _pause()


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.2)


async def tap_until(page: Page, name: str, expected: str, role: str = "button") -> None:
    """Tap, and tap again if the screen was redrawing as the tap landed (live updates arrive
    while the journey goes on), until ``expected`` shows."""
    for attempt in range(3):
        await tap(page, name, role=role)
        try:
            await see(page, expected, within_ms=8_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


async def officer_signs_in_and_enrols(page: Page, app_url: str) -> str:
    """From the welcome to the caseload; returns the authenticator's secret read off the screen."""
    await open_app(page, f"{app_url}/", "Follow your case")
    await tap(page, "I work for the police")
    await see(page, "Sign in as police staff")
    await type_into(page, "Force code", "tvp")
    await type_into(page, "Username", "pc1")
    await type_into(page, "Password", "not the password")
    await tap(page, "Sign in")
    await see(page, "The force, username or password is not right.")  # beside the password
    await all_controls_named(page)
    await shoot(page, "officer-sign-in")
    await type_into(page, "Password", PASSWORD)  # the force and username were kept
    await tap(page, "Sign in")
    await see(page, "Set up your authenticator app", within_ms=SLOW)
    await see(page, "QR code for your authenticator app")
    found = re.search(r"\b([A-Z2-7]{32})\b", await screen_text(page))
    assert found is not None, f"the secret is not shown as text: {await screen_text(page)}"
    secret = found.group(1)
    await all_controls_named(page)
    await shoot(page, "officer-enrol")
    await type_into(page, "6-digit code", pyotp.TOTP(secret).now())
    await tap(page, "Confirm and sign in")
    await see(page, "You're signed in", within_ms=SLOW)  # offered the same PIN as a victim
    await tap(page, "Not now")
    await see(page, "Your caseload", within_ms=SLOW)
    return secret


async def test_an_officer_and_a_victim_work_a_case_in_two_browsers(tmp_path: Path) -> None:
    world = await a_world(tmp_path)
    process = liveserver.start(world.env, world.port)
    reference = world.case["crime_reference"]
    try:
        with web_app(world.url, tmp_path / "app-data") as app_url:
            async with chromium() as browser:
                officer_context = await browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
                victim_context = await browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
                officer = await officer_context.new_page()
                victim = await victim_context.new_page()
                hosts = record_hosts(officer)
                await officer_signs_in_and_enrols(officer, app_url)

                # the caseload: find the case by its crime reference (the colleague's is never there)
                await tap(officer, "All open (1)")
                await not_see(officer, "Sam Other")
                await type_into(officer, "Search by crime reference or victim's name", reference)
                await see(officer, "Alex Morgan")
                await all_controls_named(officer)
                await shoot(officer, "officer-caseload")
                # a plain officer never sees another officer's case: the server agrees
                refused = world.call(world.colleague_token, "GET", f"/cases/{world.case['id']}")
                assert refused.status_code in (403, 404)
                await tap(officer, "Alex Morgan")
                await see(officer, f"Case {reference}")
                await see(officer, "Do not leave a voicemail.")

                # the force has no rules for invitations yet, so the officer decides, and must say
                # why (it goes in the audit trail); the screen then says who decided and why, and
                # the invitation goes at once, by the victim's preferred channel
                await see(officer, "Who decides on the invitation")
                await see(officer, "the force had no rules for invitations then")
                await tap(officer, "Decide myself")
                await officer.get_by_role("button", name="Invite", exact=True).click()
                await tap(officer, "Save decision")
                await see(officer, "Say why you are deciding instead of the force's rules.")
                await type_into(officer, "Why (kept in the audit trail)", "They asked to follow the case online.")
                await tap(officer, "Save decision")
                await see(officer, "Your decision is saved and recorded.")
                await see(officer, "decided this instead of the rules: They asked to follow the case online.")
                await all_controls_named(officer)
                await eventually(lambda: world.notes("invitation"), what="the invitation")
                await see(officer, "not opened yet")
                await shoot(officer, "officer-decision")
                # the victim lost the text: the officer sends it again, and the newest link works
                await tap(officer, "Send again")
                await see(officer, "The invitation was sent.")
                await eventually(lambda: len(world.notes("invitation")) == 2, what="the second invitation")

                # the victim signs in with the invitation and the notified code in the second browser
                link = world.notes("invitation")[-1]["body"].split("/i/")[1].split()[0]
                await open_app(victim, f"{app_url}/i/{link}", "Follow your case")
                await tap(victim, "Send me a code")
                await see(victim, "Enter your code")
                code = re.search(r"\b(\d{6})\b", world.notes("code")[-1]["body"])
                assert code is not None
                await type_into(victim, "6-digit code", code.group(1))
                await tap(victim, "Sign in")
                await see(victim, "You're signed in")
                await tap(victim, "Not now")
                await see(victim, reference, within_ms=SLOW)

                # messages both ways, each seen without a reload
                await tap(victim, "Messages")
                await type_into(victim, "Write a message", "Has anyone been caught?")
                await tap(victim, "Send")
                await see(officer, "Has anyone been caught?")
                await type_into(officer, "Reply to the victim", "Not yet. I am checking the cameras.")
                await tap(officer, "Send reply")
                await see(victim, "Not yet. I am checking the cameras.")
                await see(officer, "Read")  # the victim's app told the server it was read
                await shoot(officer, "officer-case")

                # the victim asks for an update: the caseload shows it as due
                await tap(victim, "Case", role="tab")
                await tap(victim, "Request an update")
                await tap(victim, "Send request")
                await see(victim, "You asked for an update")
                await tap(officer, "Back to the caseload")
                await see(officer, "Asked for an update")
                await tap(officer, "Alex Morgan")

                # the officer answers with an "arrested" update from a template: the victim sees it
                await tap(officer, "Suspect arrested")
                await see(officer, "working days")  # the deadline it meets
                await tap(officer, "Post update")
                await see(officer, "The update was posted.")
                await tap_until(victim, "Updates", "A suspect has been arrested in connection with your case.", "tab")

                # the officer hands the case to a colleague: it leaves pc1's screen and caseload at
                # once, and the victim sees who their officer is now
                await tap(officer, "Hand to Officer pc2")
                await see(officer, "This case is not in your caseload.", within_ms=SLOW)
                await tap(officer, "Caseload")
                await see(officer, "No cases here.")
                await tap_until(victim, "Case", "Officer pc2", "tab")
                await tap_until(victim, "Updates", "Your case is now with Officer pc2", "tab")

                # their sergeant finds it in the force's cases and closes it with "no further
                # action": the victim sees the outcome and the Right to Review with the last day
                sergeant_context = await browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
                sergeant = await sergeant_context.new_page()
                await open_app(sergeant, f"{app_url}/police", "Sign in as police staff")
                await type_into(sergeant, "Force code", "tvp")
                await type_into(sergeant, "Username", "sgt")
                await type_into(sergeant, "Password", PASSWORD)
                await tap(sergeant, "Sign in")
                await see(sergeant, "6-digit code")
                await type_into(sergeant, "6-digit code", pyotp.TOTP(world.sergeant_secret).now())
                await tap(sergeant, "Sign in")
                await see(sergeant, "You're signed in", within_ms=SLOW)
                await tap(sergeant, "Not now")
                await tap(sergeant, "All open (2)")
                await type_into(sergeant, "Search by crime reference or victim's name", "Alex")
                await tap(sergeant, "Alex Morgan")
                await see(sergeant, "Officer pc2")  # the timeline names who has it now
                await tap(sergeant, "No further action")
                await tap(sergeant, "Post update")
                await see(sergeant, "The update was posted.")
                await tap_until(victim, "Case", "The police have decided not to take the case any further.", "tab")
                await see(victim, "Asking for a review (Victims' Right to Review)")
                await see(victim, "Ask by ")
                await shoot(victim, "officer-closed-victim")

                assert hosts <= OWN_HOSTS, hosts
                await officer_context.close()
                await victim_context.close()
                await sergeant_context.close()
    finally:
        liveserver.stop(process)
