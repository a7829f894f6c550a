"""Property: whatever happens — sends, the network going and coming, the client dying, the
server restarting — once things settle, the server holds exactly the client's messages, once
each, in the order they were written."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.store.device import open_device_store
from app.store.keys import MemoryKeyProvider
from sync.runner import SyncRunner
from tests.liveserver import Seeded, free_port, start, stop
from tests.proxy import Proxy
from tests.sync.test_runner_live import eventually, server_bodies

STEPS = st.lists(
    st.sampled_from(["send", "send", "send", "offline", "online", "kill client", "restart server"]),
    min_size=4,
    max_size=10,
)
RUN = itertools.count()


@dataclass
class Backend:
    """The server all examples of one test talk to, running when each example begins. Examples
    share the database anyway and tell their own messages apart by run number; a server of
    their own would only pay its start-up again (a "restart server" step still restarts it)."""

    env: dict[str, str]
    port: int
    process: subprocess.Popen[bytes]

    def restart(self) -> None:
        self.process.kill()
        self.process.wait()
        self.process = start(self.env, self.port)


@pytest.fixture
def backend(seeded: Seeded) -> Iterator[Backend]:
    port = free_port()
    running = Backend(seeded.env, port, start(seeded.env, port))
    yield running
    stop(running.process)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
async def test_the_server_ends_with_the_clients_messages_in_order(
    seeded: Seeded, backend: Backend, tmp_path: Path, steps: list[str]
) -> None:
    run = next(RUN)
    server_port = backend.port
    if backend.process.poll() is not None:
        backend.restart()
    switch = Proxy(server_port)
    base = await switch.start()
    key = MemoryKeyProvider(bytes(range(32)))
    folder = tmp_path / f"run-{run}"
    store = open_device_store(folder, key)
    runner = SyncRunner(store, base, seeded.victim.token)
    runner.start()
    written: list[str] = []
    case_id = seeded.victim.case_id
    try:
        for n, step in enumerate(steps):
            if step == "send":
                body = f"run {run} message {n}"
                runner.write_message(case_id, body, "Alex Morgan")
                written.append(body)
            elif step == "offline":
                switch.cut()
            elif step == "online":
                switch.online = True
                runner.refresh()
            elif step == "kill client":
                await runner.stop()  # no flush, no goodbye: the outbox stays as it is
                store.close()
                store = open_device_store(folder, key)
                runner = SyncRunner(store, base, seeded.victim.token)
                runner.start()
            elif step == "restart server":
                backend.restart()
            await asyncio.sleep(0.05)

        switch.online = True
        runner.refresh()
        await eventually(lambda: store.outbox() == [], 60)
        mine = [b for b in server_bodies(f"http://127.0.0.1:{server_port}", seeded) if b.startswith(f"run {run} ")]
        assert mine == written
        await runner.pull_all()
        local = [m.body for m in store.messages(case_id) if m.body.startswith(f"run {run} ")]
        assert local == written
    finally:
        await runner.stop()
        store.close()
        await switch.close()  # the server lives on to the next example: close this example's connections to it
