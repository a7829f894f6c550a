"""The sync engine, sans I/O: it decides which request to make and what a response changes.

It never touches a socket, a clock or the store: the runner asks it for the next request,
performs it, hands back the response, and applies the returned ``Changes`` to the store in
one transaction. So every edge case (a refusal, a replay, a dropped connection, a
``Retry-After``) is a plain unit test.

    engine.pull(cursor, long_poll=...)         -> HttpRequest   GET /v1/sync
    engine.receive_pull(response, now)         -> Changes       cases, updates, messages, cursor
    engine.send(item)                          -> HttpRequest   PUT message / POST update request / POST read
    engine.receive_send(item, response, now)   -> Changes       the server's copy, or why it failed
    engine.network_failed(now, retry_after)    -> seconds       back-off with full jitter, capped
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from app.domain import (
    Case,
    ContactMethod,
    InvitationNote,
    InviteDecisionNote,
    Message,
    MessageState,
    OfficerContact,
    OfficerName,
    OutboxItem,
    Update,
    VictimAccess,
    VictimDetails,
)
from app.ports import ConnectionState
from sync import protocol

LONG_POLL_SECONDS = 25
BACKOFF_CAP_SECONDS = 60.0
BACKOFF_BASE_SECONDS = 1.0

_PAGE = TypeAdapter(protocol.SyncPublic)
_MESSAGE = TypeAdapter(protocol.MessagePublic)


@dataclass(frozen=True)
class HttpRequest:
    method: Literal["GET", "PUT", "POST"]
    path: str
    params: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    timeout: float = 30.0
    outbox_id: str | None = None


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: Any = None
    retry_after: float | None = None


@dataclass
class Changes:
    """What a response changes on the device, applied by the runner in one store transaction."""

    cases: list[Case] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    cursor: str | None = None
    remove_outbox: list[str] = field(default_factory=list)
    put_outbox: list[OutboxItem] = field(default_factory=list)
    message_states: list[tuple[str, MessageState, str | None]] = field(default_factory=list)
    read_marks: list[tuple[str, Literal["victim", "officer"], int]] = field(default_factory=list)
    removed_cases: list[str] = field(default_factory=list)  # handed to another officer: forget them here
    more: bool = False  # the server holds more: pull again at once
    forget_cursor: bool = False  # the server no longer reads our cursor: start again from nothing
    signed_out: bool = False  # the server no longer knows this device: sign in again


class SyncEngine:
    def __init__(self, *, rng: random.Random | None = None) -> None:
        self.state: ConnectionState = "syncing"
        self.last_synced_at: datetime | None = None
        self.failures = 0
        self._rng = rng or random.Random()

    # ------------------------------------------------------------------ pulling

    def pull(self, cursor: str | None, *, long_poll: bool) -> HttpRequest:
        params = {"timeout": str(LONG_POLL_SECONDS if long_poll else 0)}
        if cursor:
            params["since"] = cursor
        wait = LONG_POLL_SECONDS + 10 if long_poll else 30
        return HttpRequest("GET", f"{protocol.API_PREFIX}/sync", params, timeout=wait)

    def receive_pull(self, response: HttpResponse, now: datetime) -> Changes:
        if response.status == 401:
            return Changes(signed_out=True)
        if response.status == 400 and _code(response.body) == "invalid_cursor":
            # The server no longer reads the cursor it gave (its secret was changed, or the data
            # moved): sync again from the start, which rebuilds everything, rather than stall.
            return Changes(forget_cursor=True, more=True)
        if response.status != 200:
            raise ServerTrouble(response.status, response.retry_after)
        try:
            page = _PAGE.validate_python(response.body)
        except ValidationError as exc:
            raise ServerTrouble(response.status, None) from exc
        changes = Changes(cursor=page.cursor, more=page.more)
        for event in page.events:
            if isinstance(event, protocol.CaseEvent):
                changes.cases.append(case_from_wire(event.case))
            elif isinstance(event, protocol.UpdateEvent):
                changes.updates.append(update_from_wire(event.update))
            elif isinstance(event, protocol.MessageEvent):
                changes.messages.append(message_from_wire(event.message))
            elif isinstance(event, protocol.CaseRemovedEvent):
                case_id = str(event.case_id)
                changes.removed_cases.append(case_id)
                # a case that left in this very page is not written back by its earlier events
                changes.cases = [c for c in changes.cases if c.id != case_id]
                changes.updates = [u for u in changes.updates if u.case_id != case_id]
                changes.messages = [m for m in changes.messages if m.case_id != case_id]
            elif isinstance(event, protocol.ReadEvent) and event.read.reader != protocol.AuthorKind.SYSTEM:
                reader: Literal["victim", "officer"] = (
                    "victim" if event.read.reader == protocol.AuthorKind.VICTIM else "officer"
                )
                changes.read_marks.append((str(event.case_id), reader, event.read.up_to_seq))
        self._succeeded(now)
        return changes

    # ------------------------------------------------------------------ sending

    def send(self, item: OutboxItem) -> HttpRequest:
        base = f"{protocol.API_PREFIX}/cases/{item.case_id}"
        if item.kind == "message":
            body = request_body(protocol.MessageSend.model_construct(body=item.body))
            return HttpRequest("PUT", f"{base}/messages/{item.id}", body=body, outbox_id=item.id)
        if item.kind == "update_request":
            body = request_body(protocol.UpdateRequestCreate.model_construct(note=item.body))
            return HttpRequest("POST", f"{base}/update-requests", body=body, outbox_id=item.id)
        body = request_body(protocol.ReadMark.model_construct(up_to_seq=item.up_to_seq))
        return HttpRequest("POST", f"{base}/read", body=body, outbox_id=item.id)

    def receive_send(self, item: OutboxItem, response: HttpResponse, now: datetime) -> Changes:
        """2xx: done (a message is replaced by the server's copy). 408, 429 and 5xx: try again.
        Any other 4xx: given up on, with the server's reason in plain words."""
        if response.status == 401:
            return Changes(signed_out=True)
        if 200 <= response.status < 300:
            self._succeeded(now)
            changes = Changes(remove_outbox=[item.id])
            if item.kind == "message":
                changes.messages.append(message_from_wire(_MESSAGE.validate_python(response.body)))
            return changes
        if response.status in (408, 429) or response.status >= 500:
            raise ServerTrouble(response.status, response.retry_after)
        reason = _reason(response.body)
        changes = Changes(put_outbox=[replace(item, failed=reason, attempts=item.attempts + 1)])
        if item.kind == "message":
            changes.message_states.append((item.id, "failed", reason))
        return changes

    # ------------------------------------------------------------------ connection

    def network_failed(self, now: datetime, retry_after: float | None = None) -> float:
        """Seconds to wait before trying again: full jitter, capped, never before Retry-After."""
        del now
        self.failures += 1
        self.state = "offline"
        ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (self.failures - 1))
        wait = self._rng.uniform(0, ceiling)
        return max(wait, retry_after or 0.0)

    def network_back(self) -> None:
        """The network returned or the person pulled to refresh: try at once."""
        self.failures = 0
        self.state = "syncing"

    def _succeeded(self, now: datetime) -> None:
        self.failures = 0
        self.state = "online"
        self.last_synced_at = now


