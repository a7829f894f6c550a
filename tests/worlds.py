"""The two-force world (``tests.support.build_world``) built once per database kind and run,
then copied into each test's own database before its server starts.

Building it goes through the real API: two forces, eight officers who each choose a password
and set up an authenticator, four invited and signed-in victims, about fifty requests. Copying
the rows it left behind is some fifty times cheaper, and the test then starts from exactly the
state the API built: the same rows, the same notifications file, the same tokens and
authenticator steps, and the same clock time.
"""

from __future__ import annotations

import copy
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sync.server.models import metadata
from tests.support import Api, FakeClock, Officer, Victim, World, build_world, open_api


def database_kind(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def sqlite_path(database_url: str) -> Path:
    return Path(sa.engine.make_url(database_url).database or "")


def _counters() -> list[sa.Column[Any]]:
    """The columns PostgreSQL numbers from a sequence of its own (the audit trail, attempts)."""
    return [
        column
        for table in metadata.sorted_tables
        for column in table.primary_key.columns
        if column.autoincrement is True and isinstance(column.type, sa.Integer)
    ]


def _set_counters(conn: sa.Connection, *, restart: bool) -> None:
    for column in _counters():
        sequence = f"pg_get_serial_sequence('\"{column.table.name}\"', '{column.name}')"
        if restart:
            conn.exec_driver_sql(f"SELECT setval({sequence}, 1, false)")
        else:  # on from the highest number copied in, as if those rows had been inserted here
            conn.exec_driver_sql(
                f'SELECT setval({sequence}, COALESCE(MAX("{column.name}"), 0) + 1, false) FROM "{column.table.name}"'
            )


def empty_postgres(database_url: str) -> None:
    """Every table emptied and every counter back at 1: what TRUNCATE ... RESTART IDENTITY does,
    without the new files TRUNCATE makes for each table and index (ten times slower here)."""
    engine = sa.create_engine(database_url, poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
            _set_counters(conn, restart=True)
    finally:
        engine.dispose()


@dataclass
class WorldSnapshot:
    """What building the world left behind, in the database and in the test's hands."""

    now: datetime
    officers: dict[str, Officer]
    victims: dict[str, Victim]
    integration_keys: dict[str, str]
    authenticators: dict[tuple[str, str], str]
    totp_steps: dict[tuple[str, str], int]
    collars: int
    notifications: bytes
    sqlite_file: Path | None = None  # SQLite: a copy of the built database
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # PostgreSQL: every table's rows

    def restore_database(self, database_url: str, notify_file: Path) -> None:
        """Puts the world into this (empty, migrated) database; before any server opens it."""
        notify_file.write_bytes(self.notifications)
        if self.sqlite_file is not None:
            source, target = sqlite3.connect(self.sqlite_file), sqlite3.connect(sqlite_path(database_url))
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
            return
        engine = sa.create_engine(database_url, poolclass=sa.NullPool)
        try:
            with engine.begin() as conn:
                for table in reversed(metadata.sorted_tables):
                    conn.execute(table.delete())
                for table in metadata.sorted_tables:
                    if self.rows[table.name]:
                        conn.execute(table.insert(), self.rows[table.name])
                _set_counters(conn, restart=False)
        finally:
            engine.dispose()

    def world(self, api: Api) -> World:
        """The world as ``build_world`` returns it, on a server opened over the restored database."""
        api.clock.now = self.now
        api.integration_keys.update(self.integration_keys)
        api.authenticators.update(self.authenticators)
        api._totp_steps.update(self.totp_steps)
        api._collars = self.collars
        return World(api, copy.deepcopy(self.officers), copy.deepcopy(self.victims))


def _place_to_build(database_url: str, folder: Path) -> str:
    """SQLite builds in a copy of the (empty) database kept in ``folder``; PostgreSQL in the
    database itself, whose rows are then read back (the test's own restore writes them again)."""
    folder.mkdir(parents=True, exist_ok=True)
    if database_kind(database_url) == "postgresql":
        return database_url
    shutil.copy(sqlite_path(database_url), folder / "world.sqlite3")
    return f"sqlite:///{folder / 'world.sqlite3'}"


def _keep(built_url: str, api: Api, world: World) -> WorldSnapshot:
    snapshot = WorldSnapshot(
        now=api.clock.now,
        officers=world.officers,
        victims=world.victims,
        integration_keys=dict(api.integration_keys),
        authenticators=dict(api.authenticators),
        totp_steps=dict(api._totp_steps),
        collars=api._collars,
        notifications=api.settings.notify_file.read_bytes(),
    )
    if database_kind(built_url) == "sqlite":
        snapshot.sqlite_file = sqlite_path(built_url)
        return snapshot
    engine = sa.create_engine(built_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                snapshot.rows[table.name] = [
                    {column.key: row._mapping[column] for column in table.columns}
                    for row in conn.execute(sa.select(table))
                ]
    finally:
        engine.dispose()
    return snapshot


async def take_snapshot(database_url: str, folder: Path) -> WorldSnapshot:
    """Builds the world through the API, as a test would, from this empty, migrated database."""
    built_url = _place_to_build(database_url, folder)
    async with open_api(built_url, folder, FakeClock()) as api:
        world = await build_world(api)
    return _keep(built_url, api, world)


class WorldSnapshots:
    """One snapshot per database kind for the whole run (built when a test first asks)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._taken: dict[tuple[str, date], WorldSnapshot] = {}

    async def for_database(self, database_url: str) -> WorldSnapshot:
        # A new one each day: cases are reported "yesterday", by the calendar of the run.
        key = (database_kind(database_url), date.today())
        if key not in self._taken:
            self._taken[key] = await take_snapshot(database_url, self.folder / f"{key[0]}-{key[1]}")
        return self._taken[key]
