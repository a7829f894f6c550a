"""The device store with 10,000 cached messages over 20 cases.

Prints the time to get the key, open the store and read what the home screen shows, and the
insert and read throughput of each real back-end as a ratio to plain, unencrypted sqlite3
running the same store code in the same run.

    python -m bench.store_bench        (python3 dev.py's D-Bus session gives it the real keyring)
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from app.domain import Case, Identity, Message, OfficerContact
from app.store.codec import PlainCodec
from app.store.device import open_device_store
from app.store.keys import KeyProvider, KeyringKeyProvider, MemoryKeyProvider
from app.store.port import Store
from app.store.sql import SqlStore, migrate

CASES, MESSAGES, BATCH, RUNS = 20, 10_000, 100, 5


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def plain_store(folder: Path, key: bytes) -> SqlStore:
    conn = sqlite3.connect(str(folder / "portal.db"), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    migrate(conn)
    return SqlStore(conn, PlainCodec(), backend="sqlite-plain", errors=(sqlite3.DatabaseError,))


def cases() -> list[Case]:
    officer = OfficerContact("o1", "PC Grace Okafor", "4417", "+441632960555", "grace@example.org")
    return [
        Case(f"case-{n:02d}", f"4326{n:07d}", "Burglary", "investigating", "summary", date(2026, 11, 1), officer)
        for n in range(CASES)
    ]


def messages() -> list[Message]:
    at = datetime(2026, 11, 20, tzinfo=UTC)
    return [
        Message(
            f"m{n}", f"case-{n % CASES:02d}", "victim", "Alex Morgan", f"Message {n}: " + "words " * 20, at, seq=n + 1
        )
        for n in range(MESSAGES)
    ]


def fill(store: Store) -> float:
    started = time.perf_counter()
    store.set_identity(Identity("victim", "https://portal.example", "vpv_token", "Alex Morgan"))
    store.put_cases(cases())
    batch = messages()
    for i in range(0, MESSAGES, BATCH):
        with store.transaction():
            store.put_messages(batch[i : i + BATCH])
    return MESSAGES / (time.perf_counter() - started)


def read_all(store: Store) -> float:
    started = time.perf_counter()
    count = sum(len(store.messages(c.id)) for c in store.cases())
    assert count == MESSAGES
    return MESSAGES / (time.perf_counter() - started)


def home(store: Store) -> None:
    assert store.identity() is not None
    assert len(store.cases()) == CASES


def median_of(fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(RUNS))


def main() -> None:
    provider: KeyProvider = KeyringKeyProvider("bench") if KeyringKeyProvider.usable() else MemoryKeyProvider()
    throughput: dict[str, tuple[float, float]] = {}
    cold: dict[str, list[tuple[float, float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("sqlite-plain", "sqlcipher", "sqlite-sealed"):
            inserts, reads = [], []
            for run in range(RUNS):
                folder = Path(tmp) / f"{backend}-{run}"
                folder.mkdir()
                provider.delete()
                if backend == "sqlite-plain":
                    store: SqlStore = plain_store(folder, b"")
                else:
                    store = open_device_store(folder, provider, backend=backend)
                inserts.append(fill(store))
                reads.append(read_all(store))
                store.close()
                if backend != "sqlite-plain":
                    t0 = time.perf_counter()
                    key = provider.load()
                    t1 = time.perf_counter()
                    assert key is not None
                    reopened = open_device_store(folder, MemoryKeyProvider(key))  # the key is in hand now
                    t2 = time.perf_counter()
                    home(reopened)
                    t3 = time.perf_counter()
                    reopened.close()
                    cold.setdefault(backend, []).append((t1 - t0, t2 - t1, t3 - t2))
            throughput[backend] = (statistics.median(inserts), statistics.median(reads))
        provider.delete()
    plain_insert, plain_read = throughput["sqlite-plain"]
    _say(f"{MESSAGES:,} messages over {CASES} cases, inserted {BATCH} per transaction; median of {RUNS} runs")
    _say(f"key provider: {provider.name}")
    _say(f"{'back-end':<15}{'insert msg/s':>14}{'ratio':>8}{'read msg/s':>14}{'ratio':>8}")
    for backend, (inserts_per_s, reads_per_s) in throughput.items():
        _say(
            f"{backend:<15}{inserts_per_s:>14,.0f}{inserts_per_s / plain_insert:>8.2f}"
            f"{reads_per_s:>14,.0f}{reads_per_s / plain_read:>8.2f}"
        )
    _say("home screen from a cold open (best of runs): get key + open store + read identity and cases")
    for backend, timings in cold.items():
        key_ms, open_ms, home_ms = (min(t[i] for t in timings) * 1000 for i in range(3))
        total = key_ms + open_ms + home_ms
        _say(f"  {backend:<15} key {key_ms:6.2f} ms  open {open_ms:6.2f} ms  home {home_ms:6.2f} ms  = {total:.2f} ms")


if __name__ == "__main__":
    main()
