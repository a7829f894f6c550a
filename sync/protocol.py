"""The wire models: what crosses between the app and the backend, and nothing else.

Both ends import this module; the server never imports anything else from the client
side. Models are named by the family ``XCreate`` (a request body), ``XPublic`` (what the
server answers) and ``XsPublic`` (a list of them).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

API_PREFIX = "/v1"
MESSAGE_MAX_CHARS = 4000
LONG_POLL_MAX_SECONDS = 30
CONTACT_TIMES_MAX_CHARS = 200
AWAY_MESSAGE_MAX_CHARS = 300
REPLY_WITHIN_HOURS_MAX = 168  # a week


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Text people type that others read: no control characters (PostgreSQL cannot even store a
# NUL), on one line; or, where text runs over lines, none but line breaks and tabs.
_ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
_LINES = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
# What a refusal says instead of quoting the pattern.
PATTERN_WORDS = {
    _ONE_LINE: "must be a single line without control characters",
    _LINES: "must not contain control characters (line breaks and tabs are fine)",
}
OneLine = StringConstraints(pattern=_ONE_LINE)
Lines = StringConstraints(pattern=_LINES)
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000), Lines]
ForceCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9][a-z0-9-]{1,31}$")
]
Username = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9._-]{2,64}$")]
CollarNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9]{1,12}$")]
PhoneText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32), OneLine]
CrimeReference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=40, pattern=r"^[A-Za-z0-9/ -]+$")
]
NewPassword = Annotated[str, StringConstraints(min_length=12, max_length=256)]
SetupCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=128)]
OneTimeCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")]
ContactTimes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=CONTACT_TIMES_MAX_CHARS), OneLine]
AwayMessage = Annotated[str, StringConstraints(strip_whitespace=True, max_length=AWAY_MESSAGE_MAX_CHARS), Lines]


def _is_date(value: str) -> str:
    date.fromisoformat(value)  # a ValueError is a validation error
    return value


ContentVersion = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), AfterValidator(_is_date)
]


# ---------------------------------------------------------------------------- vocabularies


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class ContactChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class ContactMethod(StrEnum):
    """How a victim agrees to be contacted by the officer (``ContactChannel`` is how the server notifies)."""

    SMS = "sms"
    EMAIL = "email"
    PHONE_CALL = "phone_call"


class CaseStatus(StrEnum):
    """Codes only: the words victims read live in ``assets/`` so forces can change them."""

    RECEIVED = "received"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    PENDING_OUTCOME = "pending_outcome"
    WITH_PROSECUTOR = "with_prosecutor"
    AT_COURT = "at_court"
    CLOSED = "closed"


class ClosedOutcome(StrEnum):
    NO_SUSPECT = "no_suspect"
    NO_FURTHER_ACTION = "no_further_action"
    OUT_OF_COURT = "out_of_court"
    CHARGED = "charged"
    CONVICTED = "convicted"
    ACQUITTED = "acquitted"
    VICTIM_WITHDREW = "victim_withdrew"
    OTHER = "other"


class UpdateTemplate(StrEnum):
    """The events the Victims' Code names, each a starting point for an update (words in
    ``assets/content/update-templates.json``)."""

    SUSPECT_ARRESTED = "suspect_arrested"
    SUSPECT_INTERVIEWED = "suspect_interviewed"
    SUSPECT_RELEASED = "suspect_released"  # on bail or under investigation
    SUSPECT_CHARGED = "suspect_charged"
    NO_FURTHER_ACTION = "no_further_action"
    PASSED_TO_PROSECUTOR = "passed_to_prosecutor"
    COURT_DATE_SET = "court_date_set"
    CASE_CLOSED = "case_closed"


class AuthorKind(StrEnum):
    VICTIM = "victim"
    OFFICER = "officer"
    SYSTEM = "system"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


# ---------------------------------------------------------------------------- errors


class ErrorDetail(Model):
    code: str
    message: str


class ErrorBody(Model):
    error: ErrorDetail


# ---------------------------------------------------------------------------- auth


class OfficerLogin(Model):
    force_code: ForceCode
    username: Username
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    totp_code: OneTimeCode | None = None
    device_name: ShortText = "Officer device"


class TokenPublic(Model):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    role: Literal["victim", "officer", "supervisor", "admin"]
    force_code: str = Field(
        default="", description="The caller's force (e.g. 'tvp'), so the app can show that force's own wording."
    )
    revoke_key: str | None = Field(
        default=None,
        description="Ends this session and nothing else (POST /v1/auth/revoke): kept by the app outside its "
        "locked store, so a device wiped by too many wrong PINs can still end its session.",
    )


class OfficerSetup(Model):
    """A new officer (or one whose password an admin reset) chooses a password with their set-up code."""

    force_code: ForceCode
    username: Username
    setup_code: SetupCode
    new_password: NewPassword


class PasswordChange(Model):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    new_password: NewPassword


class SetupCodePublic(Model):
    """Shown once: the officer sets their password with it at ``POST /v1/auth/officer/setup``."""

    setup_code: str
    expires_at: datetime


class DevicePublic(Model):
    """One signed-in device (a session) of the caller's own; never its token."""

    id: uuid.UUID
    device_name: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool = Field(description="True for the device asking.")


