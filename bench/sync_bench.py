"""The sync engine end to end, against a real server on 127.0.0.1 (one worker).

1. 1,000 victim clients long-poll; an officer sends to one of them at a time: p50 and p99 of
   the time from the officer's PUT to the message being in that victim's client store.
2. A 10,000-message case history synced into an empty encrypted store (a new phone).

    python -m bench.sync_bench [--clients 1000] [--samples 200] [--history 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from app.store.device import open_device_store
from app.store.keys import MemoryKeyProvider
from app.store.memory import MemoryStore
from bench.seed import seed
from bench.server_throughput import free_port, percentile, start_server
from sync.protocol import MessageSend
from sync.runner import SyncRunner
from sync.server.context import Context, RequestInfo
from sync.server.db import Database, create_engine
from sync.server.services.messages import SendRequest, send_many
from sync.server.settings import Settings


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def fill_history(settings: Settings, token: str, case_id: uuid.UUID, count: int) -> None:
    """Stores ``count`` messages on one case through the real send path, in batches."""
    db = Database(create_engine(settings.database_url, pool_size=2), concurrency=2)
    ctx = Context.from_settings(settings)
    who = RequestInfo(token=token, ip=None)
    try:
        for start in range(0, count, 500):
            batch = [
                SendRequest(who, case_id, uuid.uuid4(), MessageSend(body=f"history message {n}: " + "words " * 12).body)
                for n in range(start, min(count, start + 500))
            ]
            db.run_write(send_many, ctx, batch)
    finally:
        db.dispose()


async def latency(base: str, officer_token: str, victims: list[tuple[str, uuid.UUID]], samples: int) -> list[float]:
    stores = [MemoryStore() for _ in victims]
    runners = [SyncRunner(store, base, token) for store, (token, _) in zip(stores, victims, strict=True)]
    arrived: dict[str, float] = {}

    def watch(store: MemoryStore, case_id: str) -> None:
        for message in store.messages(case_id):
            if message.author_kind == "officer" and message.body not in arrived:
                arrived[message.body] = time.perf_counter()

    for runner, store, (_, case_id) in zip(runners, stores, victims, strict=True):
        runner.on_change = functools.partial(watch, store, str(case_id))
    await asyncio.gather(*(r.pull_all() for r in runners))
    for runner in runners:
        runner.start()
    await asyncio.sleep(3)  # every client is now waiting in a long-poll
    results = []
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {officer_token}"}) as officer:
        for n in range(samples):
            _, case_id = victims[(n * 7919) % len(victims)]
            body = f"officer reply {n}"
            started = time.perf_counter()
            sent = await officer.put(f"/v1/cases/{case_id}/messages/{uuid.uuid4()}", json={"body": body})
            assert sent.status_code == 201, sent.text
            deadline = started + 10
            while body not in arrived:
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"{body!r} never reached its client")
                await asyncio.sleep(0.001)
            results.append(arrived[body] - started)
    await asyncio.gather(*(r.stop() for r in runners))
    return results


async def history_sync(base: str, token: str, folder: Path) -> tuple[float, int]:
    store = open_device_store(folder, MemoryKeyProvider(), backend="sqlcipher")
    runner = SyncRunner(store, base, token)
    started = time.perf_counter()
    await runner.pull_all()
    elapsed = time.perf_counter() - started
    count = store.message_count()
    await runner.stop()
    store.close()
    return elapsed, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--history", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        secret = "bench-secret-bench-secret-bench-secret"
        env = {
            "PORTAL_DATABASE_URL": url,
            "PORTAL_NOTIFY_FILE": str(Path(tmp) / "n.jsonl"),
            "PORTAL_SECRET_KEY": secret,
        }
        settings = Settings(database_url=url, secret_key=secret)  # type: ignore[arg-type]
        seeded = seed(settings, victims=args.clients + 1)
        history_victim = seeded.victims[-1]
        fill_history(settings, history_victim.token, history_victim.case_id, args.history)
        port = free_port()
        server = start_server(env, port)
        base = f"http://127.0.0.1:{port}"
        try:
            victims = [(v.token, v.case_id) for v in seeded.victims[: args.clients]]
            delays = asyncio.run(latency(base, seeded.officer_token, victims, args.samples))
            elapsed, count = asyncio.run(history_sync(base, history_victim.token, Path(tmp) / "new-phone"))
        finally:
            server.terminate()
            server.wait(30)
    _say(
        f"{args.clients} victim clients long-polling one server worker (SQLite) on 127.0.0.1, all in one client process"
    )
    _say(
        f"officer PUT -> message in the victim's client store, {len(delays)} samples: "
        f"p50 {percentile(delays, 0.5) * 1000:.1f} ms, p99 {percentile(delays, 0.99) * 1000:.1f} ms, "
        f"mean {statistics.mean(delays) * 1000:.1f} ms"
    )
    _say(f"{count:,} messages synced into an empty SQLCipher store in {elapsed:.2f} s ({count / elapsed:,.0f} msg/s)")


if __name__ == "__main__":
    main()
