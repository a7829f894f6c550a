"""Opening the store on this device, and the explicit ways out: reset and sign-out.

The folder holds the database (with its ``-wal``, ``-shm`` and ``-journal`` files) and
``store.json``, which says which back-end and key provider this device uses (nothing
secret). A key is created only when there is no data yet; when data exists and its key is
missing or wrong, opening fails with a StoreError and the person chooses "Reset this device".
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.store import sealed
from app.store.errors import KeyMissing
from app.store.keys import KeyProvider, MemoryKeyProvider, new_key
from app.store.sql import SqlStore

DATABASE = "portal.db"
SIDECAR = "store.json"
PIN = "pin.json"  # with a PIN set: the store's key wrapped by it, and the count of wrong PINs (app/lock.py)
COMPANIONS = ("", "-wal", "-shm", "-journal")

Opener = Callable[[Path, bytes], SqlStore]


def best_backend() -> tuple[str, Opener]:
    """SQLCipher where it can be imported; the sealed back-end elsewhere (Android, iOS)."""
    try:
        from app.store import sqlcipher
    except ImportError:
        return sealed.BACKEND, sealed.open_store
    return sqlcipher.BACKEND, sqlcipher.open_store


def backend_named(name: str) -> Opener:
    if name == sealed.BACKEND:
        return sealed.open_store
    from app.store import sqlcipher

    return sqlcipher.open_store


@dataclass(frozen=True)
class DeviceStoreInfo:
    backend: str
    key_provider: str


def database_files(folder: Path) -> list[Path]:
    return [folder / f"{DATABASE}{suffix}" for suffix in COMPANIONS]


def describe(folder: Path) -> DeviceStoreInfo | None:
    sidecar = folder / SIDECAR
    if not sidecar.exists():
        return None
    recorded = json.loads(sidecar.read_text())
    return DeviceStoreInfo(recorded["backend"], recorded["key_provider"])


def open_device_store(folder: Path, provider: KeyProvider, *, backend: str | None = None) -> SqlStore:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DATABASE
    recorded = describe(folder)
    key = provider.load()
    if path.exists():
        if key is None:
            raise KeyMissing(f"no key in {provider.name}")
        chosen = recorded.backend if recorded else (backend or best_backend()[0])
        return backend_named(chosen)(path, key)
    if key is None:
        key = new_key()  # first use on this device: nothing to lose
        provider.save(key)
    chosen = backend or best_backend()[0]
    store = backend_named(chosen)(path, key)
    (folder / SIDECAR).write_text(json.dumps({"backend": chosen, "key_provider": provider.name}))
    return store


def reset_device(folder: Path, provider: KeyProvider) -> None:
    """Delete everything the app keeps here: the database and its companions, and the key.
    It all comes back from the server at the next sign-in."""
    for file in (*database_files(folder), folder / SIDECAR, folder / PIN):
        file.unlink(missing_ok=True)
    provider.delete()


class SessionStore:
    """Web mode: the app's Python runs on the server, so each browser session gets its own
    store in a temporary folder, keyed with a random key held only in memory, and deleted
    when the session ends."""

    def __init__(self, root: Path | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="portal-session-", dir=root))
        self.keys = MemoryKeyProvider()
        self.store = open_device_store(self.folder, self.keys)

    def end(self) -> None:
        self.store.close()
        self.keys.delete()
        shutil.rmtree(self.folder, ignore_errors=True)
