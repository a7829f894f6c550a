"""In-memory fakes of the app's sign-in and account ports (``app/ports.py``), which the same
contract suite (tests/test_account_contract.py) holds to the HTTP adapters' behaviour; and the
sync endpoints of a fake server, which the *real* sync runner talks to over
``httpx.MockTransport`` (there is no fake of the runner: the app is tested over the real one)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.content import ServiceList
from app.domain import Case, Challenge, ContactPreferences, Identity
from app.ports import AccountError
from app.store.port import Store
from sync import protocol
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
    events: list[protocol.SyncEvent] = field(default_factory=list)  # the feed; a cursor is a place in it
    refuse_update_requests: str = ""  # the server's reason, while it refuses them (e.g. the case is closed)
    _seq: int = 100
    _news: asyncio.Event | None = None

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

    # ------------------------------------------------------------------ the sync endpoints

    def publish_case(self, case: Case) -> None:
        """The server's copy of a case changed: the next pull (or the long poll now) brings it."""
        officer = case.officer
        wire = protocol.CasePublic(
            id=uuid.UUID(case.id),
            crime_reference=case.crime_reference,
            crime_type=case.crime_type,
            status=protocol.CaseStatus(case.status),
            summary=case.summary,
            reported_on=case.reported_on,
            closed_outcome=protocol.ClosedOutcome(case.closed_outcome) if case.closed_outcome else None,
            officer=protocol.OfficerContact(
                id=uuid.uuid5(uuid.NAMESPACE_URL, officer.id),
                name=officer.name,
                collar_number=officer.collar_number,
                phone=officer.phone,
                email=officer.email,
                reply_within_hours=officer.reply_within_hours,
                away_message=officer.away_message,
                back_on=officer.back_on,
            ),
            next_update_due=case.next_update_due,
            open_update_requests=[],
            victim_read_seq=case.victim_read_seq,
            officer_read_seq=case.officer_read_seq,
            updated_at=case.updated_at or datetime.now(UTC),
        )
        self._publish(protocol.CaseEvent(seq=self._next_seq(), case_id=wire.id, case=wire))

    def publish_message(self, case_id: str, body: str, *, seq: int, author: str = "PC Okafor") -> None:
        """A message on the server: the officer's, or (author "You") one the victim sent earlier."""
        self._seq = max(self._seq, seq)
        message = protocol.MessagePublic(
            id=uuid.uuid4(),
            case_id=uuid.UUID(case_id),
            client_msg_id=uuid.uuid4(),
            seq=seq,
            author_kind=protocol.AuthorKind.VICTIM if author == "You" else protocol.AuthorKind.OFFICER,
            author_name=author,
            body=body,
            created_at=datetime.now(UTC),
            read_at=None,
        )
        self._publish(protocol.MessageEvent(seq=seq, case_id=message.case_id, message=message))

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _publish(self, event: protocol.SyncEvent) -> None:
        self.events.append(event)
        if self._news is not None:
            self._news.set()

    async def serve(self, request: httpx.Request) -> httpx.Response:
        """The sync endpoints, as the real runner meets them, answering with sync/protocol.py's models."""
        if not self.reachable:
            raise httpx.ConnectError("unreachable", request=request)
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return _refusal(401, "unauthorized", "You are signed out.")
        parts = request.url.path.removeprefix("/v1/").split("/")
        if request.method == "GET" and parts == ["sync"]:
            return await self._pull(request)
        body = json.loads(request.content or b"{}")
        if request.method == "PUT" and parts[0] == "cases" and parts[2] == "messages":
            self.received.append(("message", parts[1], body))
            sent = protocol.MessagePublic(
                id=uuid.uuid4(),
                case_id=uuid.UUID(parts[1]),
                client_msg_id=uuid.UUID(parts[3]),
                seq=self._next_seq(),
                author_kind=protocol.AuthorKind.VICTIM,
                author_name="You",
                body=protocol.MessageSend.model_validate(body).body,
                created_at=datetime.now(UTC),
                read_at=None,
            )
            return httpx.Response(200, json=sent.model_dump(mode="json"))
        if request.method == "POST" and parts[0] == "cases" and parts[2] == "read":
            self.received.append(("read", parts[1], protocol.ReadMark.model_validate(body).model_dump()))
            return httpx.Response(204)
        if request.method == "POST" and parts[0] == "cases" and parts[2] == "update-requests":
            if self.refuse_update_requests:
                return _refusal(409, "case_closed", self.refuse_update_requests)
            note = protocol.UpdateRequestCreate.model_validate(body)
            self.received.append(("update_request", parts[1], note.model_dump()))
            return httpx.Response(201, json={})
        return _refusal(404, "not_found", "Not found.")

    async def _pull(self, request: httpx.Request) -> httpx.Response:
        self.pulls += 1
        since = int(request.url.params.get("since", "c0").removeprefix("c"))
        timeout = float(request.url.params.get("timeout", "0"))
        if timeout and since >= len(self.events):  # a long poll: answer when there is news
            self._news = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._news.wait(), timeout)
        page = protocol.SyncPublic(events=self.events[since:], cursor=f"c{len(self.events)}", more=False)
        return httpx.Response(200, json=page.model_dump(mode="json"))


def _refusal(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message}})


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
