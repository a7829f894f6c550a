"""A victim signing in: their invitation link, then a one-time code sent to the contact on record;
single-use, expiring, rate-limited and audited."""

from __future__ import annotations

import hmac
import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import ChallengePublic, ContactChannel, InvitationRedeem, TokenPublic, VictimVerify
from sync.server import audit, limits, security
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import ApiError, Gone
from sync.server.models import case, challenge, force, invitation, victim
from sync.server.notify import texts
from sync.server.notify.outbox import enqueue
from sync.server.services import sessions
from sync.server.services.case_changes import emit_cases_changed

_WITHDRAWN = "This invitation was withdrawn. Ask the officer for a new one."


class _InvitationRefused(ApiError):
    status = 404
    keep_changes = True


class _WrongCode(ApiError):
    status = 400
    keep_changes = True


def mask_contact(channel: ContactChannel, contact: str) -> str:
    if channel == ContactChannel.EMAIL:
        local, _, domain = contact.partition("@")
        return f"{local[:1]}•••@{domain}"
    digits = [c for c in contact if c.isdigit()]
    return "•••• ••• " + "".join(digits[-3:])


def redeem_invitation(
    conn: Connection, ctx: Context, request: RequestInfo, body: InvitationRedeem
) -> tuple[ChallengePublic, uuid.UUID]:
    """Invitation link → a 6-digit code sent to the contact on record. Returns the challenge
    and the id of the notification to send after commit."""
    now = ctx.now()
    limits.check(conn, limits.VICTIM_REDEEM_PER_IP, request.ip, now=now)
    row = conn.execute(
        sa.select(invitation, victim.c.phone, victim.c.email, force.c.name.label("force_name"))
        .join(victim, victim.c.id == invitation.c.victim_id)
        .join(force, force.c.id == invitation.c.force_id)
        .where(invitation.c.token_hash == ctx.secrets.digest(body.token))
        # Redeems of one invitation take turns, so "3 codes an hour" and "a new code cancels
        # the old" hold, and one code at most is ever live.
        .with_for_update(of=invitation)
    ).one_or_none()
    if row is None:
        limits.record(conn, limits.VICTIM_REDEEM_PER_IP, request.ip, now=now)
        audit.record(conn, None, "invitation.redeem_failed", now=now, ip=request.ip, detail={"reason": "unknown"})
        raise _InvitationRefused(
            "This invitation link is not right. Check it was copied whole, or ask the officer for a new one.",
            code="invitation_unknown",
        )
    if row.used_at is not None:
        raise Gone(
            "This invitation has already been used to sign in. "
            "To sign in on another device, ask the officer for a new invitation.",
            code="invitation_used",
        )
    if row.revoked_at is not None:
        raise Gone(_WITHDRAWN, code="invitation_revoked")
    if row.expires_at <= now:
        raise Gone("This invitation has expired. Ask the officer for a new one.", code="invitation_expired")
    limits.check(conn, limits.CODES_PER_INVITATION, str(row.id), now=now)
    limits.record(conn, limits.CODES_PER_INVITATION, str(row.id), now=now)

    channel = ContactChannel(row.channel)
    contact = row.phone if channel == ContactChannel.SMS else row.email
    if not contact:
        channel = ContactChannel.EMAIL if channel == ContactChannel.SMS else ContactChannel.SMS
        contact = row.phone if channel == ContactChannel.SMS else row.email
    code = security.new_code()
    challenge_id = uuid.uuid4()
    expires_at = now + timedelta(minutes=ctx.settings.code_minutes)
    # A new code replaces any earlier one for this invitation.
    conn.execute(
        sa.update(challenge)
        .where(challenge.c.invitation_id == row.id, challenge.c.used_at.is_(None))
        .values(used_at=now)
    )
    conn.execute(
        sa.insert(challenge).values(
            id=challenge_id,
            force_id=row.force_id,
            invitation_id=row.id,
            code_hash=ctx.secrets.digest(f"{challenge_id}:{code}"),
            channel=channel.value,
            created_at=now,
            expires_at=expires_at,
            attempts=0,
        )
    )
    conn.execute(sa.update(invitation).where(invitation.c.id == row.id).values(codes_sent=invitation.c.codes_sent + 1))
    if row.codes_sent == 0:  # first opened: the officers' view of the invitation changes
        emit_cases_changed(conn, ctx, case.c.id == row.case_id)
    notification_id = enqueue(
        conn,
        force_id=row.force_id,
        case_id=row.case_id,
        purpose="code",
        channel=channel,
        recipient=contact,
        body=texts.code(code, ctx.settings.code_minutes),
        now=now,
        secrets=ctx.secrets,
    )
    audit.record(conn, None, "invitation.redeem", now=now, force_id=row.force_id, case_id=row.case_id, ip=request.ip)
    return (
        ChallengePublic(
            challenge_id=challenge_id, channel=channel, sent_to=mask_contact(channel, contact), expires_at=expires_at
        ),
        notification_id,
    )


