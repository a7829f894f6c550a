"""``portal web`` starts and serves the app to a browser at the address it prints."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import flet
import httpx
import pytest

import main

ROOT = Path(__file__).resolve().parents[1]


def test_portal_web_serves_the_app() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "main", "web", "--port", str(port), "--server", "http://127.0.0.1:9"],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                status = response.status_code
                if status == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        assert status == 200, "the web app did not answer"
        assert "flutter" in response.text.lower() or "flet" in response.text.lower()
    finally:
        process.terminate()
        try:
            out, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
    assert f"http://127.0.0.1:{port}/" in out.decode()


def test_where_the_desktop_client_cannot_be_downloaded_portal_serves_the_web_app(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: list[tuple[str, int]] = []

    def no_desktop_client(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("[Errno -2] Name or service not known")  # as Flet's first download fails

    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(flet, "run", no_desktop_client)
    monkeypatch.setattr(main, "serve_web", lambda app, host, port: served.append((host, port)))
    main.cli(["--port", "8551"])
    assert served == [("127.0.0.1", 8551)]
    assert main.NO_DESKTOP_CLIENT in capsys.readouterr().out
    with pytest.raises(urllib.error.URLError):
        main.cli(["desktop"])  # asked for the window by name: the failure stands
