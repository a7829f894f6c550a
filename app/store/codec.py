"""How values are written into a database file.

``PlainCodec`` for SQLCipher, which encrypts the whole file; ``SealingCodec`` for plain
sqlite3, which seals each value with AES-256-GCM. A sealed value carries its table, column
and row id as associated data, so a value moved to another row or column fails to open.
"""

from __future__ import annotations

import secrets
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.store.errors import StoreCorrupted

NONCE_BYTES = 12


class Codec(Protocol):
    def seal(self, table: str, column: str, row_id: str, value: bytes) -> bytes: ...
    def open(self, table: str, column: str, row_id: str, sealed: bytes) -> bytes: ...


class PlainCodec:
    def seal(self, table: str, column: str, row_id: str, value: bytes) -> bytes:
        return value

    def open(self, table: str, column: str, row_id: str, sealed: bytes) -> bytes:
        return sealed


class SealingCodec:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the store key must be 32 bytes")
        self._aead = AESGCM(key)

    @staticmethod
    def _context(table: str, column: str, row_id: str) -> bytes:
        return f"{table}\x00{column}\x00{row_id}".encode()

    def seal(self, table: str, column: str, row_id: str, value: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, value, self._context(table, column, row_id))

    def open(self, table: str, column: str, row_id: str, sealed: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], self._context(table, column, row_id))
        except (InvalidTag, ValueError) as exc:
            raise StoreCorrupted(f"a sealed value in {table}.{column} failed its check") from exc
