"""Records to bytes and back, for the stores that keep them in a database."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from app.domain import Case, Identity, Message, OutboxItem, Update
from app.store.errors import StoreCorrupted

T = TypeVar("T")

_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {
    cls: TypeAdapter(cls) for cls in (Identity, Case, Update, Message, OutboxItem)
}


def dump(record: object) -> bytes:
    return _ADAPTERS[type(record)].dump_json(record)


def load(cls: type[T], data: bytes) -> T:
    try:
        value: T = _ADAPTERS[cls].validate_json(data)
    except ValidationError as exc:
        raise StoreCorrupted(f"a stored {cls.__name__} does not read back") from exc
    return value
