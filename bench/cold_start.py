"""How long the home screen takes to appear from a cold start with a warm cache.

Each run starts a new Python process for the app (nothing imported, nothing cached in
memory) over a device store that already holds the victim's case, 200 messages and 20
updates, with no backend reachable, and times from the process starting until Chromium shows
the case's crime reference. The baseline, measured the same way in the same run, is a bare
Flet page that shows one word: the ratio is what the app itself adds to Flet's own start.

    python -m bench.cold_start      (python3 dev.py's D-Bus session gives it the real keyring)
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from playwright.async_api import Page, async_playwright

from app.domain import Case, Identity, Message, OfficerContact, Update
from app.store.device import open_device_store
from app.store.keys import KeyProvider, KeyringKeyProvider, MemoryKeyProvider

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
REFERENCE = "43260012345"
ACCOUNT = "bench-cold-start"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-sync"]


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def warm_cache(folder: Path, keys: KeyProvider) -> None:
    """The device store as a victim's computer has it after using the app for a few weeks."""
    now = datetime.now(UTC)
    officer = OfficerContact("o1", "PC Grace Okafor", "4417", "+441632960102", "grace.okafor@tvp.police.example")
    case = Case(
        "c1", REFERENCE, "Burglary (home)", "investigating", "", date(2026, 11, 2), officer, now + timedelta(days=9)
    )
    store = open_device_store(folder, keys)
    with store.transaction():
        store.set_identity(Identity("victim", "http://127.0.0.1:9", "t" * 43, "You"))
        store.put_cases([case])
        store.put_updates(
            [Update(f"u{n}", "c1", n, f"Update {n}: enquiries continue.", "PC Grace Okafor", now) for n in range(20)]
        )
        store.put_messages(
            [
                Message(f"m{n}", "c1", "victim" if n % 2 else "officer", "x", f"Message {n}", now, seq=100 + n)
                for n in range(200)
            ]
        )
        store.set_cursor("c1:400")
    store.close()


@dataclass(frozen=True)
class Subject:
    """What one cold-start benchmark measures: which app ``bench.cold_start_app`` starts, over
    which cache, and what on screen says it has started."""

    mode: str  # "victim" or "officer"
    shows: str  # what is timed, e.g. "the home screen"
    expected: str  # text on that screen
    account: str  # the keyring entry for the cache's key (never the real app's)
    viewport: dict[str, int]
    warm_cache: Callable[[Path, KeyProvider], None]
    cache: str  # what the cache holds, in words


def start_app(which: str, folder: Path, key_args: list[str]) -> tuple[subprocess.Popen[bytes], int, float]:
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.cold_start_app", which, str(port), str(folder), *key_args],
        cwd=ROOT,
        env={**os.environ, "FLET_FORCE_WEB_SERVER": "1", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, port, started


async def wait_served(port: int, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(f"http://127.0.0.1:{port}/", timeout=1)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise RuntimeError("the app stopped")
            await asyncio.sleep(0.02)


async def wait_for_text(page: Page, text: str) -> None:
    script = (
        "t => { const p = document.querySelector('flt-semantics-placeholder'); if (p) p.click();"
        " return Array.from(document.querySelectorAll('flt-semantics'))"
        ".some(e => (e.getAttribute('aria-label') || e.textContent || '').includes(t)); }"
    )
    await page.wait_for_function(script, arg=text, timeout=120_000, polling=20)


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


async def measure(subject: Subject) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"portal-{subject.mode}-cold-"))
    keys: KeyProvider
    if KeyringKeyProvider.usable():
        keys = KeyringKeyProvider(subject.account)
        key_args = ["keyring", subject.account]
        where = "the OS keyring"
    else:  # no Secret Service in this session: measure without it, and say so
        key = os.urandom(32)
        keys = MemoryKeyProvider(key)
        key_args = ["memory", key.hex()]
        where = "memory (no OS keyring in this session)"
    subject.warm_cache(folder, keys)
    _say(f"Cold start to {subject.shows}, warm cache ({subject.cache}; key from {where})")
    _say(f"each run: a new Python process, page loaded in an open Chromium; median of {RUNS}\n")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await browser.new_page(viewport=subject.viewport)  # type: ignore[arg-type]
        await one_run(page, "bare", folder, key_args, "Hello")  # warm the browser's cache of the client
        results: dict[str, list[tuple[float, float]]] = {"bare": [], subject.mode: []}
        for _ in range(RUNS):
            for which, expected in (("bare", "Hello"), (subject.mode, subject.expected)):
                results[which].append(await one_run(page, which, folder, key_args, expected))
                _say(f"  run: {which:7} on screen {results[which][-1][1]:5.2f} s")
        await browser.close()
    bare = statistics.median(t for _, t in results["bare"])
    app = statistics.median(t for _, t in results[subject.mode])
    bare_served = statistics.median(s for s, _ in results["bare"])
    app_served = statistics.median(s for s, _ in results[subject.mode])
    _say(f"  bare Flet page (baseline):   served {bare_served:5.2f} s, on screen {bare:5.2f} s")
    _say(f"  {subject.shows + ':':28} served {app_served:5.2f} s, on screen {app:5.2f} s")
    _say(f"  ratio to bare Flet:          {app / bare:5.2f}x  (+{app - bare:.2f} s)")
    if isinstance(keys, KeyringKeyProvider):
        keys.delete()


VICTIM = Subject(
    mode="victim",
    shows="the home screen",
    expected=REFERENCE,
    account=ACCOUNT,
    viewport={"width": 390, "height": 844},
    warm_cache=warm_cache,
    cache="1 case, 200 messages, 20 updates",
)


def run(subject: Subject) -> None:
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: run `python3 dev.py test` once, which installs it")
    asyncio.run(measure(subject))


def main() -> None:
    run(VICTIM)


if __name__ == "__main__":
    main()
