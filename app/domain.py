"""What the app knows, as plain immutable records: no storage, network or UI here.

The sync engine turns the server's wire models into these; the store keeps them; the views
show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

MessageState = Literal["sending", "sent", "read", "failed"]
OutboxKind = Literal["message", "update_request", "read"]
# How a victim agrees to be contacted by the officer: protocol.ContactMethod on the wire.
ContactMethod = Literal["sms", "email", "phone_call"]


@dataclass(frozen=True)
class Identity:
    """Who is signed in on this device, and the token that proves it."""

    kind: Literal["victim", "officer"]
    server_url: str
    token: str
    display_name: str
    force_code: str = ""
    # Ends this device's session and nothing else: kept outside the store too, with the PIN's
    # record, so a store that can no longer be opened can still be signed out on the server.
    revoke_key: str = ""
    # police staff only: their role (officer, supervisor, admin) and collar number
    role: str = ""
    collar_number: str = ""


def away_message_holds(away_message: str | None, back_on: date | None, day: date) -> bool:
    """An officer's away message is shown on this (UK) day: it is set, and the day they said
    they are back has not come (an officer back at work who forgot to clear it is not away)."""
    return bool(away_message) and (back_on is None or day < back_on)


@dataclass(frozen=True)
class OfficerContact:
    id: str
    name: str
    collar_number: str
    phone: str
    email: str
    reply_within_hours: int = 48
    away_message: str | None = None  # set while the officer is off duty
    back_on: date | None = None  # the UK date they are back, when they gave one

    def away_on(self, day: date) -> bool:
        return away_message_holds(self.away_message, self.back_on, day)


@dataclass(frozen=True)
class VictimDetails:
    """Who the victim is and how they may be contacted: only an officer's device holds it."""

    name: str
    phone: str | None = None
    email: str | None = None
    safe_contact_notes: str = ""
    enhanced_rights: bool = False
    contact_channels: tuple[ContactMethod, ...] = ()
    contact_times: str = ""
    voicemail_ok: bool = False


@dataclass(frozen=True)
class InvitationNote:
    """The victim's latest invitation, as the officer sees it."""

    id: str
    state: Literal["sent", "opened", "used", "expired", "withdrawn"]
    channel: Literal["sms", "email"]
    sent_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class VictimAccess:
    """Officer mode: whether the victim uses the portal, and their latest invitation."""

    signed_in: bool = False
    last_signed_in_at: datetime | None = None
    last_seen_at: datetime | None = None
    invitation: InvitationNote | None = None


@dataclass(frozen=True)
class InviteDecisionNote:
    """Officer mode: whether the victim is to be invited, under which rules' version, by which
    rule, and why in plain words (the server's wording); who overrode the rules, and why."""

    decision: Literal["invite", "officer", "never"]
    rule: str
    reason: str
    decided_at: datetime
    rules_version: int | None = None  # None: the force had no rules at the time
    overridden_by: str | None = None
    override_reason: str | None = None
    phone_risk: bool = False  # the officer's mark: someone with the victim's phone may put them at risk


@dataclass(frozen=True)
class Case:
    id: str
    crime_reference: str
    crime_type: str
    status: str
    summary: str
    reported_on: date
    officer: OfficerContact
    next_update_due: datetime | None = None
    closed_outcome: str | None = None
    open_update_requests: int = 0
    victim_read_seq: int = 0
    officer_read_seq: int = 0
    updated_at: datetime | None = None
    # Officer mode only (None and () on a victim's device): the victim, and when each open
    # update request is due, so the caseload can sort and mark what is overdue offline.
    victim: VictimDetails | None = None
    requests_due: tuple[datetime, ...] = ()
    access: VictimAccess | None = None  # officer mode: their sign-ins and latest invitation
    closed_at: datetime | None = None  # when the victim was told of the outcome
    right_to_review_until: date | None = None  # the last day to ask for a Victims' Right to Review
    # officer mode: the invitation decision (a default, so caches kept before it still load)
    invite_decision: InviteDecisionNote | None = None


@dataclass(frozen=True)
class Update:
    id: str
    case_id: str
    seq: int
    text: str
    author_name: str
    created_at: datetime
    status_from: str | None = None
    status_to: str | None = None
    handed_to: OfficerName | None = None  # set on the entry a hand-over adds


@dataclass(frozen=True)
class OfficerName:
    name: str
    collar_number: str


@dataclass(frozen=True)
class Message:
    """One message of a conversation. ``seq`` is the server's number once it has it; a message
    written on this device and not yet confirmed has none and is ordered after the rest."""

    client_msg_id: str
    case_id: str
    author_kind: Literal["victim", "officer", "system"]
    author_name: str
    body: str
    created_at: datetime
    seq: int | None = None
    state: MessageState = "sent"
    error: str | None = None
    read_at: datetime | None = None


@dataclass(frozen=True)
class OutboxItem:
    """Something to send when the network allows, in order per case."""

    id: str
    kind: OutboxKind
    case_id: str
    created_at: datetime
    body: str = ""  # the message text, or the note with an update request
    up_to_seq: int = 0  # for read marks
    attempts: int = 0
    failed: str | None = None  # why it was given up on, in plain words


@dataclass(frozen=True)
class Challenge:
    """An invitation redeemed: a 6-digit code is on its way to the victim."""

    challenge_id: str
    channel: Literal["sms", "email"]
    sent_to: str  # partly hidden, e.g. '•••• ••• 789'
    expires_at: datetime


@dataclass(frozen=True)
class ContactPreferences:
    """How the victim is willing to be contacted, and when: the officer sees it."""

    channels: tuple[ContactMethod, ...] = ("sms",)
    times: str = ""
    voicemail_ok: bool = False
    news_alerts: bool = True  # a short text or email, never with any detail, when there is news


@dataclass(frozen=True)
class ShownMessage:
    """A message as a conversation screen shows it, on either side of the conversation."""

    message: Message
    mine: bool  # written by this side: the victim, or police staff (this officer, or one before them)
    state: MessageState


def shown_state(message: Message, case: Case, *, me: Literal["victim", "officer"]) -> MessageState:
    """What a message of mine shows: Sending, Sent, Read (the other side has read up to it), or failed."""
    if message.state in ("sending", "failed") or message.seq is None:
        return message.state
    theirs_read = case.officer_read_seq if me == "victim" else case.victim_read_seq
    return "read" if theirs_read >= message.seq else "sent"
