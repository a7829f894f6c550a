"""What every piece of request work is handed: the caller, and the server's fixed parts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sync.protocol import Role
from sync.server.callers import CallerCache
from sync.server.security import FAST_PASSWORD_HASHING, Passwords, Secrets
from sync.server.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    settings: Settings
    secrets: Secrets
    clock: Callable[[], datetime] = utc_now
    callers: CallerCache = field(default_factory=lambda: CallerCache(ttl=0))
    passwords: Passwords = field(default_factory=Passwords)

    @classmethod
    def from_settings(cls, settings: Settings, **parts: Any) -> Context:
        """The context for these settings: its secrets, and passwords hashed at the cost they ask for."""
        passwords = Passwords(FAST_PASSWORD_HASHING) if settings.password_hashing == "fast" else Passwords()
        return cls(
            settings=settings, secrets=Secrets(settings.secret_key.get_secret_value()), passwords=passwords, **parts
        )

    def now(self) -> datetime:
        return self.clock()


@dataclass(frozen=True)
class RequestInfo:
    """What the request says about itself, and the caller if its token was recently checked."""

    token: str | None
    ip: str | None
    caller: Caller | None = None


CallerKind = Literal["officer", "victim", "integration"]


@dataclass(frozen=True)
class Caller:
    kind: CallerKind
    id: uuid.UUID
    force_id: uuid.UUID
    force_code: str
    name: str
    role: Role | None = None
    session_id: uuid.UUID | None = None
    ip: str | None = None
    force_settings: dict[str, Any] = field(default_factory=dict, compare=False)
    # An officer with no confirmed authenticator may only set one up, see their details and sign out.
    needs_authenticator: bool = False

    @property
    def is_officer(self) -> bool:
        return self.kind == "officer"

    @property
    def sees_whole_force(self) -> bool:
        return self.kind == "officer" and self.role == Role.SUPERVISOR

    @property
    def audit_kind(self) -> str:
        return self.kind if self.kind != "officer" else str(self.role)
