"""The database schema, as SQLAlchemy Core tables; Alembic migrations are generated from it.

Every row that belongs to a force carries ``force_id``, and every query filters on it: that
column is what keeps forces apart.

Ordering: each force has one counter (``force.last_seq``). A transaction that changes what
callers can sync takes the next numbers from it with ``UPDATE ... RETURNING``; the row lock
that takes is held to commit, so within a force sequence numbers commit in order and a
cursor never skips a row that commits late.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes on every back-end (SQLite would otherwise hand back naive ones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column[Any]:
    return sa.Column("id", sa.Uuid(), primary_key=True)


def _force() -> sa.Column[Any]:
    return sa.Column("force_id", sa.Uuid(), sa.ForeignKey("force.id"), nullable=False)


def _created() -> sa.Column[Any]:
    return sa.Column("created_at", UtcDateTime(), nullable=False)


force = sa.Table(
    "force",
    metadata,
    _id(),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("settings", sa.JSON(), nullable=False),
    sa.Column("last_seq", sa.BigInteger(), nullable=False, server_default="0"),
    _created(),
)

integration_key = sa.Table(
    "integration_key",
    metadata,
    _id(),
    _force(),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("label", sa.String(200), nullable=False),
    _created(),
    sa.Column("revoked_at", UtcDateTime()),
)

officer = sa.Table(
    "officer",
    metadata,
    _id(),
    _force(),
    sa.Column("username", sa.String(64), nullable=False),
    # Null until the officer sets a password with their set-up code (and again after an admin's reset).
    sa.Column("password_hash", sa.String(200)),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("collar_number", sa.String(12), nullable=False),
    sa.Column("phone", sa.String(32), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("totp_secret", sa.String(200)),
    sa.Column("totp_enabled", sa.Boolean(), nullable=False),
    sa.Column("totp_last_step", sa.BigInteger()),
    # Set up but not yet confirmed; the authenticator in use (if any) stays valid until then.
    sa.Column("totp_pending_secret", sa.String(200)),
    _created(),
    # What victims see of the officer's availability: null away_message means on duty.
    sa.Column("reply_within_hours", sa.Integer(), nullable=False, server_default="48"),
    sa.Column("away_message", sa.String(300)),
    # The UK date the officer is back, shown with the away message; only set while away.
    sa.Column("back_on", sa.Date()),
    sa.UniqueConstraint("force_id", "username"),
    sa.UniqueConstraint("force_id", "collar_number"),
)

victim = sa.Table(
    "victim",
    metadata,
    _id(),
    _force(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(32)),
    sa.Column("email", sa.String(320)),
    sa.Column("preferred_channel", sa.String(8), nullable=False),
    sa.Column("safe_contact_notes", sa.Text(), nullable=False),
    sa.Column("enhanced_rights", sa.Boolean(), nullable=False),
    _created(),
    # The victim's own contact preferences (``ContactPreferences``). The server defaults are for
    # rows older than these columns; migration 0002 sets their channels from preferred_channel.
    sa.Column("contact_channels", sa.JSON(), nullable=False, server_default="[]"),
    sa.Column("contact_times", sa.String(200), nullable=False, server_default=""),
    sa.Column("safe_to_leave_voicemail", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("news_alerts", sa.Boolean(), nullable=False, server_default=sa.true()),
    # What the force's eligibility rules weigh: age (a date of birth, else the age when reported)
    # and whether the victim agreed to the portal (null: not asked yet; false: said no).
    sa.Column("date_of_birth", sa.Date()),
    sa.Column("age", sa.Integer()),
    sa.Column("portal_consent", sa.Boolean()),
)

case = sa.Table(
    "case",
    metadata,
    _id(),
    _force(),
    sa.Column("crime_reference", sa.String(40), nullable=False),
    sa.Column("crime_type", sa.String(200), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("summary", sa.Text(), nullable=False),
    sa.Column("reported_on", sa.Date(), nullable=False),
    sa.Column("officer_id", sa.Uuid(), sa.ForeignKey("officer.id"), nullable=False),
    sa.Column("victim_id", sa.Uuid(), sa.ForeignKey("victim.id"), nullable=False),
    sa.Column("closed_outcome", sa.String(32)),
    sa.Column("victim_read_seq", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("officer_read_seq", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("officer_updates", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_officer_update_at", UtcDateTime()),
    _created(),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # Kept by ``services.attention.refresh`` on every change: when the Victims' Code says the next
    # update is due (null once closed), and the case's place in its officer's queue (the caseload's
    # order: soonest due first, closed cases last), so a page of a caseload is an index range.
    sa.Column("next_update_due", UtcDateTime()),
    sa.Column("queue_position", sa.BigInteger(), nullable=False, server_default="0"),
    # When the victim was told the case was closed: a Right to Review window runs from it.
    sa.Column("closed_at", UtcDateTime()),
    # Exclusions the eligibility rules weigh (``EligibilityRules``).
    sa.Column("domestic_abuse", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("sexual_offence", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("phone_risk", sa.Boolean(), nullable=False, server_default=sa.false()),
    # The invitation decision (``InviteDecisionPublic``): null for cases older than the rules. A
    # later version of the rules never rewrites it; only a change to the case decides again.
    sa.Column("invite_decision", sa.String(8)),
    sa.Column("decision_rules_version", sa.Integer()),
    sa.Column("decision_rule", sa.String(40)),
    sa.Column("decided_at", UtcDateTime()),
    sa.Column("decision_overridden_by", sa.String(200)),
    sa.Column("decision_override_reason", sa.Text()),
    # When the automatic invitation went out: it goes once, whatever the record system resends.
    sa.Column("auto_invited_at", UtcDateTime()),
    sa.UniqueConstraint("force_id", "crime_reference"),
    sa.Index(None, "officer_id", "queue_position", "id"),
    sa.Index(None, "force_id", "queue_position", "id"),
    sa.Index(None, "victim_id"),
)

case_update = sa.Table(
    "case_update",
    metadata,
    _id(),
    _force(),
    sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("status_from", sa.String(32)),
    sa.Column("status_to", sa.String(32)),
    sa.Column("closed_outcome", sa.String(32)),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("author_kind", sa.String(16), nullable=False),
    sa.Column("author_officer_id", sa.Uuid(), sa.ForeignKey("officer.id")),
    sa.Column("author_name", sa.String(200), nullable=False),
    _created(),
    # A hand-over's entry names the officer the case went to; an update posted from a template
    # names the template (``UpdateTemplate``), so the app can show the event in its own words.
    sa.Column("handed_to_officer_id", sa.Uuid(), sa.ForeignKey("officer.id")),
    sa.Column("template", sa.String(32)),
    sa.Index(None, "case_id", "seq"),
)

update_request = sa.Table(
    "update_request",
    metadata,
    _id(),
    _force(),
    sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("requested_at", UtcDateTime(), nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("answered_at", UtcDateTime()),
    sa.Index(None, "case_id", "answered_at"),
    sa.Index(None, "force_id", "requested_at"),
)

message = sa.Table(
    "message",
    metadata,
    _id(),
    _force(),
    sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
    sa.Column("client_msg_id", sa.Uuid(), nullable=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("author_kind", sa.String(16), nullable=False),
    sa.Column("author_officer_id", sa.Uuid(), sa.ForeignKey("officer.id")),
    sa.Column("author_name", sa.String(200), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    _created(),
    sa.Column("read_at", UtcDateTime()),
    sa.UniqueConstraint("case_id", "client_msg_id"),
    sa.Index(None, "case_id", "seq"),
    sa.Index(None, "force_id", "created_at"),
)

# What /v1/sync serves: one row per change, numbered from the force's counter. ``payload`` is the
# event's JSON as it goes on the wire, written once, so a poll copies text instead of rebuilding
# objects; case events are rendered at read time because officers and victims see different fields.
event = sa.Table(
    "event",
    metadata,
    _force(),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    _created(),
    # Set on an event meant for one officer only, who may no longer see the case (it was handed
    # away from them): nobody else reads it, and that officer reads nothing else of the case.
    sa.Column("for_officer_id", sa.Uuid(), sa.ForeignKey("officer.id")),
    sa.PrimaryKeyConstraint("force_id", "seq"),
    sa.Index(None, "case_id", "seq"),
)

device_session = sa.Table(
    "device_session",
    metadata,
    _id(),
    _force(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    # The digest of the session's revoke key (``TokenPublic.revoke_key``); null for sessions older than it.
    sa.Column("revoke_hash", sa.String(64), unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("officer_id", sa.Uuid(), sa.ForeignKey("officer.id")),
    sa.Column("victim_id", sa.Uuid(), sa.ForeignKey("victim.id")),
    sa.Column("device_name", sa.String(200), nullable=False),
    sa.Column("ip", sa.String(64)),
    _created(),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime()),
    # When the token was last honoured, to the minute: a session idle for too long is refused.
    sa.Column("last_used_at", UtcDateTime()),
    sa.Index(None, "officer_id"),
    sa.Index(None, "victim_id"),
)

invitation = sa.Table(
    "invitation",
    metadata,
    _id(),
    _force(),
    sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
    sa.Column("victim_id", sa.Uuid(), sa.ForeignKey("victim.id"), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    _created(),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("used_at", UtcDateTime()),
    sa.Column("codes_sent", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("revoked_at", UtcDateTime()),
    sa.Index(None, "victim_id"),
)

# One-time codes with which a new officer (or one whose password an admin reset) sets a password.
setup_code = sa.Table(
    "setup_code",
    metadata,
    _id(),
    _force(),
    sa.Column("officer_id", sa.Uuid(), sa.ForeignKey("officer.id"), nullable=False),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    _created(),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("used_at", UtcDateTime()),
    sa.Index(None, "officer_id"),
)

challenge = sa.Table(
    "challenge",
    metadata,
    _id(),
    _force(),
    sa.Column("invitation_id", sa.Uuid(), sa.ForeignKey("invitation.id"), nullable=False),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(8), nullable=False),
    _created(),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("used_at", UtcDateTime()),
    sa.Index(None, "invitation_id"),
)

notification = sa.Table(
    "notification",
    metadata,
    _id(),
    _force(),
    sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id")),
    sa.Column("purpose", sa.String(16), nullable=False),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("recipient", sa.String(320), nullable=False),
    # Erased once sent: it may hold a sign-in code or an invitation link.
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_error", sa.String(300)),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
    sa.Column("claimed_until", UtcDateTime()),
    _created(),
    sa.Column("sent_at", UtcDateTime()),
    sa.Index(None, "status", "next_attempt_at"),
    sa.Index(None, "case_id"),
)

# A force's outbound webhook: where its record system hears of messages, update requests, read
# receipts and closures. The secret signs each delivery, so it is sealed (not digested): the
# server must read it back.
webhook = sa.Table(
    "webhook",
    metadata,
    _id(),
    sa.Column("force_id", sa.Uuid(), sa.ForeignKey("force.id"), nullable=False, unique=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret_sealed", sa.Text(), nullable=False),
    _created(),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

# The webhook outbox: one row per event to post, written in the transaction that stores the
# event (``changes.append_many``). ``id`` is the event id the receiver de-duplicates by; rows of
# a case go out in ``seq`` order, each only after the one before it was acknowledged.
webhook_delivery = sa.Table(
    "webhook_delivery",
    metadata,
    _id(),
    _force(),
    sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("event_type", sa.String(32), nullable=False),
    # The change's own JSON (as /v1/sync serves it); erased once delivered.
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_error", sa.String(300)),
    # Null: due at once (the enqueuing request's clock may be a test's; delivery keeps wall time).
    sa.Column("next_attempt_at", UtcDateTime()),
    # A lease: a worker killed mid-delivery holds the row only this long.
    sa.Column("claimed_until", UtcDateTime()),
    _created(),
    sa.Column("delivered_at", UtcDateTime()),
    sa.Index(None, "status", "next_attempt_at"),
    sa.Index(None, "case_id", "status", "seq"),
    sa.Index(None, "force_id", "status"),
)

audit_event = sa.Table(
    "audit_event",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("force_id", sa.Uuid(), sa.ForeignKey("force.id")),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor_kind", sa.String(16), nullable=False),
    sa.Column("actor_id", sa.Uuid()),
    sa.Column("session_id", sa.Uuid()),
    sa.Column("ip", sa.String(64)),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("case_id", sa.Uuid()),
    sa.Column("detail", sa.JSON(), nullable=False),
    sa.Index(None, "force_id", "action", "at"),
    sa.Index(None, "case_id", "at"),
)

# A force's own list of local support services (``SupportServicesPublic``), one per force.
support_services = sa.Table(
    "support_services",
    metadata,
    _id(),
    sa.Column("force_id", sa.Uuid(), sa.ForeignKey("force.id"), nullable=False, unique=True),
    sa.Column("version", sa.String(10), nullable=False),
    sa.Column("services", sa.JSON(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

# A force's eligibility rules (``EligibilityRules``), one row per version: a change adds a version,
# a version is never changed, so a case's decision can always be traced to the rules that made it.
eligibility_rules = sa.Table(
    "eligibility_rules",
    metadata,
    _id(),
    _force(),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("rules", sa.JSON(), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    _created(),
    sa.UniqueConstraint("force_id", "version"),
)

# Failed attempts, for rate limits that hold across workers: a sliding window is a count here.
attempt = sa.Table(
    "attempt",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(24), nullable=False),
    sa.Column("key", sa.String(128), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Index(None, "scope", "key", "at"),
)
