"""Shared fixtures. The backend suite runs against both SQLite and PostgreSQL: each test that
asks for ``database_url`` runs twice. PostgreSQL tests use a database made for this run.

A test that asks for ``world`` gets the two-force world of ``tests.support.build_world``, built
through the API once per database kind and copied into its database (``tests/worlds.py``)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from sync.server.migrate import upgrade
from tests.liveserver import Seeded
from tests.support import Api, FakeClock, World, open_api, settings_for
from tests.worlds import WorldSnapshot, WorldSnapshots, empty_postgres

PG_ADMIN = os.environ.get("PORTAL_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def postgres_database(purpose: str) -> Iterator[str]:
    """A migrated PostgreSQL database of its own for this test process, dropped afterwards."""
    name = f"portal_test_{os.getpid()}_{purpose}_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:  # a part the suite names: fail, never skip
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    with postgres_database("run") as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "portal.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


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
    empty_postgres(url)
    return url


# Tests that run one after another in one process when the suite runs in several (pytest -n):
# browser journeys (two Chromiums and two Flet servers at once starve each other on two cores,
# and Flutter drops keys typed while its page is busy), and a module that shares one server.
TOGETHER = {"tests/browser/": "browser", "tests/server/test_limits_concurrency.py": "limits-server"}


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist's own grouping (``xdist_group`` with ``--dist loadgroup``) renames each test's
    node id, which pytest 9.2 no longer lets it do: it silently stops grouping. This scheduler
    groups by path instead; every other test is its own unit, as with ``--dist load``."""
    from xdist.scheduler import LoadScopeScheduling

    class Together(LoadScopeScheduling):  # type: ignore[misc]  # pytest-xdist ships no types
        def _split_scope(self, nodeid: str) -> str:
            return next((group for path, group in TOGETHER.items() if nodeid.startswith(path)), nodeid)

    return Together(config, log)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def world_snapshots(tmp_path_factory: pytest.TempPathFactory) -> WorldSnapshots:
    return WorldSnapshots(tmp_path_factory.mktemp("worlds"))


WORLD = pytest.StashKey[WorldSnapshot]()


@pytest.fixture
async def api(
    request: pytest.FixtureRequest,
    database_url: str,
    tmp_path: Path,
    clock: FakeClock,
    world_snapshots: WorldSnapshots,
) -> AsyncIterator[Api]:
    if "world" in request.fixturenames:  # the world goes in before the server opens the database
        snapshot = await world_snapshots.for_database(database_url)
        snapshot.restore_database(database_url, settings_for(database_url, tmp_path).notify_file)
        request.node.stash[WORLD] = snapshot
    async with open_api(database_url, tmp_path, clock) as opened:
        yield opened


@pytest.fixture
def world(request: pytest.FixtureRequest, api: Api) -> World:
    """Two forces, each with an admin, a supervisor, two officers and a signed-in victim per officer."""
    snapshot: WorldSnapshot = request.node.stash[WORLD]
    return snapshot.world(api)


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
