"""Rows per second for ``import-cases`` into SQLite and PostgreSQL, beside a baseline measured in
the same run: the same cases and victims put in with plain bulk INSERTs (no checks, no events,
no decisions, no audit), which is as fast as those rows can go into that database.

    python -m bench.import_bench [--rows 100000] [--pg-admin postgresql://postgres@127.0.0.1:5432/postgres]

Each database is made for the run and dropped after it. The file has 1% bad rows; a second
run of the same file (every row unchanged) is timed too.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from pydantic import SecretStr

from bench import import_rows
from sync.protocol import CaseCreate, EligibilityRules, OfficerCreate
from sync.server import admin
from sync.server.context import Context
from sync.server.db import Database, create_engine
from sync.server.errors import ApiError
from sync.server.migrate import upgrade
from sync.server.models import case, officer, victim
from sync.server.services import case_import
from sync.server.services.cases import victim_values
from sync.server.settings import Settings


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _setup(url: str, tmp: Path) -> tuple[Database, Context, list[str]]:
    upgrade(url)
    settings = Settings(
        database_url=url, secret_key=SecretStr("bench-secret-" + "x" * 32), notify_channel="file",
        notify_file=tmp / "notifications.jsonl", password_hashing="fast",
    )  # fmt: skip
    db = Database(create_engine(url, pool_size=2), concurrency=2)
    ctx = Context.from_settings(settings)
    db.run_write(admin.create_force, ctx, "tvp", "Thames Valley Police")
    collars = [str(100 + n) for n in range(20)]
    for collar in collars:
        body = OfficerCreate(
            username=f"pc{collar}", name=f"PC {collar}", collar_number=collar,
            email=f"pc{collar}@example.org", phone="01632 960000",
        )  # fmt: skip
        db.run_write(admin.create_officer, ctx, "tvp", body)
    rules = EligibilityRules(invite_crime_types=["Burglary", "Theft"], officer_crime_types=["Fraud"])
    db.run_write(admin.set_eligibility_rules, ctx, "tvp", rules)
    return db, ctx, collars


def _baseline(db: Database, path: Path) -> tuple[int, float]:
    """The good rows of the file, parsed and checked beforehand, put in with plain bulk INSERTs."""
    prepared: list[tuple[CaseCreate, dict[str, Any]]] = []
    for _, parsed in case_import.rows(path):
        if isinstance(parsed, CaseCreate):
            with contextlib.suppress(ApiError):
                prepared.append((parsed, victim_values(parsed.victim)))

    def insert(conn: sa.Connection) -> None:
        force_id, officer_id = conn.execute(sa.select(officer.c.force_id, officer.c.id).limit(1)).one()
        now = datetime.now(UTC)
        for start in range(0, len(prepared), 1000):
            victims, cases = [], []
            for body, values in prepared[start : start + 1000]:
                victim_id = uuid.uuid4()
                victims.append({"id": victim_id, "force_id": force_id, "created_at": now, **values})
                cases.append({
                    "id": uuid.uuid4(), "force_id": force_id, "crime_reference": "B" + body.crime_reference,
                    "crime_type": body.crime_type, "status": body.status.value, "summary": body.summary,
                    "reported_on": body.reported_on, "officer_id": officer_id, "victim_id": victim_id,
                    "created_at": now, "updated_at": now,
                })  # fmt: skip
            conn.execute(sa.insert(victim), victims)
            conn.execute(sa.insert(case), cases)

    started = time.perf_counter()
    db.run_write(insert)
    return len(prepared), time.perf_counter() - started


def _measure(name: str, url: str, rows: int, tmp: Path) -> None:
    db, ctx, collars = _setup(url, tmp)
    path = import_rows.write(tmp / f"{name}.csv", import_rows.rows(rows, collars))
    try:
        timings: dict[str, tuple[float, dict[str, int]]] = {}
        for label in ("import", "again"):
            started = time.perf_counter()
            done = case_import.run(db, ctx, "tvp", path, dry_run=False, report=lambda _: None)
            timings[label] = (time.perf_counter() - started, dict(done))
        good, baseline_seconds = _baseline(db, path)
    finally:
        db.dispose()
    seconds, counts = timings["import"]
    again_seconds, again_counts = timings["again"]
    baseline_rate = good / baseline_seconds
    _say(f"{name}: {rows} rows {counts}")
    _say(f"  import-cases      {rows / seconds:9.0f} rows/s  ({seconds:.1f} s)")
    _say(f"  again, unchanged  {rows / again_seconds:9.0f} rows/s  ({again_seconds:.1f} s) {again_counts}")
    _say(f"  plain bulk INSERT {baseline_rate:9.0f} rows/s  (baseline: the good rows, parsed beforehand)")
    _say(f"  import / baseline {rows / seconds / baseline_rate:9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="measure one database (default: both)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.only != "postgresql":
            _measure("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}", args.rows, tmp)
        if args.only == "sqlite":
            return
        name = f"portal_import_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg_admin, autocommit=True) as pg:
            pg.execute(f'CREATE DATABASE "{name}"')
        try:
            _measure("PostgreSQL", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", args.rows, tmp)
        finally:
            with psycopg.connect(args.pg_admin, autocommit=True) as pg:
                pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
