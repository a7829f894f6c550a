"""In-memory fakes of the app's network ports (``app/ports.py``). The same contract suite
(tests/test_account_contract.py) holds them and the HTTP adapters to one behaviour."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from app.content import ServiceList
from app.domain import Challenge, ContactPreferences, Identity, Message, OutboxItem
from app.ports import AccountError, ConnectionState
from app.store.port import Store

SERVER = "http://fake.invalid"
FORCE_CODE = "tvp"  # the force the fake victims belong to


@dataclass
class FakeBackend:
    """What the fakes share: invitations, codes, tokens and each victim's settings."""

    invitations: dict[str, str] = field(default_factory=dict)  # token -> victim id
    codes: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # challenge id -> (code, victim, invitation)
    tokens: dict[str, str] = field(default_factory=dict)  # token -> victim id
    revoke_keys: dict[str, str] = field(default_factory=dict)  # revoke key -> its session's token
    preferences: dict[str, ContactPreferences] = field(default_factory=dict)
    local_services: ServiceList | None = None
    reachable: bool = True

    def invite(self, victim_id: str = "v1") -> str:
        token = secrets.token_urlsafe(20)
        self.invitations[token] = victim_id
        self.preferences.setdefault(victim_id, ContactPreferences(("sms",)))
        return token

    def last_code(self) -> str:
        return list(self.codes.values())[-1][0]

    def check(self) -> None:
        if not self.reachable:
            raise AccountError("We can't reach the police system just now.", code="offline", offline=True)


class FakeSignIn:
    def __init__(self, backend: FakeBackend) -> None:
        self.backend = backend

    async def redeem(self, token: str) -> Challenge:
        self.backend.check()
        victim_id = self.backend.invitations.get(token)
        if victim_id is None:
            raise AccountError("This invitation has expired or was already used.", code="invitation_invalid")
        challenge_id = str(uuid.uuid4())
        self.backend.codes[challenge_id] = (f"{secrets.randbelow(10**6):06d}", victim_id, token)
        return Challenge(challenge_id, "sms", "•••• ••• 123", datetime.now(UTC) + timedelta(minutes=10))

    async def verify(self, challenge: Challenge, code: str, device_name: str) -> Identity:
        self.backend.check()
        expected = self.backend.codes.get(challenge.challenge_id)
        if expected is None or expected[0] != code:
            raise AccountError("That code is not right, or it has expired.", code="code_invalid")
        del self.backend.codes[challenge.challenge_id]
        self.backend.invitations.pop(expected[2], None)  # the invitation has done its job
        token, revoke_key = secrets.token_urlsafe(20), "vpr_" + secrets.token_urlsafe(20)
        self.backend.tokens[token] = expected[1]
        self.backend.revoke_keys[revoke_key] = token
        return Identity("victim", SERVER, token, "You", force_code=FORCE_CODE, revoke_key=revoke_key)


class FakeAccount:
    def __init__(self, backend: FakeBackend, identity: Identity) -> None:
        self.backend = backend
        self.token = identity.token
        self.revoke_key = identity.revoke_key

    def _victim(self) -> str:
        self.backend.check()
        victim_id = self.backend.tokens.get(self.token)
        if victim_id is None:
            raise AccountError("You are signed out.", code="unauthorized")
        return victim_id

    async def contact_preferences(self) -> ContactPreferences:
        return self.backend.preferences[self._victim()]

    async def save_contact_preferences(self, preferences: ContactPreferences) -> ContactPreferences:
        victim_id = self._victim()
        if not preferences.channels or len(set(preferences.channels)) != len(preferences.channels):
            raise AccountError("Choose each way of contacting you at most once, and at least one.", code="invalid")
        self.backend.preferences[victim_id] = preferences
        return preferences

    async def local_services(self) -> ServiceList | None:
        self._victim()
        return self.backend.local_services

    async def sign_out(self) -> None:
        if self.revoke_key and not self.token:  # the same answer, known or not
            self.backend.check()
            self.backend.tokens.pop(self.backend.revoke_keys.pop(self.revoke_key, ""), None)
            return
        self._victim()
        del self.backend.tokens[self.token]


class FakeSync:
    """Keeps what the app asks to send; writes show at once, as the real runner's do."""

    def __init__(self, store: Callable[[], Store]) -> None:
        self._store = store
        self.on_change: Callable[[], None] = lambda: None
        self.signed_out = False
        self.started = False
        self.stopped = False
        self.foreground = True
        self.requests: list[tuple[str, str]] = []
        self.reads: list[tuple[str, int]] = []
        self.retried: list[str] = []
        self.state_now: ConnectionState = "online"
        self.synced_at: datetime | None = None

    @property
    def state(self) -> ConnectionState:
        return self.state_now

    @property
    def last_synced_at(self) -> datetime | None:
        return self.synced_at

    def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    def write_message(
        self, case_id: str, body: str, author_name: str, author_kind: Literal["victim", "officer"] = "victim"
    ) -> Message:
        now = datetime.now(UTC)
        message = Message(str(uuid.uuid4()), case_id, author_kind, author_name, body, now, state="sending")
        store = self._store()
        with store.transaction():
            store.put_messages([message])
            store.enqueue(OutboxItem(message.client_msg_id, "message", case_id, now, body=body))
        return message

    def request_update(self, case_id: str, note: str = "") -> None:
        self.requests.append((case_id, note))

    def mark_read(self, case_id: str, up_to_seq: int) -> None:
        self.reads.append((case_id, up_to_seq))

    def retry(self, item_id: str) -> None:
        self.retried.append(item_id)

    def set_foreground(self, foreground: bool) -> None:
        self.foreground = foreground

    def refresh(self) -> None:
        self.state_now = "syncing"


class FakeConnector:
    def __init__(self, backend: FakeBackend, store: Callable[[], Store]) -> None:
        self.backend = backend
        self._store = store
        self.syncs: list[FakeSync] = []

    def sync(self, identity: Identity) -> FakeSync:
        sync = FakeSync(self._store)
        self.syncs.append(sync)
        return sync

    def account(self, identity: Identity) -> FakeAccount:
        return FakeAccount(self.backend, identity)
