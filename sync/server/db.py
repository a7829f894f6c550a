"""The database seam: one engine, and short transactions run off the event loop.

Each request does its work, authentication included, in one transaction on one worker
thread (``await db.write(fn, ...)`` runs ``fn(conn, ...)``). The event loop never waits on
the database, and a long-poll holds no connection while it waits.

SQLite is the embedded default: WAL, a busy timeout, and ``BEGIN IMMEDIATE`` for writes so
that two writers queue for the lock instead of failing when a read lock cannot be upgraded.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import anyio
import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry

P = ParamSpec("P")
T = TypeVar("T")


def create_engine(url: str, *, pool_size: int = 20) -> Engine:
    """``hide_parameters``: an error from the database never carries the values of a statement
    (a message, a name) into an exception's text, and so into a log line."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, pool_size)
    return sa.create_engine(url, pool_size=pool_size, max_overflow=0, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: str, pool_size: int) -> Engine:
    database = sa.engine.make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"check_same_thread": False, "timeout": 30},
        hide_parameters=True,
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's events decide where transactions begin (pysqlite would defer them).
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.execute("PRAGMA busy_timeout=30000")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.info.get("write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


_AFTER_READ = "db.after_read"


def write_soon(conn: Connection, work: Callable[[Connection], None]) -> None:
    """A small write noticed during a read (a session's last use): done at once where a read may
    write, else in a short write transaction on the same connection as soon as the read ends.
    SQLite cannot turn a read into a write once another writer has committed since it began."""
    if conn.info.get("write") or conn.dialect.name != "sqlite":
        work(conn)
    else:
        conn.info.setdefault(_AFTER_READ, []).append(work)


class Database:
    """Runs work in transactions. ``on_commit(conn)`` is called after each write commits, and
    ``on_end(conn)`` after every write, committed or not, to clear what it noted on ``conn.info``.

    Work that raises an exception with ``keep_changes = True`` (a refusal that must still count,
    such as a wrong sign-in code) is committed before the exception goes on.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        concurrency: int,
        on_commit: Callable[[Connection], None] = lambda conn: None,
        on_end: Callable[[Connection], None] = lambda conn: None,
    ) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._on_commit = on_commit
        self._on_end = on_end
        # Never ask the pool for more connections than it has: a thread would wait on it
        # while holding a slot of the thread pool.
        self._limiter = anyio.CapacityLimiter(concurrency)
        # SQLite has one writer at a time; queueing writers here is far cheaper than letting
        # them meet SQLite's busy handler, which sleeps for milliseconds.
        self._write_limiter = anyio.CapacityLimiter(1) if self.is_sqlite else self._limiter
        # Work handed to a thread runs to its end even if the awaiting task is cancelled, so
        # closing waits for it rather than pulling the pool from under it.
        self._busy = 0
        self._idle = threading.Condition()

    def run_write(self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        with self.engine.connect() as conn:
            conn.info["write"] = True
            try:
                with conn.begin() as transaction:
                    try:
                        result = fn(conn, *args, **kwargs)
                    except Exception as exc:
                        if not getattr(exc, "keep_changes", False):
                            raise
                        transaction.commit()
                        self._on_commit(conn)
                        raise
                self._on_commit(conn)
                return result
            finally:
                self._on_end(conn)
                conn.info["write"] = False

    def run_read(self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        with self.engine.connect() as conn:
            try:
                with conn.begin():
                    result = fn(conn, *args, **kwargs)
                follow_ups: list[Callable[[Connection], None]] = conn.info.pop(_AFTER_READ, [])
                if follow_ups:
                    conn.info["write"] = True
                    with conn.begin():
                        for work in follow_ups:
                            work(conn)
                return result
            finally:
                conn.info.pop(_AFTER_READ, None)
                conn.info["write"] = False

    async def write(self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        return await anyio.to_thread.run_sync(
            self._tracked, lambda: self.run_write(fn, *args, **kwargs), limiter=self._write_limiter
        )

    async def read(self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        return await anyio.to_thread.run_sync(
            self._tracked, lambda: self.run_read(fn, *args, **kwargs), limiter=self._limiter
        )

    async def in_thread(self, work: Callable[[], T]) -> T:
        """Run blocking work that uses this database (``run_read``/``run_write`` inside) off the loop."""
        return await anyio.to_thread.run_sync(self._tracked, work)

    def _tracked(self, work: Callable[[], T]) -> T:
        with self._idle:
            self._busy += 1
        try:
            return work()
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    async def close(self, grace_seconds: float = 30.0) -> None:
        """Wait for work still running in threads, then close every connection."""

        def wait_idle() -> None:
            with self._idle:
                self._idle.wait_for(lambda: self._busy == 0, timeout=grace_seconds)

        await anyio.to_thread.run_sync(wait_idle)
        self.dispose()

    def dispose(self) -> None:
        self.engine.dispose()