class DevicesPublic(Model):
    data: list[DevicePublic]
    count: int


class SignOutPublic(Model):
    signed_out: int = Field(description="How many sessions were ended.")


class SessionRevoke(Model):
    revoke_key: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
    ]


class TotpEnrolmentPublic(Model):
    secret: str
    provisioning_uri: str


class TotpEnrol(Model):
    """Starting to set up an authenticator: the password again, and a code from the authenticator
    in use if one is being replaced."""

    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    totp_code: OneTimeCode | None = None


class TotpConfirm(Model):
    totp_code: OneTimeCode


class InvitationRedeem(Model):
    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=128), OneLine]


class ChallengePublic(Model):
    challenge_id: uuid.UUID
    channel: ContactChannel
    sent_to: str = Field(description="The contact the code went to, partly hidden, e.g. '•••• ••• 789'.")
    expires_at: datetime


class VictimVerify(Model):
    challenge_id: uuid.UUID
    code: OneTimeCode
    device_name: ShortText


# ---------------------------------------------------------------------------- officers


class OfficerCreate(Model):
    username: Username
    name: ShortText
    collar_number: CollarNumber
    role: Role = Role.OFFICER
    email: EmailStr
    phone: PhoneText


class OfficerContact(Model):
    """What a victim sees of the officer in charge."""

    id: uuid.UUID
    name: str
    collar_number: str
    phone: str
    email: str
    reply_within_hours: int = Field(description="How soon the officer aims to reply to a message, in hours.")
    away_message: str | None = Field(description="Set while the officer is off duty; null when they are working.")
    back_on: date | None = Field(
        default=None, description="The UK date the officer is back, while they are away; null when not given."
    )


class OfficerAvailability(Model):
    """An officer's own answer to "how soon will they hear back?"."""

    reply_within_hours: Annotated[int, Field(ge=1, le=REPLY_WITHIN_HOURS_MAX)]
    away_message: AwayMessage | None = Field(
        description="What victims read while the officer is off duty; null (or blank) when they are working."
    )

    back_on: date | None = Field(
        default=None,
        description="The UK date the officer is back (today at the earliest, at most a year ahead); "
        "only with an away message.",
    )

    @field_validator("away_message")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _back_only_while_away(self) -> OfficerAvailability:
        # A return date with nobody away would tell victims nothing they can act on.
        if self.back_on is not None and self.away_message is None:
            raise ValueError("back_on goes with an away message")
        return self


class OfficerPublic(OfficerContact):
    username: str
    role: Role
    active: bool
    totp_enabled: bool


class OfficerCreatedPublic(OfficerPublic):
    setup: SetupCodePublic


class IntegrationKeyPublic(Model):
    id: uuid.UUID
    label: str
    created_at: datetime
    revoked_at: datetime | None


class IntegrationKeyCreatedPublic(IntegrationKeyPublic):
    key: str = Field(description="Shown once: the record system sends it as a bearer token.")


# ---------------------------------------------------------------------------- eligibility


class InviteDecision(StrEnum):
    """What a force's eligibility rules decide about inviting a case's victim to the portal."""

    INVITE = "invite"  # automatically, by the victim's preferred channel, once contact and consent are present
    OFFICER = "officer"  # the officer in charge decides
    NEVER = "never"


