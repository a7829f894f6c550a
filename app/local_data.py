"""This device's data: opening the store (or saying in plain words why it would not open),
and replacing it with an empty one when everything is deleted.

On a desktop the store lives in the user's data folder with its key in the OS keyring. In
web mode (the app's Python runs on the server) each browser session gets its own store,
keyed in memory and deleted when the session ends. On a phone the key is in the platform's
secure storage (``app/secure_storage.py``). ``main.py``, the one composition root,
chooses which.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app import signouts
from app.lock import AppLock, FileLockRecord
from app.signouts import PendingSignOuts
from app.store.device import PIN, SessionStore, open_device_store, reset_device
from app.store.errors import StoreError
from app.store.keys import KeyProvider, KeyringKeyProvider, KeyUnavailable, MemoryKeyProvider
from app.store.port import Store


def data_folder() -> Path:
    """Where the app keeps its data: Flet's app storage when packaged, else the platform's usual place."""
    if packaged := os.environ.get("FLET_APP_STORAGE_DATA"):
        return Path(packaged) / "store"
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "VictimsPortal" / "store"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "VictimsPortal" / "store"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "victims-portal" / "store"


@dataclass
class LocalData:
    """The opened store, or the plain-words reason it could not be opened and the way out, or
    (with a PIN set) no store yet: the lock unwraps its key and ``unseal`` opens it."""

    store: Store | None
    error: StoreError | None
    key_provider: str
    reset: Callable[[], None]
    end: Callable[[], None] = field(default=lambda: None)
    lock: AppLock | None = None
    opener: Callable[[bytes], Store] | None = None
    sign_outs: PendingSignOuts = field(default_factory=PendingSignOuts)

    @property
    def sealed(self) -> bool:
        """The store waits for the PIN."""
        return self.store is None and self.error is None and self.opener is not None

    def unseal(self, key: bytes) -> Store:
        assert self.opener is not None
        store = self.opener(key)
        self.store, self.end = store, store.close
        return store


def open_desktop_data(folder: Path | None = None, keys: KeyProvider | None = None) -> LocalData:
    folder = folder or data_folder()
    provider = keys or KeyringKeyProvider()
    lock = AppLock(FileLockRecord(folder / PIN), provider)
    sign_outs = PendingSignOuts(FileLockRecord(folder / signouts.FILE))  # outlives a reset

    def reset() -> None:
        reset_device(folder, provider)

    if lock.enabled:  # the key exists only wrapped by the PIN: the lock screen comes first

        def opener(key: bytes) -> Store:
            return open_device_store(folder, MemoryKeyProvider(key))

        return LocalData(None, None, provider.name, reset, lock=lock, opener=opener, sign_outs=sign_outs)
    try:
        store = open_device_store(folder, provider)
    except KeyUnavailable as exc:
        return LocalData(None, exc, provider.name, reset)
    except StoreError as exc:
        return LocalData(None, exc, provider.name, reset)
    return LocalData(store, None, provider.name, reset, end=store.close, lock=lock, sign_outs=sign_outs)


def open_session_data(root: Path | None = None) -> LocalData:
    session = SessionStore(root)
    lock = AppLock(FileLockRecord(session.folder / PIN), session.keys)
    return LocalData(session.store, None, session.keys.name, reset=session.end, end=session.end, lock=lock)


class Device:
    """This device's store, which "delete everything" (or too many wrong PINs) replaces with an empty one."""

    def __init__(self, open_local: Callable[[], LocalData]) -> None:
        self._open = open_local
        self.local = open_local()

    def wipe(self) -> Store:
        self.local.end()  # close the database before its files are deleted (Windows refuses otherwise)
        self.local.reset()
        self.local = self._open()
        if self.local.store is None:
            raise RuntimeError(str(self.local.error))
        return self.local.store

    def end(self) -> None:
        self.local.end()

    def lock(self) -> AppLock:
        assert self.local.lock is not None
        return self.local.lock
