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
from tests.proxy import Proxy
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


async def test_a_reply_lost_after_the_server_stored_the_message_does_not_duplicate_it(
    seeded: Seeded, store: SqlStore, runner_for: list[SyncRunner]
) -> None:
    server_port = free_port()
    process = start(seeded.env, server_port)
    # drops the connection once, after the server has answered a PUT and before the client
    # reads the answer: the message is stored, and the client cannot know
    proxy = Proxy(server_port, lose_first_put_answer=True)
    runner = SyncRunner(store, await proxy.start(), seeded.victim.token)
    runner_for.append(runner)
    case_id = seeded.victim.case_id
    try:
        runner.start()
        for body in ("one", "two", "three"):
            runner.write_message(case_id, body, "Alex Morgan")
        runner.refresh()
        await eventually(lambda: store.outbox() == [])
        assert proxy.lost_answers == 1
        assert server_bodies(f"http://127.0.0.1:{server_port}", seeded) == ["one", "two", "three"]
    finally:
        await runner.stop()
        await proxy.close()
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
