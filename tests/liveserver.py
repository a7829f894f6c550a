"""Real backend processes on 127.0.0.1 for tests that need the network: started, waited for,
and stopped by their own process id."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import Officer, Victim

ROOT = Path(__file__).resolve().parents[1]
TEST_SERVER = {"PORTAL_ENVIRONMENT": "development", "PORTAL_PASSWORD_HASHING": "fast"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(env: dict[str, str], port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    """``workers`` > 1 runs uvicorn's worker processes, so requests land on different processes."""
    command = [sys.executable, "-m", "sync.server.cli", "run", "--port", str(port), "--no-migrate"]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        # a test server is a development server (one on PostgreSQL must say so, as a real one must),
        # and hashes passwords as cheaply as the rest of the suite does
        env={**os.environ, **TEST_SERVER, **env, "PORTAL_LOG_LEVEL": "warning"},
        cwd=ROOT,
    )
    # Generous: on a busy two-core machine importing the server alone can take a dozen seconds.
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                # One worker answering says nothing of the others: give them their start-up time.
                time.sleep(1.5 if workers > 1 else 0)
                return process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            stop(process)
            raise RuntimeError("the server did not start")
        time.sleep(0.1)


def wait_until_served(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Until the process answers 200 at this address; fails if it stops or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, f"the process serving {url} stopped"
        assert time.monotonic() < deadline, f"nothing answered at {url}"
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def server(env: dict[str, str], port: int | None = None, workers: int = 1) -> Iterator[str]:
    """A backend on 127.0.0.1; yields its /v1 address."""
    port = port or free_port()
    process = start(env, port, workers)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(process)


@dataclass
class Seeded:
    """A database with a force, an officer and a signed-in victim, and the server settings for it."""

    env: dict[str, str]
    officer: Officer
    victim: Victim
