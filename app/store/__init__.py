"""The device's local store: the Store port, its back-ends, and the keys that open them."""

from app.store.device import SessionStore, describe, open_device_store, reset_device
from app.store.errors import KeyMissing, StoreCorrupted, StoreError, StoreTooNew, WrongKey
from app.store.port import Store

__all__ = [
    "KeyMissing",
    "SessionStore",
    "Store",
    "StoreCorrupted",
    "StoreError",
    "StoreTooNew",
    "WrongKey",
    "describe",
    "open_device_store",
    "reset_device",
]
