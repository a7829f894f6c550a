"""Backend throughput and long-poll latency, against a real server on 127.0.0.1 (one worker).

Prints messages sent per second and empty sync polls per second, each as a ratio to a bare
JSON endpoint served by the same stack in the same run, then the time from a message PUT to
a waiting long-poll answering, with 200 idle long-polls open.

    python -m bench.server_throughput [--seconds 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.loadgen import Connection, Request, rate
from bench.seed import Seeded, seed
from sync.server.changes import encode_cursor
from sync.server.security import Secrets
from sync.server.settings import Settings

IDLE_LONG_POLLS = 200
BENCH_SECRET = "bench-secret-bench-secret-bench-secret"  # the server's, so cursors can be made here


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "sync.server.cli", "run", "--port", str(port), "--no-migrate"],
        # a benchmark's server is a development server (a server must say what it is)
        env={**os.environ, "PORTAL_ENVIRONMENT": "development", **env, "PORTAL_LOG_LEVEL": "warning"},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def cursors(port: int, seeded: Seeded, *, at_own_last_event: bool = False) -> list[str]:
    """Each victim's cursor: the server's head, or just after their own last event (which the
    server must check in the database, as it does for a cursor from before it started)."""
    out = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/v1") as client:
        for victim in seeded.victims:
            page = client.get("/sync", headers={"Authorization": f"Bearer {victim.token}"}).json()
            last = max(event["seq"] for event in page["events"])
            out.append(encode_cursor(Secrets(BENCH_SECRET), last) if at_own_last_event else page["cursor"])
    return out


async def throughput(port: int, seeded: Seeded, seconds: float, connections: int) -> dict[str, float]:
    heads = cursors(port, seeded)
    behind = cursors(port, seeded, at_own_last_event=True)
    victims = seeded.victims

    def bare(i: int, n: int) -> Request:
        return Request("GET", "/v1/health", {})

    def poll(i: int, n: int) -> Request:
        v = (i + n * connections) % len(victims)
        return Request("GET", f"/v1/sync?since={heads[v]}", {"Authorization": f"Bearer {victims[v].token}"})

    def poll_database(i: int, n: int) -> Request:
        v = (i + n * connections) % len(victims)
        return Request("GET", f"/v1/sync?since={behind[v]}", {"Authorization": f"Bearer {victims[v].token}"})

    def send(i: int, n: int) -> Request:
        v = i % len(victims)
        body = json.dumps({"body": f"message {n} from connection {i}"}).encode()
        return Request(
            "PUT",
            f"/v1/cases/{victims[v].case_id}/messages/{uuid.uuid4()}",
            {"Authorization": f"Bearer {victims[v].token}"},
            body,
        )

    await rate(port, bare, connections=connections, seconds=1.0)  # warm up
    bare_before = await rate(port, bare, connections=connections, seconds=seconds)
    polls = await rate(port, poll, connections=connections, seconds=seconds)
    database_polls = await rate(port, poll_database, connections=connections, seconds=seconds)
    sends = await rate(port, send, connections=connections, seconds=seconds)
    bare_after = await rate(port, bare, connections=connections, seconds=seconds)
    return {"bare": (bare_before + bare_after) / 2, "poll": polls, "poll_db": database_polls, "send": sends}


async def long_poll_latency(port: int, seeded: Seeded, samples: int) -> list[float]:
    heads = cursors(port, seeded)
    target, idle = seeded.victims[0], seeded.victims[1 : 1 + IDLE_LONG_POLLS]
    idle_conns = [await Connection.open(port) for _ in idle]
    for conn, victim, head in zip(idle_conns, idle, heads[1:], strict=False):
        conn.writer.write(
            Request("GET", f"/v1/sync?since={head}&timeout=30", {"Authorization": f"Bearer {victim.token}"}).encode()
        )
    await asyncio.sleep(0.5)
    poller = await Connection.open(port)
    sender = await Connection.open(port)
    cursor = heads[0]
    latencies = []
    officer = {"Authorization": f"Bearer {seeded.officer_token}"}
    as_victim = {"Authorization": f"Bearer {target.token}"}
    for n in range(samples):
        poller.writer.write(Request("GET", f"/v1/sync?since={cursor}&timeout=30", as_victim).encode())
        await asyncio.sleep(0.02)  # let the poll reach its wait
        put = Request(
            "PUT",
            f"/v1/cases/{target.case_id}/messages/{uuid.uuid4()}",
            officer,
            json.dumps({"body": f"reply {n}"}).encode(),
        )
        started = time.perf_counter()
        sender.writer.write(put.encode())
        status, body = await poller.read_response()
        latencies.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"long-poll answered {status}")
        cursor = json.loads(body)["cursor"]
        put_status, _ = await sender.read_response()
        if put_status != 201:
            raise RuntimeError(f"officer PUT answered {put_status}")
    for conn in (*idle_conns, poller, sender):
        conn.close()
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        env = {
            "PORTAL_DATABASE_URL": url,
            "PORTAL_NOTIFY_CHANNEL": "file",
            "PORTAL_NOTIFY_FILE": str(Path(tmp) / "notifications.jsonl"),
            "PORTAL_SECRET_KEY": BENCH_SECRET,
        }
        settings = Settings(database_url=url, secret_key=env["PORTAL_SECRET_KEY"])  # type: ignore[arg-type]
        seeded = seed(settings, victims=IDLE_LONG_POLLS + 1)
        port = free_port()
        server = start_server(env, port)
        try:
            figures = asyncio.run(throughput(port, seeded, args.seconds, args.connections))
            latencies = asyncio.run(long_poll_latency(port, seeded, args.samples))
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    bare, send, poll = figures["bare"], figures["send"], figures["poll"]
    _say(
        f"backend: {backend}, one uvicorn worker, {args.connections} keep-alive connections, {args.seconds:.0f} s each"
    )
    _say(f"bare JSON endpoint:  {bare:8.0f} req/s")
    _say(f"message PUT:         {send:8.0f} req/s   ratio to bare {send / bare:.2f} (aim >= 0.5)")
    _say(f"empty sync poll:     {poll:8.0f} req/s   ratio to bare {poll / bare:.2f} (aim >= 0.7)")
    poll_db = figures["poll_db"]
    _say(f"  the same, checked in the database: {poll_db:8.0f} req/s   ratio to bare {poll_db / bare:.2f}")
    _say(
        f"PUT -> waiting long-poll answers, {IDLE_LONG_POLLS} idle long-polls open, {len(latencies)} samples: "
        f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
        f"mean {statistics.mean(latencies) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
