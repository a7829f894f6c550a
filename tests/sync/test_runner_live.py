"""The runner against a real server on 127.0.0.1 and the real encrypted store: every message
arrives exactly once, in the order written, whatever happens to the server or the network."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from app.store.device import open_device_store
from app.store.keys import MemoryKeyProvider
from app.store.sql import SqlStore
from sync.runner import SyncRunner
from tests.liveserver import ROOT, Seeded, free_port, server, start, stop
from tests.support import bearer


async def eventually(check: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "it never happened"
        await asyncio.sleep(0.02)


def server_bodies(url: str, seeded: Seeded) -> list[str]:
    response = httpx.get(f"{url}/v1/cases/{seeded.victim.case_id}/messages", headers=seeded.officer.auth, timeout=10)
    assert response.status_code == 200, response.text
    return [m["body"] for m in response.json()]


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    opened = open_device_store(tmp_path / "device", MemoryKeyProvider(), backend="sqlcipher")
    return opened


@pytest.fixture
async def runner_for(store: SqlStore) -> AsyncIterator[list[SyncRunner]]:
    runners: list[SyncRunner] = []
    yield runners
    for runner in runners:
        await runner.stop()
    store.close()


async def test_an_officers_reply_reaches_a_long_polling_client_within_a_second(
    seeded: Seeded, store: SqlStore, runner_for: list[SyncRunner]
) -> None:
    with server(seeded.env) as api_url:
        runner = SyncRunner(store, api_url.removesuffix("/v1"), seeded.victim.token)
        runner_for.append(runner)
        await runner.pull_all()
        runner.start()
        await asyncio.sleep(0.5)  # the long-poll is waiting
        started = time.monotonic()
        async with httpx.AsyncClient() as officer:
            sent = await officer.put(
                f"{api_url}/cases/{seeded.victim.case_id}/messages/0f9b1c55-1f0e-4a5e-9a51-3c2d1e0f4b6a",
                json={"body": "I'm on my way"},
                headers=bearer(seeded.officer.token),
            )
        assert sent.status_code == 201
        await eventually(lambda: any(m.body == "I'm on my way" for m in store.messages(seeded.victim.case_id)), 5)
        elapsed = time.monotonic() - started
    assert elapsed < 1.0
    assert runner.engine.state == "online"


async def test_a_burst_survives_the_server_being_killed_and_restarted(
    seeded: Seeded, store: SqlStore, runner_for: list[SyncRunner]
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start(seeded.env, port)
    runner = SyncRunner(store, base, seeded.victim.token)
    runner_for.append(runner)
    runner.start()
    bodies = [f"burst {n}" for n in range(12)]
    case_id = seeded.victim.case_id
    try:
        for body in bodies[:6]:
            runner.write_message(case_id, body, "Alex Morgan")
            await asyncio.sleep(0.01)
        await eventually(lambda: len(server_bodies(base, seeded)) >= 2)
        process.kill()  # mid-burst: no warning, no goodbye
        process.wait()
        for body in bodies[6:]:
            runner.write_message(case_id, body, "Alex Morgan")
        await asyncio.sleep(0.5)
        assert any(m.state == "sending" for m in store.messages(case_id))
        process = start(seeded.env, port)
        runner.refresh()
        await eventually(lambda: store.outbox() == [])
        assert server_bodies(base, seeded) == bodies
    finally:
        stop(process)
    mine = [m for m in store.messages(case_id) if m.author_kind == "victim"]
    assert [m.body for m in mine] == bodies
    assert all(m.state == "sent" and m.seq is not None for m in mine)
    assert len({m.seq for m in mine}) == len(bodies)


class CuttingProxy:
    """Forwards to the server, but drops the connection once, after the server has answered a
    PUT and before the client reads the answer: the message is stored, the client cannot know."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.armed = True
        self.cut = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        last_method = b""

        async def client_to_server() -> None:
            nonlocal last_method
            while data := await reader.read(65536):
                if data[:4] in (b"GET ", b"PUT ", b"POST"):
                    last_method = data[:4]
                up_writer.write(data)
                await up_writer.drain()
            up_writer.close()

        async def server_to_client() -> None:
            while data := await up_reader.read(65536):
                if self.armed and last_method == b"PUT ":
                    self.armed = False
                    self.cut += 1
                    writer.transport.abort()
                    up_writer.close()
                    return
                writer.write(data)
                await writer.drain()
            writer.close()

        await asyncio.gather(client_to_server(), server_to_client(), return_exceptions=True)


async def test_a_reply_lost_after_the_server_stored_the_message_does_not_duplicate_it(
    seeded: Seeded, store: SqlStore, runner_for: list[SyncRunner]
) -> None:
    server_port = free_port()
    process = start(seeded.env, server_port)
    proxy = CuttingProxy(server_port)
    listener = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy_port = listener.sockets[0].getsockname()[1]
    runner = SyncRunner(store, f"http://127.0.0.1:{proxy_port}", seeded.victim.token)
    runner_for.append(runner)
    case_id = seeded.victim.case_id
    try:
        runner.start()
        for body in ("one", "two", "three"):
            runner.write_message(case_id, body, "Alex Morgan")
        runner.refresh()
        await eventually(lambda: store.outbox() == [])
        assert proxy.cut == 1
        assert server_bodies(f"http://127.0.0.1:{server_port}", seeded) == ["one", "two", "three"]
    finally:
        listener.close()
        stop(process)
    assert [m.body for m in store.messages(case_id)] == ["one", "two", "three"]


def write_offline_then_get_killed(folder: Path, key: bytes, base: str, seeded: Seeded, *, count: int) -> None:
    """A real client process writes messages while the server is down, and is killed with them
    all still in its outbox."""
    client = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("client_app.py")), str(folder), key.hex(), base,
         seeded.victim.token, seeded.victim.case_id, str(count)],
        cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert client.stdout is not None
    with client.stdout:
        assert client.stdout.readline().strip() == b"written"
        client.kill()
        client.wait()


async def test_a_client_killed_with_a_full_outbox_sends_it_once_when_started_again(
    seeded: Seeded, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    key = MemoryKeyProvider().load() or bytes(range(32))
    folder = tmp_path / "killed-client"
    write_offline_then_get_killed(folder, key, base, seeded, count=8)

    process = start(seeded.env, port)
    store = open_device_store(folder, MemoryKeyProvider(key))
    runner = SyncRunner(store, base, seeded.victim.token)
    try:
        assert len(store.outbox()) == 8
        runner.start()
        await eventually(lambda: store.outbox() == [])
        assert server_bodies(base, seeded) == [f"offline {n}" for n in range(8)]
    finally:
        await runner.stop()
        store.close()
        stop(process)


async def test_a_new_device_rebuilds_everything_from_the_server(seeded: Seeded, tmp_path: Path) -> None:
    with server(seeded.env) as api_url:
        base = api_url.removesuffix("/v1")
        first = open_device_store(tmp_path / "first", MemoryKeyProvider())
        writer = SyncRunner(first, base, seeded.victim.token)
        for n in range(5):
            writer.write_message(seeded.victim.case_id, f"from the first phone {n}", "Alex Morgan")
        await writer.send_all()
        await writer.stop()
        first.close()

        second = open_device_store(tmp_path / "second", MemoryKeyProvider())
        reader = SyncRunner(second, base, seeded.victim.token)
        await reader.pull_all()
        await reader.stop()
    assert [c.id for c in second.cases()] == [seeded.victim.case_id]
    assert [m.body for m in second.messages(seeded.victim.case_id)] == [f"from the first phone {n}" for n in range(5)]
    assert second.cursor() is not None
    second.close()
