"""The store's key in the platform's secure storage, through Flet (Android Keystore, iOS
Keychain; WebCrypto-protected storage in a browser). This is the key provider for the mobile
builds, which have no OS keyring for Python to reach.

Secure storage speaks to the Flet client asynchronously, so the key is fetched before the
store opens and handed over in memory; a key made on first use is saved back the same way.
"""

from __future__ import annotations

import base64
from pathlib import Path

from flet_secure_storage import SecureStorage

from app.store.device import open_device_store, reset_device
from app.store.errors import WrongKey
from app.store.keys import KEY_BYTES, MemoryKeyProvider
from app.store.sql import SqlStore

NAME = "secure-storage"


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


async def open_with_secure_storage(folder: Path, keys: SecureStorageKeys) -> SqlStore:
    key = await keys.load()
    in_hand = _InHand(key)
    store = open_device_store(folder, in_hand)
    made = in_hand.load()
    if key is None and made is not None:
        await keys.save(made)
    return store


async def reset_with_secure_storage(folder: Path, keys: SecureStorageKeys) -> None:
    reset_device(folder, MemoryKeyProvider())
    await keys.delete()
