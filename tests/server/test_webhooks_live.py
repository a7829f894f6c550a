"""Webhooks from real servers on 127.0.0.1: one killed with SIGKILL mid-delivery and started
again loses nothing, and two worker processes on one PostgreSQL database never send an event
twice nor a case's events out of order."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from sync.server import cli
from sync.server.models import webhook_delivery
from sync.server.webhook import outbox
from tests.conftest import fresh_database
from tests.liveserver import Seeded, free_port, server, start, stop
from tests.support import FakeClock, Victim, open_api, settings_for
from tests.webhook_receiver import HOLD, OK, Receiver, running, wait_for

LIVE = {
    "PORTAL_WEBHOOK_TIMEOUT_SECONDS": "1",
    "PORTAL_WEBHOOK_LEASE_SECONDS": "2",
    "PORTAL_WEBHOOK_RETRY_SECONDS": "0.05",
    "PORTAL_WEBHOOK_RETRY_MAX_SECONDS": "0.2",
    "PORTAL_WEBHOOK_POLL_SECONDS": "0.05",
}


def deliveries(database_url: str) -> list[sa.Row[Any]]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.select(webhook_delivery).order_by(webhook_delivery.c.seq)).all())
    finally:
        engine.dispose()


def set_webhook(
    env: dict[str, str], url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """As the force's IT team does: ``portal-server webhook``; the secret it prints."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert cli.main(["webhook", "--force", "tvp", "--url", url]) == 0
    printed = capsys.readouterr().out
    assert f"posted to {url}" in printed
    return printed.strip().splitlines()[-1]


@contextmanager
def killable(env: dict[str, str], port: int) -> Iterator[list[Any]]:
    """A server whose process the test may kill; whatever is running at the end is stopped."""
    processes = [start(env, port)]
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                stop(process)


def send(url: str, victim: Victim, body: str) -> None:
    response = httpx.put(
        f"{url}/cases/{victim.case_id}/messages/{uuid.uuid4()}", json={"body": body}, headers=victim.auth, timeout=10
    )
    assert response.status_code == 201, response.text


async def test_a_server_killed_mid_delivery_loses_no_event(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database_url = seeded.env["PORTAL_DATABASE_URL"]
    receiver = Receiver(plan=[OK, OK, HOLD])
    env = {**seeded.env, **LIVE}
    port = free_port()
    with running(receiver):
        receiver.secret = set_webhook(seeded.env, receiver.url, monkeypatch, capsys)
        with killable(env, port) as processes:
            url = f"http://127.0.0.1:{port}/v1"
            for n in range(6):
                send(url, seeded.victim, f"Message {n}")
            wait_for(receiver.holding.is_set, what="the third delivery to be under way")
            processes[0].kill()  # SIGKILL: no shutdown, no answer recorded
            processes[0].wait()
            # The receiver stores the held delivery after all; its 2xx reaches no one.
            receiver.release.set()
            wait_for(lambda: len(receiver.ids()) == 3, what="the held delivery to be stored")
            processes.append(start(env, port))
            wait_for(lambda: len(receiver.ids()) == 6, what="every event after the restart")
            wait_for(lambda: all(row.status == outbox.DELIVERED for row in deliveries(database_url)), what="acks")
    rows = deliveries(database_url)
    assert len(rows) == 6
    assert receiver.ids() == [str(row.id) for row in rows]  # each event, in order
    assert [r["data"]["message"]["body"] for r in receiver.received] == [f"Message {n}" for n in range(6)]
    # The one repeat: the event whose 2xx was lost with the server, dropped by its id.
    assert receiver.duplicates == [receiver.held_id]
    assert receiver.refused == []


@pytest.fixture
async def two_workers(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[dict[str, str], list[Victim]]:
    database_url = fresh_database("postgresql", request, tmp_path)
    async with open_api(database_url, tmp_path, FakeClock()) as api:
        api.create_force("tvp", "Thames Valley Police")
        officer = await api.add_officer("tvp", "pc1")
        victims = [await api.victim_with_case(officer, victim={"phone": f"07700 9001{n:02d}"}) for n in range(4)]
    settings = settings_for(database_url, tmp_path)
    env = {
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": settings.secret_key.get_secret_value(),
        "PORTAL_NOTIFY_FILE": str(settings.notify_file),
    }
    return env, victims


async def test_two_workers_send_each_event_once_and_each_case_in_order(
    two_workers: tuple[dict[str, str], list[Victim]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env, victims = two_workers
    receiver = Receiver(delay=0.01)
    with running(receiver):
        receiver.secret = set_webhook(env, receiver.url, monkeypatch, capsys)
        # Two server processes (each with its own dispatcher), as two machines behind a load balancer.
        with server({**env, **LIVE}) as first, server({**env, **LIVE}) as second:
            async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=20)) as client:

                async def send_all(victim: Victim) -> None:
                    for n in range(8):
                        url = (first, second)[n % 2]
                        response = await client.put(
                            f"{url}/cases/{victim.case_id}/messages/{uuid.uuid4()}",
                            json={"body": f"Message {n}"},
                            headers=victim.auth,
                        )
                        assert response.status_code == 201, response.text

                await asyncio.gather(*(send_all(victim) for victim in victims))
            rows = deliveries(env["PORTAL_DATABASE_URL"])
            assert len(rows) == 32
            wait_for(lambda: len(receiver.ids()) == 32, what="every event")
            wait_for(
                lambda: all(row.status == outbox.DELIVERED for row in deliveries(env["PORTAL_DATABASE_URL"])),
                what="every acknowledgement",
            )
    assert receiver.duplicates == []
    assert sorted(receiver.ids()) == sorted(str(row.id) for row in rows)
    by_case = receiver.seqs_by_case()
    assert len(by_case) == 4
    for seqs in by_case.values():
        assert seqs == sorted(seqs)
        assert len(seqs) == 8
    assert receiver.refused == []