CrimeTypeName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine]
CRIME_TYPES_MAX = 500


class EligibilityRules(Model):
    """A force's rules for who is invited. Crime types in ``invite_crime_types`` are invited
    automatically, those in ``officer_crime_types`` left to the officer, all others never; a
    pilot takes only ``pilot_percent`` of the eligible ones (the same ones every time: chosen by
    a hash of the crime type or of the crime reference). Exclusions turn any of them to never."""

    invite_crime_types: list[CrimeTypeName] = Field(default=[], max_length=CRIME_TYPES_MAX)
    officer_crime_types: list[CrimeTypeName] = Field(default=[], max_length=CRIME_TYPES_MAX)
    pilot_percent: Annotated[int, Field(ge=0, le=100)] = 100
    pilot_by: Literal["crime_type", "crime_reference"] = "crime_type"
    exclude_domestic_abuse: bool = True
    exclude_sexual_offence: bool = True
    exclude_phone_risk: bool = True
    minimum_age: Literal[16, 18] = Field(default=16, description="Victims younger than this are never invited.")

    @model_validator(mode="after")
    def _each_crime_type_once(self) -> EligibilityRules:
        names = [name.casefold() for name in self.invite_crime_types + self.officer_crime_types]
        if len(set(names)) != len(names):
            raise ValueError("each crime type may be listed only once, in one of the two lists")
        if not names:
            raise ValueError("list at least one crime type (invite_crime_types or officer_crime_types)")
        return self


class EligibilityRulesPublic(Model):
    version: int = Field(description="Counts up from 1 each time the force changes its rules; never reused.")
    rules: EligibilityRules
    created_at: datetime
    created_by: str


class EligibilityRulesVersionsPublic(Model):
    data: list[EligibilityRulesPublic]
    count: int


class InviteDecisionPublic(Model):
    """Officers only: whether the victim is to be invited, under which rules, and why in plain words."""

    decision: InviteDecision
    rules_version: int | None = Field(description="Null when the force had no rules at the time.")
    rule: str = Field(description="Which rule decided, e.g. 'excluded_domestic_abuse'.")
    reason: str = Field(description="The rule in plain words, from the force's wording.")
    decided_at: datetime
    overridden_by: str | None = None
    override_reason: str | None = None
    phone_risk: bool = Field(
        default=False, description="The officer's mark: someone with access to the victim's phone may put them at risk."
    )


class PhoneRiskMark(Model):
    """The officer's mark that someone with access to the victim's phone puts them at risk."""

    at_risk: bool


class InviteDecisionOverride(Model):
    decision: Literal[InviteDecision.INVITE, InviteDecision.NEVER]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=1000), Lines]


# ---------------------------------------------------------------------------- cases


class VictimCreate(Model):
    name: ShortText
    phone: PhoneText | None = None
    email: EmailStr | None = None
    preferred_channel: ContactChannel = ContactChannel.SMS
    safe_contact_notes: LongText = ""
    enhanced_rights: bool = False
    # What the force's eligibility rules weigh (``EligibilityRules``).
    date_of_birth: date | None = None
    age: Annotated[int, Field(ge=0, le=130)] | None = Field(
        default=None, description="Age when the crime was reported, where the date of birth is not known."
    )
    portal_consent: bool | None = Field(
        default=None, description="Agreed to be invited to the portal; false: said no; null: not asked yet."
    )

    @model_validator(mode="after")
    def _born_in_the_past(self) -> VictimCreate:
        if self.date_of_birth is not None and self.date_of_birth.year < 1890:
            raise ValueError("the date of birth is too far in the past")
        return self


class ContactPreferences(Model):
    """The victim's own choice of how and when the officer may contact them."""

    contact_channels: list[ContactMethod] = Field(
        min_length=1, max_length=len(ContactMethod), description="At least one; each at most once."
    )
    contact_times: ContactTimes = Field(default="", description="e.g. 'Weekdays after 6pm'; empty for any time.")
    safe_to_leave_voicemail: bool = False
    news_alerts: bool = Field(
        default=True, description="Send a short text or email (never with any detail) when there is news."
    )

    @model_validator(mode="after")
    def _each_once(self) -> ContactPreferences:
        if len(set(self.contact_channels)) != len(self.contact_channels):
            raise ValueError("each contact channel may be given only once")
        return self


