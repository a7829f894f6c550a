#!/usr/bin/env python3
"""The two commands a newcomer needs, on a machine with only python3.

    python3 dev.py start   install everything into .venv, then run the backend (SQLite, demo data) and the app
    python3 dev.py test    install everything into .venv, then run ruff, mypy and the whole test suite

Uses only the standard library, so it runs before anything is installed.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
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


# One test process per core, four at most (each has its own PostgreSQL database, and servers
# with their own connection pools): much of a run waits on servers, browsers and databases.
# The browser journeys share one process (tests/conftest.py's TOGETHER).
PARALLEL = ["-n", "auto", "--maxprocesses", "4"]


def test(extra: list[str]) -> int:
    install()
    ensure_postgres()
    ensure_system_packages()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    steps: list[tuple[str, list[str | Path]]] = [
        ("ruff check", [BIN / "ruff", "check", "."]),
        ("ruff format --check", [BIN / "ruff", "format", "--check", "."]),
        ("mypy", [BIN / "mypy"]),
        ("pytest", with_keyring([PY, "-m", "pytest", *PARALLEL, *extra])),
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


def has_display(env: Mapping[str, str]) -> bool:
    return sys.platform in ("win32", "darwin") or bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def flet_version() -> str | None:
    """The installed Flet desktop package's version, read off its metadata folder's name."""
    for folder in (*VENV.glob("lib/python*/site-packages"), VENV / "Lib" / "site-packages"):
        for found in folder.glob("flet_desktop-*.dist-info"):
            return found.name.removeprefix("flet_desktop-").removesuffix(".dist-info")
    try:  # run from inside the environment (the tests)
        return importlib.metadata.version("flet-desktop")
    except importlib.metadata.PackageNotFoundError:
        return None


def desktop_client_on_disk(env: Mapping[str, str], home: Path, version: str | None) -> bool:
    """Is Flet's desktop client already here: named by FLET_VIEW_PATH, or unpacked in Flet's own
    cache (~/.flet/client/flet-desktop-{flavor}-{version}) by an earlier first start?"""
    if view_path := env.get("FLET_VIEW_PATH"):
        folder = Path(view_path)
        if sys.platform == "darwin":
            if any(folder.glob("*.app")):
                return True
        elif (folder / ("flet.exe" if os.name == "nt" else "flet")).is_file():
            return True
    if version is None:
        return False
    flavor = env.get("FLET_DESKTOP_FLAVOR", "").strip().lower()
    if flavor not in ("full", "light"):
        flavor = "light" if sys.platform.startswith("linux") else "full"
    return (home / ".flet" / "client" / f"flet-desktop-{flavor}-{version}").is_dir()


def client_downloadable(env: Mapping[str, str], seconds: float = 2.0) -> bool:
    """Can Flet's desktop client be fetched (from GitHub, or FLET_CLIENT_URL)? Only whether its
    host takes a connection, and never waiting more than ``seconds``: a machine without a network
    must not sit here."""
    url = urllib.parse.urlsplit(env.get("FLET_CLIENT_URL") or "https://github.com/")
    host, port = url.hostname or "github.com", url.port or (80 if url.scheme == "http" else 443)
    answered: list[bool] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=seconds).close()
            answered.append(True)
        except OSError:
            answered.append(False)

    # the name lookup takes no timeout of its own, so the whole attempt runs in a thread we stop waiting for
    attempt = threading.Thread(target=connect, daemon=True)
    attempt.start()
    attempt.join(seconds)
    return answered == [True]


NO_DESKTOP_CLIENT = (
    "Flet's desktop client is not on this machine and cannot be downloaded now, so the app is served "
    "to your browser instead (set FLET_VIEW_PATH to a client on disk to use the desktop window)"
)
DESKTOP_FAILED = "the desktop window could not be opened (see above), so the app is served to your browser instead"


def app_mode(env: Mapping[str, str], home: Path, reachable: Callable[[Mapping[str, str]], bool]) -> str:
    """ "desktop" where there is a display and Flet's desktop client is on disk or can be downloaded
    (the first desktop start downloads it), else "web"."""
    if not has_display(env):
        return "web"
    if desktop_client_on_disk(env, home, flet_version()) or reachable(env):
        return "desktop"
    return "web"


class Processes:
    """What dev.py starts, each in its own process group, so that stopping one also stops what it
    started (Flet's desktop window, uvicorn's workers) and nothing is left running."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, cmd: list[str | Path], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [str(c) for c in cmd],
            cwd=ROOT,
            env=dict(env),
            start_new_session=os.name != "nt",
            creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
        )
        self.started.append(process)
        return process

    def run(self, cmd: list[str | Path], env: Mapping[str, str]) -> int:
        return self.start(cmd, env).wait()

    def stop(self, grace: float = 1.5) -> None:
        """Ask every group to stop, and kill what is still there after ``grace`` seconds."""
        self._signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(self._alive(p) for p in self.started):
            time.sleep(0.05)
        self._signal(signal.SIGKILL if os.name != "nt" else signal.SIGTERM)
        for process in self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(0.3)

    def _signal(self, sig: int) -> None:
        for process in self.started:
            if os.name == "nt":
                if process.poll() is None:
                    process.terminate()
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)

    @staticmethod
    def _alive(process: subprocess.Popen[bytes]) -> bool:
        if process.poll() is None:
            return True
        if os.name == "nt":
            return False
        try:
            os.killpg(process.pid, 0)  # anything it started still in its group?
        except (ProcessLookupError, PermissionError):
            return False
        return True


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_app(processes: Processes, mode: str, env: Mapping[str, str]) -> int:
    """The app as a desktop window, or served to browsers; a desktop window that fails to open
    (Flet could not fetch its desktop client) falls back to the web app."""
    if mode == "desktop":
        code = processes.run([BIN / "portal", "desktop"], env)
        if code == 0:
            return 0
        say(DESKTOP_FAILED)
    say(f"the web app will be at {env.get('PORTAL_PUBLIC_URL', 'http://127.0.0.1:8550')}/")
    return processes.run([BIN / "portal", "web"], env)


def serve(server: list[str | Path], app: Callable[[Processes], int], env: Mapping[str, str]) -> int:
    """Run the backend and the app until the app ends or Ctrl+C or SIGTERM; then stop both."""
    processes = Processes()
    before = signal.signal(signal.SIGTERM, _interrupted)
    # Ctrl+C too, even where this process was started with it ignored (a job started in the
    # background of a script inherits that, and Python then never raises KeyboardInterrupt).
    before_interrupt = signal.signal(signal.SIGINT, _interrupted)
    try:
        processes.start(server, env)
        return app(processes)
    except KeyboardInterrupt:
        return 0
    finally:
        # a second Ctrl+C or SIGTERM must not cut the stopping short and leave something running
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        processes.stop()
        signal.signal(signal.SIGINT, before_interrupt)
        signal.signal(signal.SIGTERM, before)


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
    mode = app_mode(env, Path.home(), client_downloadable)
    if mode == "web" and has_display(env):
        say(NO_DESKTOP_CLIENT)

    def app(processes: Processes) -> int:
        wait_for("http://127.0.0.1:8000/v1/health", 30)
        say("starting the app (Ctrl+C stops both)")
        return run_app(processes, mode, env)

    say("starting the backend on http://127.0.0.1:8000 (API docs at /docs)")
    return serve([BIN / "portal-server", "run", "--port", "8000"], app, env)


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
