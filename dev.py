#!/usr/bin/env python3
"""The two commands a newcomer needs, on a machine with only python3.

    python3 dev.py start   install everything into .venv, then run the backend (SQLite, demo data) and the app
    python3 dev.py test    install everything into .venv, then run ruff, mypy and the whole test suite

Uses only the standard library, so it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"


def say(text: str) -> None:
    sys.stdout.write(f"[dev] {text}\n")
    sys.stdout.flush()


def run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, env=env)


def install() -> None:
    if not PY.exists():
        say("creating .venv")
        run(sys.executable, "-m", "venv", VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    say("installing the project and its tools into .venv (first run takes a few minutes)")
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", ".[local,server,dev]")
    STAMP.write_text(wanted)


def postgres_ready() -> bool:
    if shutil.which("pg_isready") is None:
        return False
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0


def ensure_postgres() -> None:
    if postgres_ready():
        return
    clusters = Path("/etc/postgresql")
    if clusters.is_dir():
        for version in sorted(p.name for p in clusters.iterdir()):
            say(f"starting PostgreSQL {version}")
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
        for _ in range(30):
            if postgres_ready():
                return
            time.sleep(1)


# The tests use a real OS keyring (gnome-keyring over D-Bus) and a real browser (Chromium).
SYSTEM_PACKAGES = {"gnome-keyring-daemon": "gnome-keyring", "dbus-run-session": "dbus", "chromium": "chromium"}


def ensure_system_packages() -> None:
    """Install what the tests need from the system's packages, where we can."""
    missing = [package for command, package in SYSTEM_PACKAGES.items() if shutil.which(command) is None]
    if not missing:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        say(f"please install {' '.join(missing)} (the keyring and browser tests need them)")
        return
    say(f"installing {' '.join(missing)}")
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=quiet)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=quiet)


def with_keyring(cmd: list[str | Path]) -> list[str | Path]:
    if shutil.which("dbus-run-session") is None:
        return cmd
    return ["dbus-run-session", "--", "bash", ROOT / "tests" / "with-keyring.sh", *cmd]


def test(extra: list[str]) -> int:
    install()
    ensure_postgres()
    ensure_system_packages()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    steps = [
        ("ruff check", [BIN / "ruff", "check", "."]),
        ("ruff format --check", [BIN / "ruff", "format", "--check", "."]),
        ("mypy", [BIN / "mypy"]),
        ("pytest", with_keyring([PY, "-m", "pytest", *extra])),
    ]
    failed = []
    for name, cmd in steps:
        say(name)
        if subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, check=False).returncode != 0:
            failed.append(name)
    if failed:
        say("FAILED: " + ", ".join(failed))
        return 1
    say("all checks passed")
    return 0


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answered at {url}")


def start() -> int:
    install()
    env = {
        **os.environ,
        "PORTAL_ENVIRONMENT": os.environ.get("PORTAL_ENVIRONMENT", "development"),
        "PORTAL_DATABASE_URL": os.environ.get("PORTAL_DATABASE_URL", "sqlite:///var/portal.sqlite3"),
        "PORTAL_NOTIFY_FILE": os.environ.get("PORTAL_NOTIFY_FILE", "var/notifications.jsonl"),
        "PORTAL_PUBLIC_URL": os.environ.get("PORTAL_PUBLIC_URL", "http://127.0.0.1:8550"),
        "PORTAL_SERVER_URL": os.environ.get("PORTAL_SERVER_URL", "http://127.0.0.1:8000"),
    }
    run(BIN / "portal-server", "demo", env=env)
    say("starting the backend on http://127.0.0.1:8000 (API docs at /docs)")
    server = subprocess.Popen([str(BIN / "portal-server"), "run", "--port", "8000"], cwd=ROOT, env=env)
    try:
        wait_for("http://127.0.0.1:8000/v1/health", 30)
        say("starting the app (Ctrl+C stops both)")
        return subprocess.run([str(BIN / "portal")], cwd=ROOT, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "test":
        return test(sys.argv[2:])
    if command == "start":
        return start()
    sys.stderr.write(__doc__ or "")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
