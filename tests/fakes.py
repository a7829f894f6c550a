"""In-memory fakes of the app's sign-in and account ports (``app/ports.py``), which the same
contract suite (tests/test_account_contract.py) holds to the HTTP adapters' behaviour; and the
sync endpoints of a fake server, which the *real* sync runner talks to over
``httpx.MockTransport`` (there is no fake of the runner: the app is tested over the real one)."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.content import ServiceList
from app.domain import Challenge, ContactPreferences, Identity
from app.ports import AccountError
from app.store.port import Store
from sync.runner import SyncRunner

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
    pulls: int = 0  # GET /v1/sync answered
    received: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (what, case id, body) sent in
    _seq: int = 100

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

    def sent(self, what: str) -> list[tuple[str, dict[str, Any]]]:
        """What the sync runner has sent of one kind ("message", "read", "update_request")."""
        return [(case_id, body) for kind, case_id, body in self.received if kind == what]

    async def serve(self, request: httpx.Request) -> httpx.Response:
        """The sync endpoints, as the real runner meets them (shapes from sync/protocol.py)."""
        if not self.reachable:
            raise httpx.ConnectError("unreachable", request=request)
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return httpx.Response(401, json={"error": {"code": "unauthorized", "message": "You are signed out."}})
        parts = request.url.path.removeprefix("/v1/").split("/")
        if request.method == "GET" and parts == ["sync"]:
            self.pulls += 1
            if request.url.params.get("since") and request.url.params.get("timeout", "0") != "0":
                await asyncio.sleep(float(request.url.params["timeout"]))  # a long poll with no news
            return httpx.Response(200, json={"events": [], "cursor": f"c{self.pulls}", "more": False})
        body = json.loads(request.content or b"{}")
        if request.method == "PUT" and parts[0] == "cases" and parts[2] == "messages":
            self.received.append(("message", parts[1], body))
            self._seq += 1
            now = datetime.now(UTC).isoformat()
            return httpx.Response(
                200,
                json={
                    "id": str(uuid.uuid4()),
                    "case_id": parts[1],
                    "client_msg_id": parts[3],
                    "seq": self._seq,
                    "author_kind": "victim",
                    "author_name": "You",
                    "body": body["body"],
                    "created_at": now,
                    "read_at": None,
                },
            )
        if request.method == "POST" and parts[0] == "cases" and parts[2] in ("read", "update-requests"):
            self.received.append(("read" if parts[2] == "read" else "update_request", parts[1], body))
            return httpx.Response(204 if parts[2] == "read" else 201, json=None if parts[2] == "read" else {})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "Not found."}})


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


class FakeConnector:
    """The fake account, and the real sync runner talking to the fake server's sync endpoints."""

    def __init__(self, backend: FakeBackend, store: Callable[[], Store]) -> None:
        self.backend = backend
        self._store = store
        self.syncs: list[SyncRunner] = []

    def sync(self, identity: Identity) -> SyncRunner:
        runner = SyncRunner(
            self._store(),
            identity.server_url,
            identity.token,
            transport=httpx.MockTransport(self.backend.serve),
            reader=identity.kind,
        )
        self.syncs.append(runner)
        return runner

    def account(self, identity: Identity) -> FakeAccount:
        return FakeAccount(self.backend, identity)
