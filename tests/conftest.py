"""Shared fixtures. The backend suite runs against both SQLite and PostgreSQL: each test that
asks for ``database_url`` runs twice. PostgreSQL tests use a database made for this run."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from sync.server.migrate import upgrade
from sync.server.models import metadata
from tests.liveserver import Seeded
from tests.support import Api, FakeClock, open_api, settings_for

PG_ADMIN = os.environ.get("PORTAL_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    name = f"portal_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:  # a part the suite names: fail, never skip
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    upgrade(url)
    yield url
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "portal.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


def _truncate(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request.param, request, tmp_path)


def fresh_database(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database of this kind ("sqlite" or "postgresql") for one test."""
    if kind == "sqlite":
        path = tmp_path / "portal.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_database")
    _truncate(url)
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def api(database_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Api]:
    async with open_api(database_url, tmp_path, clock) as opened:
        yield opened


@pytest.fixture
async def seeded(database_url: str, tmp_path: Path) -> Seeded:
    async with open_api(database_url, tmp_path, FakeClock()) as api:
        api.create_force("tvp", "Thames Valley Police")
        officer = await api.add_officer("tvp", "pc1")
        victim = await api.victim_with_case(officer)
    settings = settings_for(database_url, tmp_path)
    env = {
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": settings.secret_key.get_secret_value(),
        "PORTAL_NOTIFY_FILE": str(settings.notify_file),
        "PORTAL_CALLER_CACHE_SECONDS": "1",
    }
    return Seeded(env, officer, victim)
