"""The attempt table that rate limits count is pruned on a schedule."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sync.server import limits
from sync.server.models import attempt
from tests.support import FakeClock, open_api


async def test_attempts_older_than_every_window_are_pruned_on_a_schedule(
    database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    async with open_api(database_url, tmp_path, clock, prune_attempts_seconds=0.05) as api:
        api.create_force("tvp", "Thames Valley Police")
        wrong = {"force_code": "tvp", "username": "nobody", "password": "guess"}
        for _ in range(2):
            assert (await api.client.post("/auth/officer/login", json=wrong)).status_code == 401
        await asyncio.sleep(0.3)  # a few pruning passes: nothing is old enough yet
        assert api.count(attempt) == 4  # per address and per account

        clock.advance(seconds=limits.LONGEST_WINDOW.total_seconds() + 1)
        assert (await api.client.post("/auth/officer/login", json=wrong)).status_code == 401
        for _ in range(100):
            if api.count(attempt) == 2:
                break
            await asyncio.sleep(0.05)
        assert [row.at for row in api.rows(attempt)] == [clock.now, clock.now]