class VictimPublic(Model):
    """Officers only: a victim never receives another person's details, nor notes about themselves."""

    id: uuid.UUID
    name: str
    phone: str | None
    email: str | None
    preferred_channel: ContactChannel
    safe_contact_notes: str
    enhanced_rights: bool
    contact_preferences: ContactPreferences


class CaseCreate(Model):
    crime_reference: CrimeReference
    crime_type: ShortText
    summary: LongText = ""
    reported_on: date
    officer_id: uuid.UUID | None = Field(
        default=None, description="Officer in charge; defaults to the officer creating the case."
    )
    officer_collar_number: CollarNumber | None = Field(
        default=None, description="Alternative to officer_id, for record systems that know collar numbers."
    )
    status: CaseStatus = CaseStatus.ASSIGNED
    closed_outcome: ClosedOutcome | None = Field(
        default=None, description="With status 'closed', when the record system sends a case it closed."
    )
    victim: VictimCreate
    domestic_abuse: bool = False
    sexual_offence: bool = False
    phone_risk: bool = Field(
        default=False, description="The victim is at risk from someone with access to their phone (officer marks)."
    )


class NotificationPublic(Model):
    id: uuid.UUID
    purpose: str
    channel: ContactChannel
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class UpdateRequestPublic(Model):
    id: uuid.UUID
    case_id: uuid.UUID
    seq: int
    note: str
    requested_at: datetime
    due_at: datetime
    answered_at: datetime | None


class InvitationState(StrEnum):
    SENT = "sent"  # not opened yet
    OPENED = "opened"  # the link was opened and a sign-in code sent, but not used to sign in
    USED = "used"  # the victim signed in with it
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # revoked by an officer, or replaced by a newer invitation


class InvitationStatePublic(Model):
    """The victim's latest invitation: resend with POST /v1/cases/{id}/invitations, revoke with
    DELETE /v1/cases/{id}/invitations/{invitation id}."""

    id: uuid.UUID
    state: InvitationState
    channel: ContactChannel
    sent_at: datetime
    expires_at: datetime


class VictimAccessPublic(Model):
    """Officers only: whether the victim uses the portal."""

    signed_in: bool = Field(description="The victim has a session that has not ended (on some device).")
    last_signed_in_at: datetime | None = Field(description="Their latest sign-in; null if they never signed in.")
    last_seen_at: datetime | None = Field(description="When their app last reached the server.")
    invitation: InvitationStatePublic | None = Field(description="Their latest invitation; null if never invited.")


class CasePublic(Model):
    id: uuid.UUID
    crime_reference: str
    crime_type: str
    status: CaseStatus
    summary: str
    reported_on: date
    closed_outcome: ClosedOutcome | None
    officer: OfficerContact
    next_update_due: datetime | None
    open_update_requests: list[UpdateRequestPublic]
    victim_read_seq: int
    officer_read_seq: int
    updated_at: datetime
    closed_at: datetime | None = Field(
        default=None, description="When the victim was told the case was closed (with its outcome)."
    )
    right_to_review_until: date | None = Field(
        default=None,
        description="Where the outcome allows a Victims' Right to Review (no further action, no suspect): "
        "the last day (UK) to ask for one, 3 months from being told. Null otherwise.",
    )
    # Officers only; None when a victim asks.
    victim: VictimPublic | None = None
    notifications: list[NotificationPublic] | None = None
    victim_access: VictimAccessPublic | None = None
    invite_decision: InviteDecisionPublic | None = None


class CaseView(StrEnum):
    """Which of a caseload's cases a page holds."""

    ATTENTION = "attention"  # overdue or due today, an unanswered update request, or unread messages
    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"


CASE_PAGE_MAX = 100


class CasesPublic(Model):
    """One page of a caseload, in the order cases need attention: soonest due first, closed last."""

    data: list[CasePublic]
    count: int = Field(description="How many cases this page holds.")
    next_cursor: str | None = Field(
        default=None, description="Opaque: pass it back as `cursor` for the next page; null on the last page."
    )


class CaseCountsPublic(Model):
    """How many of the caller's cases each view of the caseload holds."""

    attention: int
    open: int
    closed: int


