"""A client that writes messages while the server cannot be reached, then waits to be killed
(run by test_runner_live.py)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from app.store.device import open_device_store
from app.store.keys import MemoryKeyProvider
from sync.runner import SyncRunner


async def main(folder: str, key_hex: str, server: str, token: str, case_id: str, count: int) -> None:
    store = open_device_store(Path(folder), MemoryKeyProvider(bytes.fromhex(key_hex)))
    runner = SyncRunner(store, server, token)
    runner.start()
    for n in range(count):
        runner.write_message(case_id, f"offline {n}", "Alex Morgan")
    sys.stdout.write("written\n")
    sys.stdout.flush()
    await asyncio.sleep(3600)


if __name__ == "__main__":
    folder, key_hex, server, token, case_id, count = sys.argv[1:]
    asyncio.run(main(folder, key_hex, server, token, case_id, int(count)))