def _code_used() -> Gone:
    return Gone("This code has already been used or replaced. Open your invitation link again.", code="code_used")


def _code_locked() -> Gone:
    return Gone("Too many wrong codes. Open your invitation link again to get a new code.", code="code_locked")


def _no_longer_usable(conn: Connection, challenge_id: uuid.UUID) -> Gone:
    """Why a challenge that was usable when read is not now (another request got there first)."""
    used_at = conn.execute(sa.select(challenge.c.used_at).where(challenge.c.id == challenge_id)).scalar_one()
    return _code_used() if used_at is not None else _code_locked()


def verify_code(conn: Connection, ctx: Context, request: RequestInfo, body: VictimVerify) -> TokenPublic:
    now = ctx.now()
    limits.check(conn, limits.VICTIM_VERIFY_PER_IP, request.ip, now=now)
    row = conn.execute(
        sa.select(
            challenge,
            invitation.c.victim_id,
            invitation.c.case_id,
            invitation.c.used_at.label("invitation_used_at"),
            force.c.code.label("force_code"),
            invitation.c.revoked_at.label("invitation_revoked_at"),
        )
        .join(invitation, invitation.c.id == challenge.c.invitation_id)
        .join(force, force.c.id == challenge.c.force_id)
        .where(challenge.c.id == body.challenge_id)
    ).one_or_none()
    if row is None:
        limits.record(conn, limits.VICTIM_VERIFY_PER_IP, request.ip, now=now)
        raise _WrongCode(
            "That sign-in attempt is not known. Open your invitation link again.", code="challenge_unknown"
        )
    if row.invitation_revoked_at is not None:
        raise Gone(_WITHDRAWN, code="invitation_revoked")
    if row.used_at is not None or row.invitation_used_at is not None:
        raise _code_used()
    if row.attempts >= ctx.settings.code_attempts:
        raise _code_locked()
    if row.expires_at <= now:
        raise Gone("This code has expired. Open your invitation link again to get a new code.", code="code_expired")
    # Lock the invitation before the challenge, in the order redeem takes them, so the two
    # never wait on each other.
    conn.execute(sa.select(invitation.c.id).where(invitation.c.id == row.invitation_id).with_for_update())
    # Take a try before checking the code, in one conditional UPDATE: however many guesses
    # arrive at once, no more than ``code_attempts`` of them are ever checked.
    attempts = conn.execute(
        sa.update(challenge)
        .where(
            challenge.c.id == row.id,
            challenge.c.used_at.is_(None),
            challenge.c.attempts < ctx.settings.code_attempts,
        )
        .values(attempts=challenge.c.attempts + 1)
        .returning(challenge.c.attempts)
    ).scalar_one_or_none()
    if attempts is None:
        raise _no_longer_usable(conn, row.id)
    expected = ctx.secrets.digest(f"{row.id}:{body.code}")
    if not hmac.compare_digest(expected, row.code_hash):
        limits.record(conn, limits.VICTIM_VERIFY_PER_IP, request.ip, now=now)
        audit.record(
            conn, None, "victim.code_failed", now=now, force_id=row.force_id, case_id=row.case_id, ip=request.ip
        )
        left = ctx.settings.code_attempts - attempts
        if left <= 0:
            raise _WrongCode(
                "That code is not right, and it has now been locked. "
                "Open your invitation link again to get a new code.",
                code="code_locked",
            )
        raise _WrongCode(
            f"That code is not right. You have {left} {'try' if left == 1 else 'tries'} left.", code="code_wrong"
        )
    # The locks above hold until commit; the conditions make "used once" plain to read.
    conn.execute(sa.update(challenge).where(challenge.c.id == row.id).values(used_at=now))
    used = conn.execute(
        sa.update(invitation)
        .where(invitation.c.id == row.invitation_id, invitation.c.used_at.is_(None), invitation.c.revoked_at.is_(None))
        .values(used_at=now)
        .returning(invitation.c.id)
    ).scalar_one_or_none()
    if used is None:  # used, or withdrawn while this code was being checked
        raise _code_used()
    emit_cases_changed(conn, ctx, case.c.id == row.case_id)  # officers see the victim signed in
    session = sessions.new_session(
        conn,
        ctx,
        kind="victim",
        force_id=row.force_id,
        officer_id=None,
        victim_id=row.victim_id,
        device_name=body.device_name,
        ip=request.ip,
        lifetime=timedelta(days=ctx.settings.victim_token_days),
    )
    audit.record(
        conn,
        Caller(
            kind="victim",
            id=row.victim_id,
            force_id=row.force_id,
            force_code="",
            name="",
            session_id=session.id,
            ip=request.ip,
        ),
        "victim.login",
        now=now,
        case_id=row.case_id,
        detail={"device": body.device_name},
    )
    return TokenPublic(
        token=session.token,
        expires_at=session.expires_at,
        role="victim",
        force_code=row.force_code,
        revoke_key=session.revoke_key,
    )
