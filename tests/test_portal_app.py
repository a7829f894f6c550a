"""``portal web`` starts and serves the app to a browser at the address it prints."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

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
