"""``dev.py start``'s choices, run without installing anything: desktop window or web app, and
stopping everything it started within two seconds of Ctrl+C or SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

import dev

ROOT = Path(__file__).resolve().parents[1]


def unreachable(env: Mapping[str, str]) -> bool:
    return False


def reachable(env: Mapping[str, str]) -> bool:
    return True


def test_with_a_display_and_no_reachable_desktop_client_the_web_app_is_served(tmp_path: Path) -> None:
    assert dev.app_mode({"DISPLAY": ":99"}, tmp_path, unreachable) == "web"


def test_with_a_display_and_a_reachable_desktop_client_the_window_opens(tmp_path: Path) -> None:
    assert dev.app_mode({"DISPLAY": ":99"}, tmp_path, reachable) == "desktop"


def test_without_a_display_the_web_app_is_served(tmp_path: Path) -> None:
    assert dev.app_mode({}, tmp_path, reachable) == "web"


@pytest.mark.skipif(sys.platform != "linux", reason="the client's file names differ by platform")
def test_a_desktop_client_named_by_flet_view_path_is_used_offline(tmp_path: Path) -> None:
    (tmp_path / "client").mkdir()
    (tmp_path / "client" / "flet").write_bytes(b"")
    env = {"DISPLAY": ":99", "FLET_VIEW_PATH": str(tmp_path / "client")}
    assert dev.app_mode(env, tmp_path, unreachable) == "desktop"
    assert dev.app_mode({**env, "FLET_VIEW_PATH": str(tmp_path / "nowhere")}, tmp_path, unreachable) == "web"


@pytest.mark.skipif(sys.platform != "linux", reason="the client's file names differ by platform")
def test_a_desktop_client_flet_downloaded_before_is_used_offline(tmp_path: Path) -> None:
    version = dev.flet_version()
    assert version is not None
    (tmp_path / ".flet" / "client" / f"flet-desktop-light-{version}").mkdir(parents=True)
    assert dev.app_mode({"DISPLAY": ":99"}, tmp_path, unreachable) == "desktop"


def test_the_download_check_answers_quickly_either_way() -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        assert dev.client_downloadable({"FLET_CLIENT_URL": f"http://127.0.0.1:{port}/flet.tar.gz"})
    started = time.monotonic()
    assert not dev.client_downloadable({"FLET_CLIENT_URL": f"http://127.0.0.1:{port}/flet.tar.gz"}, seconds=1)
    assert time.monotonic() - started < 1.5


class Launches(dev.Processes):
    def __init__(self, desktop_exit: int) -> None:
        super().__init__()
        self.desktop_exit = desktop_exit
        self.modes: list[str] = []

    def run(self, cmd: list[str | Path], env: Mapping[str, str]) -> int:
        self.modes.append(str(cmd[-1]))
        return self.desktop_exit if cmd[-1] == "desktop" else 0


def test_a_desktop_window_that_cannot_open_falls_back_to_the_web_app(capsys: pytest.CaptureFixture[str]) -> None:
    launches = Launches(desktop_exit=1)  # what `portal desktop` does when Flet cannot download its client
    assert dev.run_app(launches, "desktop", {}) == 0
    assert launches.modes == ["desktop", "web"]
    assert "served to your browser instead" in capsys.readouterr().out


def test_closing_the_desktop_window_ends_there() -> None:
    launches = Launches(desktop_exit=0)
    assert dev.run_app(launches, "desktop", {}) == 0
    assert launches.modes == ["desktop"]


# The stand-in for the app: ignores SIGTERM, as does a process it started, and writes both ids.
STUBBORN = """
import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
deaf = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
child = subprocess.Popen([sys.executable, "-c", deaf])
with open(sys.argv[1], "a") as f:
    f.write(f"{os.getpid()} {child.pid} ")
time.sleep(60)
"""

DEV = """
import os, sys
import dev
pids = sys.argv[1]
backend = "import os, sys, time; open(sys.argv[1], 'a').write(f'{os.getpid()} '); time.sleep(60)"
server = [sys.executable, "-c", backend, pids]
def app(processes):
    return processes.run([sys.executable, "-c", sys.argv[2], pids], os.environ)
raise SystemExit(dev.serve(server, app, os.environ))
"""


def running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")  # a zombie is no longer running


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl+C"])
def test_a_stop_signal_stops_everything_within_two_seconds(tmp_path: Path, sig: signal.Signals) -> None:
    pids_file = tmp_path / "pids"
    process = subprocess.Popen([sys.executable, "-c", DEV, str(pids_file), STUBBORN], cwd=ROOT)
    try:
        deadline = time.monotonic() + 10
        while len(pids_file.read_text().split() if pids_file.exists() else []) < 3:
            assert time.monotonic() < deadline, "the stand-ins did not start"
            time.sleep(0.05)
        pids = [int(p) for p in pids_file.read_text().split()]
        assert all(running(pid) for pid in pids)
        started = time.monotonic()
        process.send_signal(sig)
        process.wait(3)
        assert time.monotonic() - started < 2.0
        assert not [pid for pid in pids if running(pid)]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