class ServerTrouble(Exception):
    """The server could not answer now (5xx, 408, 429, or nonsense): retry after a back-off."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"server answered {status}")
        self.status = status
        self.retry_after = retry_after


def request_body(model: protocol.Model) -> dict[str, Any]:
    """A request's JSON body from its protocol model. Callers build the model with
    ``model_construct`` (unvalidated) on purpose: the server is the judge, and what it refuses comes
    back as a reason in its own words (``receive_send``, and the account adapters' ``AccountError``)."""
    return model.model_dump(mode="json")


def _code(body: Any) -> str:
    try:
        return str(body["error"]["code"])
    except (KeyError, TypeError):
        return ""


def _reason(body: Any) -> str:
    try:
        return str(body["error"]["message"])
    except (KeyError, TypeError):
        return "The police system did not accept this. Please try again later."


# ---------------------------------------------------------------------- wire to domain


def case_from_wire(case: protocol.CasePublic) -> Case:
    officer = case.officer
    return Case(
        id=str(case.id),
        crime_reference=case.crime_reference,
        crime_type=case.crime_type,
        status=case.status.value,
        summary=case.summary,
        reported_on=case.reported_on,
        officer=OfficerContact(
            str(officer.id),
            officer.name,
            officer.collar_number,
            officer.phone,
            officer.email,
            reply_within_hours=officer.reply_within_hours,
            away_message=officer.away_message,
            back_on=officer.back_on,
        ),
        next_update_due=case.next_update_due,
        closed_outcome=case.closed_outcome.value if case.closed_outcome else None,
        open_update_requests=len(case.open_update_requests),
        victim_read_seq=case.victim_read_seq,
        officer_read_seq=case.officer_read_seq,
        updated_at=case.updated_at,
        victim=victim_from_wire(case.victim) if case.victim is not None else None,
        requests_due=tuple(sorted(r.due_at for r in case.open_update_requests)),
        access=_access(case.victim_access) if case.victim_access is not None else None,
        closed_at=case.closed_at,
        right_to_review_until=case.right_to_review_until,
        invite_decision=_decision(case.invite_decision) if case.invite_decision is not None else None,
    )


def _decision(wire: protocol.InviteDecisionPublic) -> InviteDecisionNote:
    return InviteDecisionNote(
        wire.decision.value,
        wire.rule,
        wire.reason,
        wire.decided_at,
        wire.rules_version,
        wire.overridden_by,
        wire.override_reason,
        wire.phone_risk,
    )


def _access(access: protocol.VictimAccessPublic) -> VictimAccess:
    invitation = access.invitation
    note = None
    if invitation is not None:
        channel: Literal["sms", "email"] = "email" if invitation.channel == protocol.ContactChannel.EMAIL else "sms"
        note = InvitationNote(
            str(invitation.id), invitation.state.value, channel, invitation.sent_at, invitation.expires_at
        )
    return VictimAccess(access.signed_in, access.last_signed_in_at, access.last_seen_at, note)


def victim_from_wire(victim: protocol.VictimPublic) -> VictimDetails:
    preferences = victim.contact_preferences
    channels: tuple[ContactMethod, ...] = tuple(c.value for c in preferences.contact_channels)
    return VictimDetails(
        name=victim.name,
        phone=victim.phone,
        email=victim.email,
        safe_contact_notes=victim.safe_contact_notes,
        enhanced_rights=victim.enhanced_rights,
        contact_channels=channels,
        contact_times=preferences.contact_times,
        voicemail_ok=preferences.safe_to_leave_voicemail,
    )


def update_from_wire(update: protocol.CaseUpdatePublic) -> Update:
    return Update(
        id=str(update.id),
        case_id=str(update.case_id),
        seq=update.seq,
        text=update.text,
        author_name=update.author_name,
        created_at=update.created_at,
        status_from=update.status_from.value if update.status_from else None,
        status_to=update.status_to.value if update.status_to else None,
        handed_to=OfficerName(update.handed_to.name, update.handed_to.collar_number) if update.handed_to else None,
    )


def message_from_wire(message: protocol.MessagePublic) -> Message:
    return Message(
        client_msg_id=str(message.client_msg_id),
        case_id=str(message.case_id),
        author_kind=message.author_kind.value,
        author_name=message.author_name,
        body=message.body,
        created_at=message.created_at,
        seq=message.seq,
        state="sent",
        read_at=message.read_at,
    )


def with_read_mark(case: Case, reader: Literal["victim", "officer"], up_to_seq: int) -> Case:
    """The case with one side's read position moved forward (never back)."""
    if reader == "victim":
        return replace(case, victim_read_seq=max(case.victim_read_seq, up_to_seq))
    return replace(case, officer_read_seq=max(case.officer_read_seq, up_to_seq))
