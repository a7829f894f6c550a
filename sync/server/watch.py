"""Hearing about changes stored by other processes, so their long-polls wake too.

PostgreSQL: ``LISTEN`` on the channel that every write ``NOTIFY``s in its transaction. SQLite
(one machine): a cheap look at each force's counter a few times a second. Both also catch up
by counter after a gap, so a dropped connection cannot leave a long-poll asleep.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server.callers import CallerCache
from sync.server.changes import NOTIFY_CHANNEL, REVOKED, decode_change
from sync.server.db import Database
from sync.server.hub import Hub
from sync.server.models import force

log = logging.getLogger(__name__)


def _counters(conn: Connection) -> dict[uuid.UUID, int]:
    return {row.id: row.last_seq for row in conn.execute(sa.select(force.c.id, force.c.last_seq))}


class CatchUp:
    """Wakes a force's long-polls when its counter has moved past what this process heard of.

    A counter must be seen ahead on two looks in a row: changes made here reach the hub just
    after commit, and should not wake the whole force.
    """

    def __init__(self, db: Database, hub: Hub) -> None:
        self.db = db
        self.hub = hub
        self._previous: dict[uuid.UUID, int] = {}

    async def look(self) -> None:
        current = await self.db.read(_counters)
        for force_id, seq in current.items():
            self.hub.set_baseline(force_id, seq)
        for force_id, seq in self._previous.items():
            if seq > self.hub.known_seq(force_id):
                self.hub.publish_unknown(force_id, seq)
        self._previous = current


async def watch_sqlite(db: Database, hub: Hub, interval: float = 0.2) -> None:
    catch_up = CatchUp(db, hub)
    while True:
        try:
            await catch_up.look()
        except Exception as exc:  # the database may be briefly busy; never stop watching
            log.warning("change watch failed: %s", type(exc).__name__)
        await asyncio.sleep(interval)


async def watch_postgres(db: Database, url: str, hub: Hub, callers: CallerCache, safety_interval: float = 5.0) -> None:
    conninfo = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    catch_up = CatchUp(db, hub)
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                # A revocation NOTIFY sent while this listener was away was never heard: trust no
                # token checked before now (each is checked against the database again).
                callers.clear()
                await catch_up.look()
                await catch_up.look()
                while True:
                    try:
                        async with asyncio.timeout(safety_interval):
                            async for notice in conn.notifies():
                                kind, _, rest = notice.payload.partition(" ")
                                if kind == REVOKED:
                                    callers.forget(rest)
                                else:
                                    hub.publish(decode_change(notice.payload))
                    except TimeoutError:
                        await catch_up.look()
        except (psycopg.Error, OSError) as exc:
            log.warning("change listener lost its connection (%s); reconnecting", type(exc).__name__)
            await asyncio.sleep(1.0)
