"""The victim's journeys in a real browser: the app served in Flet web mode against a real
backend on 127.0.0.1, driven by Playwright in Debian's Chromium. Screenshots at phone and
desktop sizes are kept under artifacts/screenshots."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from app import wording
from tests.browser.victim_app import (
    OWN_HOSTS,
    PHONE,
    SLOW,
    Backend,
    all_controls_named,
    chromium,
    fresh_artifacts,
    not_see,
    open_app,
    record_hosts,
    record_policy_violations,
    see,
    seeded_backend,
    shoot,
    tap,
    type_into,
    web_app,
)

PIN = "2468"


@pytest.fixture(scope="module", autouse=True)
def _screenshots() -> None:
    fresh_artifacts()


async def sign_in(page: Page, backend: Backend, app_url: str, *, pin: str | None = PIN) -> None:
    """Open the invitation link, ask for the code, type the code from the notification, set a PIN."""
    await open_app(page, f"{app_url}/i/{backend.invitation}", "Follow your case")
    await all_controls_named(page)
    await shoot(page, "welcome")
    await page.keyboard.press("Escape")  # quick exit works here too, and keeps the invitation
    await see(page, "No notes yet.")
    await not_see(page, "Follow your case")
    await tap(page, "Continue")
    await see(page, "Follow your case")
    await tap(page, "Send me a code")
    await see(page, "Enter your code")
    await shoot(page, "code")
    await type_into(page, "6-digit code", backend.last_code())
    await tap(page, "Sign in")
    await see(page, "You're signed in")
    await all_controls_named(page)  # the lock-frequency dropdown too
    if pin is None:
        await tap(page, "Not now")
        return
    await type_into(page, "New PIN (4 to 8 numbers)", pin)
    await type_into(page, "The same PIN again", pin)
    await tap(page, "Set PIN")


async def test_a_victim_follows_their_case_and_talks_to_the_officer(tmp_path: Path) -> None:
    backend = await seeded_backend(tmp_path)
    backend.start()
    case = backend.case
    try:
        with web_app(backend.url, tmp_path / "app-data") as app_url:
            async with chromium() as browser:
                page = await browser.new_page(viewport=PHONE)  # type: ignore[arg-type]
                # nobody but the portal's own server hears of this visit, and nothing is refused
                hosts = record_hosts(page)
                refused = record_policy_violations(page)
                await sign_in(page, backend, app_url)

                # Your case: reference, officer's name and number, when the next update is due
                await see(page, case["crime_reference"], within_ms=SLOW)
                await see(page, case["officer"]["name"])
                await see(page, f"Collar number {case['officer']['collar_number']}")
                assert case["officer"]["phone"].startswith("+44")
                await see(page, f"Call {wording.phone_number(case['officer']['phone'])}")  # as people here read it
                await not_see(page, f"Call {case['officer']['phone']}")
                await see(page, "Your next update is due")
                await all_controls_named(page)
                await shoot(page, "case")

                # request an update: it reaches the officer
                await tap(page, "Request an update")
                await type_into(page, "Anything you want to ask? (optional)", "Has anyone been arrested?")
                await tap(page, "Send request")
                await see(page, "You asked for an update")
                await _eventually(
                    lambda: backend.officer_call("GET", f"/cases/{case['id']}")["open_update_requests"],
                    what="the update request",
                )

                # the officer answers with an update: it shows on the timeline with its author
                backend.officer_call(
                    "POST",
                    f"/cases/{case['id']}/updates",
                    {"status": "investigating", "text": "We are checking doorbell cameras on your street."},
                )
                await tap(page, "Updates", role="tab")
                await see(page, "We are checking doorbell cameras on your street.")
                await see(page, "Today at")
                await see(page, case["officer"]["name"])
                await see(page, "Case under investigation")
                await shoot(page, "updates")
                await tap(page, "Case", role="tab")

                # send a message: local echo, then on the server
                await tap(page, "Messages")
                await see(page, "becomes part of the police record")
                await type_into(page, "Write a message", "I found a footprint by the back door.")
                await tap(page, "Send")
                await see(page, "I found a footprint by the back door.")
                await _eventually(lambda: _bodies(backend, case["id"]) == ["I found a footprint by the back door."])
                await see(page, "Sent")

                # the officer replies through the API: it appears without a reload
                backend.officer_call(
                    "PUT", f"/cases/{case['id']}/messages/{uuid.uuid4()}", {"body": "Thank you, I will come and look."}
                )
                await see(page, "Thank you, I will come and look.")
                await all_controls_named(page)
                await shoot(page, "messages")
                # the victim's app told the server it was read; the officer sees Read
                await _eventually(lambda: backend.officer_call("GET", f"/cases/{case['id']}")["victim_read_seq"] > 0)

                # rights, with Right 6 opened for this case
                await tap(page, "Rights", role="tab")
                await see(page, "Your rights")
                await tap(page, "Right 6:")
                await see(page, f"For your case {case['crime_reference']}")
                await see(page, "within 5 working days")
                await see(page, "Source: Code of Practice for Victims of Crime in England and Wales")
                await shoot(page, "rights")

                # support services, tap to call
                await tap(page, "Support", role="tab")
                await see(page, "Near you")  # the force's own list, from the server
                await see(page, "Open website for Victims First")
                await see(page, "National helplines")
                await see(page, "Call 08 08 16 89 111")  # as the service writes it
                await not_see(page, "Source: -.")
                await all_controls_named(page)
                await shoot(page, "support")

                # settings: how and when the police may contact me; the officer sees it
                await tap(page, "Settings")
                await see(page, "How may your officer contact you?")
                await see(page, "Stored encrypted on this device, locked with a key kept in this browser session only.")
                await not_see(page, "SQLCipher")
                snapshot = await page.locator("body").aria_snapshot()
                assert 'tab "Settings" [selected]' in snapshot
                assert 'tab "Case" [selected]' not in snapshot
                await tap(page, "Phone call", role="checkbox")
                await tap(page, "Tell me by text or email when there is news", role="checkbox")
                await see(page, "When is it safe to contact you? (optional)")
                await type_into(page, "Safe times (optional)", "Weekdays after 6pm")
                await tap(page, "Save contact choices")
                await see(page, "Your officer will see how and when")
                victim = backend.officer_call("GET", f"/cases/{case['id']}")["victim"]
                assert victim["contact_preferences"]["contact_channels"] == ["sms", "phone_call"]
                assert victim["contact_preferences"]["contact_times"] == "Weekdays after 6pm"
                assert victim["contact_preferences"]["news_alerts"] is False
                await all_controls_named(page)
                await shoot(page, "settings")

                # quick exit hides the case; coming back needs the PIN
                await tap(page, "Case", role="tab")
                await see(page, case["crime_reference"])
                await tap(page, "Quick exit")
                await see(page, "No notes yet.")
                await not_see(page, case["crime_reference"])
                await not_see(page, case["officer"]["name"])
                assert await page.title() == "Portal"
                await shoot(page, "quick-exit")
                await tap(page, "Continue")
                await see(page, "Enter your PIN")
                await shoot(page, "locked")
                await not_see(page, case["crime_reference"])
                await type_into(page, "PIN", "0000")
                await tap(page, "Unlock")
                await see(page, "That PIN is not right. 4 tries left.")
                await type_into(page, "PIN", PIN)
                await tap(page, "Unlock")
                await see(page, case["crime_reference"])

                # Escape does the same on desktop and web
                await page.keyboard.press("Escape")
                await see(page, "No notes yet.")
                await not_see(page, case["crime_reference"])

                assert hosts <= OWN_HOSTS, hosts
                assert "127.0.0.1" in hosts
                assert not refused, refused
                policy = (await page.request.get(f"{app_url}/")).headers["content-security-policy"]
                assert "default-src 'self'" in policy
                assert "connect-src 'self'" in policy
    finally:
        backend.stop()


async def test_the_case_stays_readable_offline_and_a_message_written_offline_is_sent_later(tmp_path: Path) -> None:
    backend = await seeded_backend(tmp_path)
    backend.start()
    case = backend.case
    backend.officer_call("PUT", f"/cases/{case['id']}/messages/{uuid.uuid4()}", {"body": "I am your officer."})
    try:
        with web_app(backend.url, tmp_path / "app-data") as app_url:
            async with chromium() as browser:
                # in the dark theme, which follows the system setting
                page = await browser.new_page(viewport=PHONE, color_scheme="dark")  # type: ignore[arg-type]
                await sign_in(page, backend, app_url, pin=None)
                await see(page, case["crime_reference"], within_ms=SLOW)

                backend.stop()
                await see(page, "You're offline", within_ms=SLOW)
                await see(page, case["crime_reference"])
                await see(page, case["officer"]["name"])
                await shoot(page, "offline")
                await tap(page, "Messages")
                await see(page, "I am your officer.")
                await type_into(page, "Write a message", "Written with no signal.")
                await tap(page, "Send")
                await see(page, "Written with no signal.")
                await see(page, "Sending")
                assert backend.process is None, "the backend is stopped while the message is written"

                backend.start()
                await tap(page, "Try again")
                await _eventually(lambda: "Written with no signal." in _bodies(backend, case["id"]), seconds=60)
                await see(page, "Sent", within_ms=SLOW)

                # signing out deletes everything from this device and starts again at the welcome
                await tap(page, "Settings")
                await tap(page, "Sign out and delete everything from this device")
                await tap(page, "Yes, delete everything")
                await see(page, "Everything was deleted from this device.")
                await see(page, "Follow your case")
                await not_see(page, case["crime_reference"])
    finally:
        backend.stop()


async def test_on_a_shared_computer_nothing_outlives_the_tab(tmp_path: Path) -> None:
    """The app's address opened first, then the invitation link in the same tab (read marks
    must still reach the officer); a refused contact choice is said beside its button and
    undone; an unknown address shows the welcome; a reload of the tab starts again at the
    welcome and the old device token is ended on the server."""
    backend = await seeded_backend(tmp_path)
    backend.start()
    case = backend.case
    backend.officer_call("PUT", f"/cases/{case['id']}/messages/{uuid.uuid4()}", {"body": "I am your officer."})
    try:
        with web_app(backend.url, tmp_path / "app-data") as app_url:
            async with chromium() as browser:
                page = await browser.new_page(viewport=PHONE)  # type: ignore[arg-type]
                # an address the app does not know: the welcome, with Quick exit, not a spinner
                await open_app(page, f"{app_url}/officer", "Follow your case")
                await see(page, "Quick exit")
                await not_see(page, "Fetching your case")

                # the app's own address first, then the invitation link in the same tab
                await open_app(page, f"{app_url}/", "Follow your case")
                await sign_in(page, backend, app_url, pin=None)
                await see(page, case["crime_reference"], within_ms=SLOW)
                await see(page, "Messages (1 new)")
                await tap(page, "Messages (1 new)")
                await see(page, "I am your officer.")
                await _eventually(
                    lambda: backend.officer_call("GET", f"/cases/{case['id']}")["victim_read_seq"] > 0,
                    what="the read mark",
                )
                await tap(page, "Case", role="tab")
                await see(page, case["crime_reference"])
                await not_see(page, "1 new")

                # no email address on record: ticking Email is refused beside the button, and undone
                await tap(page, "Settings")
                await see(page, "How may your officer contact you?")
                await tap(page, "Email", role="checkbox")
                await tap(page, "Save contact choices")
                refusal = "The police have no email address for you."
                await see(page, refusal)
                await _shown_beside(page, refusal, "Save contact choices")
                await expect(page.get_by_role("checkbox", name="Email", exact=True)).not_to_be_checked()
                await shoot(page, "settings-refused")

                # a reload (or "reopen closed tab") on a shared computer: back at the welcome,
                # and the old token no longer works
                await page.reload()
                await page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=SLOW)
                await page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
                await see(page, "Follow your case", within_ms=SLOW)
                await not_see(page, case["crime_reference"])
                await _eventually(lambda: _victim_sessions_revoked(backend), what="the sign-out")
    finally:
        backend.stop()


async def _shown_beside(page: Page, text: str, button: str) -> None:
    """The text is right next to the button (Flutter draws on a canvas, so where its
    accessibility nodes sit is the only place a test can read positions from)."""
    said = await page.locator("flt-semantics", has_text=text).last.bounding_box()
    pressed = await page.get_by_role("button", name=button).first.bounding_box()
    assert said is not None
    assert pressed is not None
    assert abs(said["y"] - pressed["y"]) < 200, (said, pressed)


def _victim_sessions_revoked(backend: Backend) -> bool:
    database = backend.env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as db:
        revoked = db.execute("SELECT revoked_at IS NOT NULL FROM device_session WHERE kind = 'victim'").fetchall()
    return bool(revoked) and all(row[0] for row in revoked)


def _bodies(backend: Backend, case_id: str) -> list[str]:
    messages = backend.officer_call("GET", f"/cases/{case_id}/messages")
    items = messages["data"] if isinstance(messages, dict) else messages
    return [m["body"] for m in items if m["author_kind"] == "victim"]


async def _eventually(check: object, seconds: float = 20, what: str = "the change") -> None:
    import asyncio
    import time

    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():  # type: ignore[operator]
                return
        except AssertionError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"the server never saw {what}")
        await asyncio.sleep(0.3)
