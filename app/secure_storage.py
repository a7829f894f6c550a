"""The store's key in the platform's secure storage, through Flet (Android Keystore, iOS
Keychain; WebCrypto-protected storage in a browser). This is the key provider for the mobile
builds, which have no OS keyring for Python to reach.

Secure storage speaks to the Flet client asynchronously, so the key is fetched before the
store opens and handed over in memory; a key made on first use is saved back the same way.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Protocol

from app import signouts
from app.local_data import LocalData
from app.lock import AppLock, FileLockRecord
from app.signouts import PendingSignOuts
from app.store.device import PIN, open_device_store, reset_device
from app.store.errors import StoreError, WrongKey
from app.store.keys import KEY_BYTES, MemoryKeyProvider
from app.store.port import Store
from app.store.sql import SqlStore

NAME = "secure-storage"


class SecureStorage(Protocol):
    """What this needs of the platform's secure storage (Flet's ``flet_secure_storage.SecureStorage``,
    which ``main.py`` hands in: ``app/`` imports no Flet)."""

    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str) -> object: ...
    async def remove(self, key: str) -> object: ...


class SecureStorageKeys:
    name = NAME

    def __init__(self, storage: SecureStorage, account: str = "victims-portal.store-key") -> None:
        self.storage = storage
        self.account = account

    async def load(self) -> bytes | None:
        stored = await self.storage.get(self.account)
        if stored is None:
            return None
        try:
            key = base64.b64decode(str(stored), validate=True)
        except ValueError as exc:
            raise WrongKey("secure storage holds something that is not a key") from exc
        if len(key) != KEY_BYTES:
            raise WrongKey("secure storage holds a key of the wrong size")
        return key

    async def save(self, key: bytes) -> None:
        await self.storage.set(self.account, base64.b64encode(key).decode())

    async def delete(self) -> None:
        await self.storage.remove(self.account)


class _InHand(MemoryKeyProvider):
    """The fetched key, under the name of where it really lives (recorded beside the store)."""

    name = NAME


async def open_with_secure_storage(folder: Path, keys: SecureStorageKeys) -> tuple[SqlStore, bytes]:
    key = await keys.load()
    in_hand = _InHand(key)
    store = open_device_store(folder, in_hand)
    made = in_hand.load()
    assert made is not None
    if key is None:
        await keys.save(made)
    return store, made


def _lock(folder: Path, key: bytes) -> AppLock:
    # the PIN wraps a copy of the key beside the store; secure storage keeps its own (it is
    # asynchronous, and the lock is not): on a phone the PIN guards the screen and the count
    return AppLock(FileLockRecord(folder / PIN), _InHand(key))


async def reset_with_secure_storage(folder: Path, keys: SecureStorageKeys) -> None:
    reset_device(folder, MemoryKeyProvider())
    await keys.delete()


class SecureStorageDevice:
    """A phone's store, keyed from secure storage. Deleting everything (sign-out, or too many
    wrong PINs) starts a fresh store at once and writes its new key over the old one."""

    def __init__(self, folder: Path, keys: SecureStorageKeys) -> None:
        self.folder = folder
        self.keys = keys
        self.local = LocalData(None, None, NAME, self._reset_files)
        self._saving: asyncio.Future[None] | None = None

    @classmethod
    async def open(cls, folder: Path, keys: SecureStorageKeys) -> SecureStorageDevice:
        device = cls(folder, keys)
        try:
            store, key = await open_with_secure_storage(folder, keys)
        except StoreError as exc:
            device.local = LocalData(None, exc, NAME, device._reset_files)
        else:
            device.local = LocalData(
                store,
                None,
                NAME,
                device._reset_files,
                end=store.close,
                lock=_lock(folder, key),
                sign_outs=PendingSignOuts(FileLockRecord(folder / signouts.FILE)),
            )
        return device

    def _reset_files(self) -> None:
        # the key stays: a store made again after a reset simply uses it
        reset_device(self.folder, MemoryKeyProvider())

    def wipe(self) -> Store:
        if self.local.store is not None:
            self.local.store.close()
        reset_device(self.folder, MemoryKeyProvider())
        in_hand = _InHand(None)
        store = open_device_store(self.folder, in_hand)
        made = in_hand.load()
        assert made is not None
        # secure storage is asynchronous: the new key is written over the old one in the background
        self._saving = asyncio.ensure_future(self.keys.save(made))
        self.local = LocalData(store, None, NAME, self._reset_files, end=store.close, lock=_lock(self.folder, made))
        return store

    def end(self) -> None:
        self.local.end()

    def lock(self) -> AppLock:
        assert self.local.lock is not None
        return self.local.lock
