"""Webhook deliveries per second from a real server (one uvicorn worker) to a receiver on
127.0.0.1 that checks every signature, beside a baseline: the same receiver taking the same
bodies straight from one client with as many requests in flight.

The backlog is real messages sent through the API before the webhook is set, then queued for
it as the server would have (``webhook.outbox.enqueue``), so the figure is the dispatcher's
alone: claiming (one per case at a time, in order), signing, posting and recording the answers.

    python -m bench.webhook_bench [--cases 50] [--per-case 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.seed import seed
from bench.server_throughput import BENCH_SECRET, _say, free_port, start_server
from sync.protocol import WebhookCreate
from sync.server import admin
from sync.server.context import Context
from sync.server.db import Database, create_engine
from sync.server.models import event, webhook_delivery
from sync.server.settings import Settings
from sync.server.webhook import outbox
from sync.server.webhook.signature import SIGNATURE_HEADER, sign, verify


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default (5) resets connections when many deliveries arrive at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client closing its kept-alive connection is not news


class Receiver:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.times: list[float] = []
        self.bad = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver behind a proxy would

            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                ok = verify(receiver.secret, self.headers.get(SIGNATURE_HEADER, ""), body, now=time.time())
                with receiver._lock:
                    receiver.times.append(time.perf_counter())
                    receiver.bad += not ok
                self.send_response(200 if ok else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
                return

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/portal"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def rate(self) -> float:
        with self._lock:
            times = sorted(self.times)
        return (len(times) - 1) / (times[-1] - times[0])

    def reset(self) -> None:
        with self._lock:
            self.times.clear()


@dataclass(frozen=True)
class Stored:
    kind: str
    seq: int
    payload: str
    case_id: uuid.UUID
    force_id: uuid.UUID


async def send_messages(port: int, victims: list[Any], per_case: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/v1", timeout=30) as client:

        async def one_case(victim: Any) -> None:
            for n in range(per_case):
                response = await client.put(
                    f"/cases/{victim.case_id}/messages/{uuid.uuid4()}",
                    json={"body": f"Message {n}: " + "x" * 200},
                    headers={"Authorization": f"Bearer {victim.token}"},
                )
                response.raise_for_status()

        await asyncio.gather(*(one_case(v) for v in victims))


def queue_backlog(db: Database) -> int:
    def work(conn: sa.Connection) -> int:
        rows = conn.execute(
            sa.select(event.c.kind, event.c.seq, event.c.payload, event.c.case_id, event.c.force_id)
            .where(event.c.kind == "message")
            .order_by(event.c.seq)
        ).all()
        return outbox.enqueue(conn, [Stored(*row) for row in rows], now=datetime.now(UTC))

    return db.run_write(work)


def pending(db: Database) -> int:
    def work(conn: sa.Connection) -> int:
        query = sa.select(sa.func.count()).where(webhook_delivery.c.status == outbox.PENDING)
        return int(conn.execute(query).scalar_one())

    return db.run_read(work)


async def baseline(receiver: Receiver, body: bytes, count: int, in_flight: int) -> float:
    """The receiver's own pace: signed posts of the same size, ``in_flight`` at a time."""
    receiver.reset()
    limits = httpx.Limits(max_connections=in_flight)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        queue = list(range(count))

        async def worker() -> None:
            while queue:
                queue.pop()
                headers = {SIGNATURE_HEADER: sign(receiver.secret, int(time.time()), body)}
                (await client.post(receiver.url, content=body, headers=headers)).raise_for_status()

        await asyncio.gather(*(worker() for _ in range(in_flight)))
    return receiver.rate()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--per-case", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    args = parser.parse_args()
    receiver = Receiver()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        env = {
            "PORTAL_DATABASE_URL": url,
            "PORTAL_NOTIFY_CHANNEL": "file",
            "PORTAL_NOTIFY_FILE": str(Path(tmp) / "notifications.jsonl"),
            "PORTAL_SECRET_KEY": BENCH_SECRET,
            "PORTAL_WEBHOOK_POLL_SECONDS": "0.05",
        }
        settings = Settings(database_url=url, secret_key=env["PORTAL_SECRET_KEY"])  # type: ignore[arg-type]
        seeded = seed(settings, victims=args.cases)
        port = free_port()
        server = start_server(env, port)
        try:
            asyncio.run(send_messages(port, seeded.victims, args.per_case))
        finally:
            server.terminate()
            server.wait(10)
        db = Database(create_engine(url, pool_size=2), concurrency=2)
        ctx = Context.from_settings(settings)
        try:
            receiver.secret = db.run_write(admin.set_webhook, ctx, "bench", WebhookCreate(url=receiver.url)).secret
            queued = queue_backlog(db)
            server = start_server(env, port)
            try:
                deadline = time.monotonic() + 600
                while pending(db) and time.monotonic() < deadline:
                    time.sleep(0.1)
                left = pending(db)
            finally:
                server.terminate()
                server.wait(10)
        finally:
            db.dispose()
        delivered_rate = receiver.rate()
        received = len(receiver.times)
        body = b'{"id":"' + str(uuid.uuid4()).encode() + b'","data":"' + b"x" * 600 + b'"}'
        in_flight = min(args.cases, settings.webhook_batch)
        base = asyncio.run(baseline(receiver, body, queued, in_flight))
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    _say(f"backend: {backend}, one uvicorn worker, {args.cases} cases x {args.per_case} messages = {queued} events")
    _say(f"webhook deliveries:   {delivered_rate:8.0f} /s   ({received} received, {left} left)")
    _say(f"bad signatures:       {receiver.bad}")
    _say(f"receiver baseline:    {base:8.0f} /s   ({in_flight} in flight from one client)")
    _say(f"ratio to baseline:    {delivered_rate / base:.2f}")


if __name__ == "__main__":
    main()
