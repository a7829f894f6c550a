"""Against real uvicorn servers on 127.0.0.1, as separate processes sharing one database:
long-polls wake within a second of a send, whichever worker stored it."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import httpx

from sync.protocol import Role
from sync.server.models import device_session
from tests import liveserver
from tests.liveserver import Seeded, server
from tests.support import FakeClock, open_api


async def _reply_reaches_long_poll(poll_url: str, send_url: str, seeded: Seeded) -> float:
    victim, officer = seeded.victim, seeded.officer
    async with httpx.AsyncClient(timeout=40) as poller, httpx.AsyncClient(timeout=10) as sender:
        head = (await poller.get(f"{poll_url}/sync", headers=victim.auth)).json()["cursor"]
        waiting = asyncio.create_task(
            poller.get(f"{poll_url}/sync", params={"since": head, "timeout": 20}, headers=victim.auth)
        )
        await asyncio.sleep(0.5)
        assert not waiting.done()
        started = time.monotonic()
        sent = await sender.put(
            f"{send_url}/cases/{victim.case_id}/messages/7b0c8f5e-8d59-4a51-9d8e-2f1b5b0e6c11",
            json={"body": "The officer's reply"},
            headers=officer.auth,
        )
        assert sent.status_code == 201
        answer = await asyncio.wait_for(waiting, 5)
        elapsed = time.monotonic() - started
    bodies = [e["message"]["body"] for e in answer.json()["events"] if e["kind"] == "message"]
    assert bodies == ["The officer's reply"]
    return elapsed


async def test_long_poll_answers_within_a_second_of_a_send(seeded: Seeded) -> None:
    with server(seeded.env) as url:
        elapsed = await _reply_reaches_long_poll(url, url, seeded)
    assert elapsed < 1.0


async def test_long_poll_wakes_when_another_worker_stores_the_message(seeded: Seeded) -> None:
    with server(seeded.env) as first, server(seeded.env) as second:
        elapsed = await _reply_reaches_long_poll(first, second, seeded)
    assert elapsed < 1.0


async def test_signing_out_on_one_worker_ends_the_token_on_the_others(seeded: Seeded) -> None:
    victim = seeded.victim
    with server(seeded.env) as first, server(seeded.env) as second:
        async with httpx.AsyncClient(timeout=10) as client:
            assert (await client.get(f"{first}/sync", headers=victim.auth)).status_code == 200
            assert (await client.post(f"{second}/auth/logout", headers=victim.auth)).status_code == 204
            deadline = time.monotonic() + 3  # PostgreSQL: at once, by NOTIFY; SQLite: after the 1 s cache
            status = 200
            while time.monotonic() < deadline:
                status = (await client.get(f"{first}/sync", headers=victim.auth)).status_code
                if status == 401:
                    break
                await asyncio.sleep(0.1)
    assert status == 401


async def test_the_same_send_to_two_workers_at_once_is_stored_once(seeded: Seeded) -> None:
    victim = seeded.victim
    msg_id = "2f0d54f4-4c59-4b52-9a3a-7c1f3f9e0a11"
    with server(seeded.env) as first, server(seeded.env) as second:
        async with httpx.AsyncClient(timeout=20) as client:
            replies = await asyncio.gather(
                *(
                    client.put(
                        f"{(first, second)[n % 2]}/cases/{victim.case_id}/messages/{msg_id}",
                        json={"body": "Sent twice by a flaky network"},
                        headers=victim.auth,
                    )
                    for n in range(20)
                )
            )
            history = await client.get(f"{first}/cases/{victim.case_id}/messages", headers=victim.auth)
    assert sorted(r.status_code for r in replies) == [200] * 19 + [201]
    assert len({r.json()["seq"] for r in replies}) == 1
    assert [m["body"] for m in history.json()] == ["Sent twice by a flaky network"]


async def test_sigterm_answers_open_long_polls_and_stops_within_two_seconds(seeded: Seeded) -> None:
    port = liveserver.free_port()
    process = liveserver.start(seeded.env, port)
    try:
        async with httpx.AsyncClient(timeout=40) as poller:
            url = f"http://127.0.0.1:{port}/v1/sync"
            head = (await poller.get(url, headers=seeded.victim.auth)).json()["cursor"]
            waiting = asyncio.create_task(
                poller.get(url, params={"since": head, "timeout": 25}, headers=seeded.victim.auth)
            )
            await asyncio.sleep(0.5)
            assert not waiting.done()
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            answer = await asyncio.wait_for(waiting, 2)
            await asyncio.to_thread(process.wait, 2)
            elapsed = time.monotonic() - started
    finally:
        liveserver.stop(process)
    assert answer.status_code == 200
    assert answer.json()["events"] == []
    assert elapsed < 2.0


async def _refused_soon(client: httpx.AsyncClient, url: str, auth: dict[str, str]) -> int:
    deadline = time.monotonic() + 3  # PostgreSQL: at once, by NOTIFY; SQLite: after the 1 s cache
    status = 200
    while time.monotonic() < deadline:
        status = (await client.get(url, headers=auth)).status_code
        if status == 401:
            break
        await asyncio.sleep(0.1)
    return status


async def test_deactivating_an_officer_or_signing_a_victim_out_ends_them_on_every_worker(
    seeded: Seeded, tmp_path: Path
) -> None:
    victim, officer = seeded.victim, seeded.officer
    async with open_api(seeded.env["PORTAL_DATABASE_URL"], tmp_path, FakeClock()) as api:
        api._collars = 500  # the seeded officer has the first collar number
        admin = await api.add_officer("tvp", "admin", Role.ADMIN)
        victim_id = api.rows(device_session, device_session.c.kind == "victim")[0].victim_id
    env = dict(seeded.env)
    if not env["PORTAL_DATABASE_URL"].startswith("sqlite"):
        env["PORTAL_CALLER_CACHE_SECONDS"] = "60"  # so only the NOTIFY can end it in time
    with server(env) as first, server(env) as second:
        async with httpx.AsyncClient(timeout=10) as client:
            for auth in (victim.auth, officer.auth):
                assert (await client.get(f"{first}/cases/{victim.case_id}", headers=auth)).status_code == 200
            ended = await client.post(f"{second}/victims/{victim_id}/sign-out", headers=admin.auth)
            assert ended.json() == {"signed_out": 1}
            assert await _refused_soon(client, f"{first}/cases/{victim.case_id}", victim.auth) == 401
            off = await client.post(f"{second}/officers/{officer.id}/deactivate", headers=admin.auth)
            assert off.status_code == 200
            assert await _refused_soon(client, f"{first}/cases/{victim.case_id}", officer.auth) == 401