class CaseUpdateCreate(Model):
    status: CaseStatus | None = None
    closed_outcome: ClosedOutcome | None = None
    text: LongText = ""
    template: UpdateTemplate | None = Field(
        default=None, description="The template the update started from, if any (its text may have been edited)."
    )


class UpdateTemplatePublic(Model):
    """A template as it applies to one case: what posting it changes, and the deadline it meets."""

    template: UpdateTemplate
    status: CaseStatus | None = Field(description="The status the case moves to; null leaves it as it is.")
    closed_outcome: ClosedOutcome | None = Field(
        description="The outcome it closes the case with; null with status 'closed' means the officer chooses."
    )
    working_days: int = Field(description="The force's limit for telling the victim of this event, for this victim.")
    due_by: datetime = Field(description="When the victim must be told by, if the event happened now.")


class UpdateTemplatesPublic(Model):
    data: list[UpdateTemplatePublic]
    enhanced_rights: bool = Field(description="Whether the shorter Enhanced Rights limit applies.")


class OfficerNamePublic(Model):
    """An officer as a timeline entry names them (their contact details are on the case itself)."""

    id: uuid.UUID
    name: str
    collar_number: str


class CaseUpdatePublic(Model):
    id: uuid.UUID
    case_id: uuid.UUID
    seq: int
    status_from: CaseStatus | None
    status_to: CaseStatus | None
    closed_outcome: ClosedOutcome | None
    text: str
    author_name: str
    author_kind: AuthorKind
    created_at: datetime
    handed_to: OfficerNamePublic | None = Field(
        default=None, description="Set on the entry a hand-over adds: the officer the case is now with."
    )
    template: UpdateTemplate | None = Field(default=None, description="The template the update started from.")


class HandOverCreate(Model):
    officer_id: uuid.UUID = Field(description="An active officer or supervisor of the same force (not an admin).")


class HandOverPublic(Model):
    """A case handed over: who has it now, and the timeline entry the victim sees."""

    case_id: uuid.UUID
    officer: OfficerContact
    update: CaseUpdatePublic


class UpdateRequestCreate(Model):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000), Lines] = ""


class InvitationCreate(Model):
    channel: ContactChannel | None = Field(default=None, description="Defaults to the victim's preference.")


class InvitationPublic(Model):
    id: uuid.UUID
    case_id: uuid.UUID
    channel: ContactChannel
    expires_at: datetime
    delivery: NotificationPublic


# ---------------------------------------------------------------------------- messages


class MessageSend(Model):
    body: Annotated[str, StringConstraints(min_length=1, max_length=MESSAGE_MAX_CHARS), Lines]


class MessagePublic(Model):
    id: uuid.UUID
    case_id: uuid.UUID
    client_msg_id: uuid.UUID
    seq: int
    author_kind: AuthorKind
    author_name: str
    body: str
    created_at: datetime
    read_at: datetime | None


class ReadMark(Model):
    up_to_seq: Annotated[int, Field(ge=0)]


class ReadPublic(Model):
    case_id: uuid.UUID
    reader: AuthorKind
    up_to_seq: int
    at: datetime


# ---------------------------------------------------------------------------- sync


class MessageEvent(Model):
    kind: Literal["message"] = "message"
    seq: int
    case_id: uuid.UUID
    message: MessagePublic


class UpdateEvent(Model):
    kind: Literal["update"] = "update"
    seq: int
    case_id: uuid.UUID
    update: CaseUpdatePublic


class CaseEvent(Model):
    kind: Literal["case"] = "case"
    seq: int
    case_id: uuid.UUID
    case: CasePublic


class ReadEvent(Model):
    kind: Literal["read"] = "read"
    seq: int
    case_id: uuid.UUID
    read: ReadPublic


class UpdateRequestEvent(Model):
    kind: Literal["update_request"] = "update_request"
    seq: int
    case_id: uuid.UUID
    update_request: UpdateRequestPublic


class CaseRemovedEvent(Model):
    """The case has left this officer's caseload (it was handed to someone else): forget it. Only
    the officer who lost it receives this; it says nothing about the case or who has it now."""

    kind: Literal["case_removed"] = "case_removed"
    seq: int
    case_id: uuid.UUID
    reason: Literal["handed_over"] = "handed_over"


