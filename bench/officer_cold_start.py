"""How long an officer's caseload takes to appear from a cold start with a warm cache.

Each run starts a new Python process for the app over a device store that already holds an
officer's 40 cases (with their victims) and 2,000 messages, with no backend reachable, and
times from the process starting until Chromium shows the caseload's first row. The baseline,
measured the same way in the same run, is a bare Flet page that shows one word.

    python -m bench.officer_cold_start   (python3 dev.py's D-Bus session gives it the real keyring)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from playwright.async_api import Page, async_playwright

from app.domain import Case, Identity, Message, OfficerContact, VictimDetails
from app.store.device import open_device_store
from app.store.keys import KeyProvider, KeyringKeyProvider, MemoryKeyProvider
from bench.cold_start import ARGS, CHROMIUM, ROOT, _free_port, _say, wait_for_text, wait_served

RUNS = 5
CASES = 40
MESSAGES = 2000
FIRST = "Victim Number 00"  # overdue: the caseload's first row
ACCOUNT = "bench-officer-cold-start"


def warm_cache(folder: Path, keys: KeyProvider) -> None:
    """The device store as an officer's laptop has it at the start of a shift."""
    now = datetime.now(UTC)
    me = OfficerContact("o1", "DC Grace Okafor", "4417", "+441632960102", "grace.okafor@tvp.police.example")
    cases = [
        Case(
            f"c{n:02d}",
            f"43/{10000 + n}/26",
            "Burglary (home)",
            "investigating",
            "",
            date(2026, 10, 1) + timedelta(days=n),
            me,
            now + timedelta(days=n - 1, hours=-1),  # the first is overdue, then one a day
            victim=VictimDetails(f"Victim Number {n:02d}", "+447700900123", None, "", n % 7 == 0, ("sms",)),
        )
        for n in range(CASES)
    ]
    per_case = MESSAGES // CASES
    messages = [
        Message(
            f"m{n}",
            f"c{n % CASES:02d}",
            "victim" if n % 2 else "officer",
            "x",
            f"Message {n}",
            now - timedelta(minutes=MESSAGES - n),
            seq=100 + n,
        )
        for n in range(per_case * CASES)
    ]
    store = open_device_store(folder, keys)
    with store.transaction():
        officer = Identity("officer", "http://127.0.0.1:9", "t" * 43, "DC Grace Okafor", force_code="tvp")
        store.set_identity(replace(officer, role="officer", collar_number="4417"))
        store.put_cases(cases)
        store.put_messages(messages)
        store.set_cursor("c1:4000")
    store.close()


def start_app(which: str, folder: Path, key_args: list[str]) -> tuple[subprocess.Popen[bytes], int, float]:
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.officer_cold_start_app", which, str(port), str(folder), *key_args],
        cwd=ROOT,
        env={**os.environ, "FLET_FORCE_WEB_SERVER": "1", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, port, started


async def one_run(page: Page, which: str, folder: Path, key_args: list[str], expected: str) -> tuple[float, float]:
    """(seconds until the page is served, seconds until the expected text is on screen)."""
    process, port, started = start_app(which, folder, key_args)
    try:
        await wait_served(port, process)
        served = time.perf_counter() - started
        await page.goto(f"http://127.0.0.1:{port}/")
        await wait_for_text(page, expected)
        return served, time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(10)


async def measure() -> None:
    folder = Path(tempfile.mkdtemp(prefix="portal-officer-cold-"))
    keys: KeyProvider
    if KeyringKeyProvider.usable():
        keys = KeyringKeyProvider(ACCOUNT)  # its own entry: never the real app's key
        key_args = ["keyring", ACCOUNT]
        where = "the OS keyring"
    else:  # no Secret Service in this session: measure without it, and say so
        key = os.urandom(32)
        keys = MemoryKeyProvider(key)
        key_args = ["memory", key.hex()]
        where = "memory (no OS keyring in this session)"
    warm_cache(folder, keys)
    _say(f"Cold start to the officer's caseload, warm cache ({CASES} cases, {MESSAGES:,} messages; key from {where})")
    _say(f"each run: a new Python process, page loaded in an open Chromium; median of {RUNS}\n")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        await one_run(page, "bare", folder, key_args, "Hello")  # warm the browser's cache of the client
        results: dict[str, list[tuple[float, float]]] = {"bare": [], "portal": []}
        for _ in range(RUNS):
            for which, expected in (("bare", "Hello"), ("portal", FIRST)):
                results[which].append(await one_run(page, which, folder, key_args, expected))
                _say(f"  run: {which:6} on screen {results[which][-1][1]:5.2f} s")
        await browser.close()
    bare = statistics.median(t for _, t in results["bare"])
    portal = statistics.median(t for _, t in results["portal"])
    bare_served = statistics.median(s for s, _ in results["bare"])
    portal_served = statistics.median(s for s, _ in results["portal"])
    _say(f"  bare Flet page (baseline):   served {bare_served:5.2f} s, on screen {bare:5.2f} s")
    _say(f"  officer's caseload:          served {portal_served:5.2f} s, on screen {portal:5.2f} s")
    _say(f"  caseload / bare Flet:        {portal / bare:5.2f}x  (+{portal - bare:.2f} s)")
    if isinstance(keys, KeyringKeyProvider):
        keys.delete()


def main() -> None:
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: run `python3 dev.py test` once, which installs it")
    asyncio.run(measure())


if __name__ == "__main__":
    main()
