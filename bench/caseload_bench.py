"""A supervisor's caseload with 100,000 cases in one force: the first page of ``GET /v1/cases``
and a search by crime reference, in milliseconds at p50 and p99, on SQLite and PostgreSQL.

Each figure is also given as a ratio to ``GET /v1/officers/me`` (a signed-in request that reads
one row) timed the same way in the same run, since these 2-core machines are noisy. Requests go
through the whole app in-process (httpx's ASGI transport): routing, authentication, the
queries, rendering and JSON, without a socket.

    python -m bench.caseload_bench [--cases 100000] [--samples 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import sqlalchemy as sa
from pydantic import SecretStr

from bench.seed import add_signed_in_officer
from sync.protocol import OfficerCreate, Role
from sync.server import admin
from sync.server.app import create_app
from sync.server.migrate import upgrade
from sync.server.models import case, force, officer, victim
from sync.server.services import attention
from sync.server.settings import Settings

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _fill(conn: sa.Connection, force_id: uuid.UUID, officer_ids: list[uuid.UUID], count: int) -> None:
    batch = 5000
    for first in range(0, count, batch):
        victims, cases = [], []
        for n in range(first, min(first + batch, count)):
            victim_id = uuid.uuid4()
            due = START + timedelta(minutes=(n * 7919) % 200_000)
            closed = n % 5 == 0
            victims.append(
                {
                    "id": victim_id,
                    "force_id": force_id,
                    "name": f"Victim {n}",
                    "phone": "+447700900001",
                    "email": None,
                    "preferred_channel": "sms",
                    "safe_contact_notes": "",
                    "enhanced_rights": n % 10 == 0,
                    "created_at": START,
                }
            )
            cases.append(
                {
                    "id": uuid.uuid4(),
                    "force_id": force_id,
                    "crime_reference": f"43/{n:07d}/26",
                    "crime_type": "Burglary",
                    "status": "closed" if closed else "investigating",
                    "summary": "",
                    "reported_on": date(2026, 10, 1),
                    "officer_id": officer_ids[n % len(officer_ids)],
                    "victim_id": victim_id,
                    "created_at": START,
                    "updated_at": START,
                    "next_update_due": None if closed else due,
                    "queue_position": attention.queue_position(closed=closed, next_due=due, updated_at=START),
                }
            )
        conn.execute(sa.insert(victim), victims)
        conn.execute(sa.insert(case), cases)


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def _time(client: httpx.AsyncClient, path: str, headers: dict[str, str], samples: int) -> list[float]:
    for _ in range(10):  # warm the statement caches
        assert (await client.get(path, headers=headers)).status_code == 200
    taken = []
    for _ in range(samples):
        started = time.perf_counter()
        response = await client.get(path, headers=headers)
        taken.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return taken


async def measure(url: str, cases: int, samples: int, folder: Path) -> None:
    upgrade(url)
    settings = Settings(
        database_url=url, secret_key=SecretStr("bench-secret-" + "x" * 32), notify_file=folder / "notes.jsonl"
    )
    app = create_app(settings)
    services = app.state.services
    db, ctx = services.db, services.ctx
    db.run_write(admin.create_force, ctx, "bench", "Benchmark Constabulary")
    token = ""
    for n, role in enumerate([Role.SUPERVISOR, *[Role.OFFICER] * 20]):
        body = OfficerCreate(
            username=f"user{n}",
            name=f"Officer {n}",
            collar_number=str(n + 1),
            role=role,
            email=f"user{n}@example.org",
            phone="01632 960000",
        )
        if n == 0:  # the supervisor, whose caseload is the force's
            token = add_signed_in_officer(db, ctx, "bench", body)
        else:
            db.run_write(admin.create_officer, ctx, "bench", body)
    officers = db.run_read(
        lambda conn: list(conn.execute(sa.select(officer.c.id).where(officer.c.role == "officer")).scalars())
    )
    force_id = db.run_read(lambda conn: conn.execute(sa.select(force.c.id)).scalar_one())
    started = time.perf_counter()
    db.run_write(_fill, force_id, officers, cases)
    if not db.is_sqlite:
        db.run_write(lambda conn: conn.exec_driver_sql("ANALYZE"))
    _say(f"  seeded {cases:,} cases in {time.perf_counter() - started:.0f} s")
    headers = {"Authorization": f"Bearer {token}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench/v1") as client:
            figures = {
                "baseline: GET /v1/officers/me": await _time(client, "/officers/me", headers, samples),
                "first page (100 cases)": await _time(client, "/cases?limit=100", headers, samples),
                "first page needing attention": await _time(
                    client, "/cases?view=attention&limit=100", headers, samples
                ),
                "search by crime reference": await _time(client, "/cases?q=43/0077777/26", headers, samples),
            }
    base = statistics.median(figures["baseline: GET /v1/officers/me"])
    for name, taken in figures.items():
        p50, p99 = _percentile(taken, 0.5), _percentile(taken, 0.99)
        _say(f"  {name:32} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   p50 / baseline {p50 / base:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--database-url", help="PostgreSQL server to make a scratch database on")
    args = parser.parse_args()
    pg_admin = args.database_url or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        _say(f"Caseload of one force with {args.cases:,} cases, supervisor's view, {args.samples} samples each")
        _say("SQLite:")
        asyncio.run(measure(f"sqlite:///{folder / 'bench.sqlite3'}", args.cases, args.samples, folder))
        name = f"portal_bench_{uuid.uuid4().hex[:8]}"
        server = sa.engine.make_url(pg_admin)
        plain = server.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            _say("PostgreSQL:")
            asyncio.run(
                measure(
                    server.set(database=name).render_as_string(hide_password=False), args.cases, args.samples, folder
                )
            )
        finally:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