SyncEvent = Annotated[
    MessageEvent | UpdateEvent | CaseEvent | ReadEvent | UpdateRequestEvent | CaseRemovedEvent,
    Field(discriminator="kind"),
]


class SyncPublic(Model):
    events: list[SyncEvent]
    cursor: str = Field(description="Opaque: pass it back as `since` to get what comes after.")
    more: bool = Field(description="True when the server holds more events than fitted in this answer.")


# ---------------------------------------------------------------------------- support services


class SupportServicePublic(Model):
    id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    name: ShortText
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), Lines]
    phone: PhoneText | None
    website: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, max_length=300, pattern=r"^https://[^\s\x00-\x1f\x7f]+$")
        ]
        | None
    )
    source: ShortText
    reviewed: date


class SupportServicesPublic(Model):
    """A force's own list of local support services; the app prefers it to its bundled list when newer."""

    version: ContentVersion = Field(description="The date the list was last reviewed, e.g. '2026-11-01'.")
    services: list[SupportServicePublic] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _ids_once(self) -> SupportServicesPublic:
        if len({s.id for s in self.services}) != len(self.services):
            raise ValueError("each service id may be used only once")
        return self


# ---------------------------------------------------------------------------- stats


# ---------------------------------------------------------------------------- webhooks

WEBHOOK_URL_MAX_CHARS = 2000
_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


def _is_webhook_url(value: str) -> str:
    try:
        parts = _HTTP_URL.validate_python(value)
    except ValidationError:
        raise ValueError("must be an http:// or https:// address") from None
    if parts.username is not None or parts.password is not None:
        # It would sit in the database and in every request line; the secret is what authenticates.
        raise ValueError("must not hold a user name or password (each delivery is signed instead)")
    return value


WebhookUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=WEBHOOK_URL_MAX_CHARS, pattern=r"^[^\s\x00-\x1f\x7f]+$"),
    AfterValidator(_is_webhook_url),
]
WebhookSecret = Annotated[str, StringConstraints(min_length=32, max_length=200, pattern=r"^[\x21-\x7e]+$")]


class WebhookCreate(Model):
    """A force's webhook: where each new message, update request, read receipt and closure is posted."""

    url: WebhookUrl = Field(description="http:// or https:// (https outside a closed network).")
    secret: WebhookSecret | None = Field(
        default=None, description="32+ printable characters; leave out and the server makes one (recommended)."
    )


class WebhookPublic(Model):
    url: str
    created_at: datetime
    updated_at: datetime


class WebhookCreatedPublic(WebhookPublic):
    secret: str = Field(description="Shown once: the receiver checks each delivery's signature with it.")


class WebhookFiguresPublic(Model):
    """How the force's webhook deliveries stand now (not limited to the period asked for)."""

    configured: bool
    pending: int = Field(description="Events not yet acknowledged by the receiver.")
    failing: int = Field(description="Of those, how many have failed at least once.")
    failed_attempts: int = Field(description="Failed attempts of the events still pending.")
    oldest_undelivered_at: datetime | None
    last_error: str | None = Field(description="The most recent failure, e.g. 'HTTP 500' or 'timed out'.")
    delivered_in_period: int


class CohortFiguresPublic(Model):
    """One group of cases in ``InvitationComparisonPublic``; activity counted within the period."""

    cases: int
    update_requests_per_case: float | None = Field(description="Null when the group has no cases.")
    victim_messages_per_case: float | None
    officer_messages_per_case: float | None
    median_first_reply_seconds: float | None = Field(
        description="From a victim's first unanswered message to the officer's next message; null when none."
    )


class InvitationComparisonPublic(Model):
    """Cases open at some time in the period, split by whether an invitation was sent before it ended."""

    invited: CohortFiguresPublic
    not_invited: CohortFiguresPublic


class StatsPublic(Model):
    force_code: str
    period_from: datetime
    period_to: datetime
    victims_logged_in: int
    victim_logins: int
    messages_from_victims: int
    messages_from_officers: int
    update_requests: int
    update_requests_answered_in_time: int
    median_first_reply_seconds: float | None
    webhooks: WebhookFiguresPublic | None = None
    invitations: InvitationComparisonPublic | None = None
