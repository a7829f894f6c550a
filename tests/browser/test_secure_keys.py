"""The mobile key provider (Flet secure storage) against the real Flet client, in Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from tests.browser.victim_app import ARGS, CHROMIUM
from tests.liveserver import free_port, wait_until_served

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def flet_app(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The test app served in Flet web mode; yields its address and where it writes its results."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the tests through `python3 dev.py test`, which installs it")
    port, results = free_port(), tmp_path / "results.json"
    app = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("secure_keys_app.py"))],
        cwd=ROOT,
        env={
            **os.environ,
            "PORT": str(port),
            "RESULTS": str(results),
            "FLET_FORCE_WEB_SERVER": "1",
            "PYTHONPATH": str(ROOT),
        },
    )
    try:
        wait_until_served(f"http://127.0.0.1:{port}/", app)
        yield f"http://127.0.0.1:{port}/", results
    finally:
        app.terminate()
        app.wait(10)


def read_results(results: Path) -> dict[str, object] | None:
    return json.loads(results.read_text()) if results.exists() else None


async def test_the_key_round_trips_through_flet_secure_storage(flet_app: tuple[str, Path]) -> None:
    url, results = flet_app
    outcome = None
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await browser.new_page()
        await page.goto(url)
        for _ in range(360):  # the app writes its results once the client has answered it
            outcome = read_results(results)
            if outcome is not None:
                break
            await page.wait_for_timeout(250)
        await browser.close()
    assert outcome is not None, "the app never finished"
    assert "error" not in outcome, outcome.get("error")
    assert outcome == {
        "before": None,
        "saved_length": 32,
        "recorded_provider": "secure-storage",
        "read_back": True,
        "after_reset": None,
        "files_left": [],
    }
