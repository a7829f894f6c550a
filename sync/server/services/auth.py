"""Who is calling: bearer tokens, officer sign-in (password and TOTP), victim sign-in
(invitation, then a one-time code to the contact on record), and sign-out."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pyotp
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from sync.protocol import (
    ChallengePublic,
    ContactChannel,
    InvitationRedeem,
    OfficerLogin,
    Role,
    TokenPublic,
    TotpEnrol,
    TotpEnrolmentPublic,
    VictimVerify,
)
from sync.server import audit, limits, security
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import ApiError, Conflict, Forbidden, Gone, Unauthorized
from sync.server.models import challenge, device_session, force, integration_key, invitation, officer, victim
from sync.server.notify import texts
from sync.server.notify.outbox import enqueue
from sync.server.services import sessions
from sync.server.victims_code import force_settings

_session_lookup = (
    sa.select(
        device_session.c.id,
        device_session.c.kind,
        device_session.c.force_id,
        device_session.c.officer_id,
        device_session.c.victim_id,
        device_session.c.expires_at,
        device_session.c.revoked_at,
        device_session.c.created_at,
        device_session.c.last_used_at,
        force.c.code.label("force_code"),
        force.c.settings.label("force_settings"),
        officer.c.role,
        officer.c.active,
        officer.c.totp_enabled,
        officer.c.name.label("officer_name"),
        victim.c.name.label("victim_name"),
    )
    .join(force, force.c.id == device_session.c.force_id)
    .outerjoin(officer, officer.c.id == device_session.c.officer_id)
    .outerjoin(victim, victim.c.id == device_session.c.victim_id)
    .where(device_session.c.token_hash == sa.bindparam("token_hash"))
)


def authenticate(conn: Connection, ctx: Context, request: RequestInfo, *, enrolling: bool = False) -> Caller:
    """The caller behind the request's token. An officer with no authenticator yet is refused
    unless ``enrolling`` (setting one up, their own details, signing out)."""
    caller = request.caller or _checked(conn, ctx, request)
    if caller.needs_authenticator and not enrolling:
        raise Forbidden(
            "Set up an authenticator app for your account first. Until then you can only set it up, "
            "see your own details and sign out.",
            code="authenticator_required",
        )
    return caller


def _checked(conn: Connection, ctx: Context, request: RequestInfo) -> Caller:
    token = request.token
    if not token:
        raise Unauthorized("Sign in first.")
    digest = ctx.secrets.digest(token)
    caller, expires_at = _lookup(conn, ctx, token, digest)
    ctx.callers.put(digest, replace(caller, ip=None), expires_at=expires_at)
    return replace(caller, ip=request.ip)


def _lookup(conn: Connection, ctx: Context, token: str, digest: str) -> tuple[Caller, datetime | None]:
    """The caller this token stands for, and the time after which no worker may trust that answer
    without asking again (the token's expiry, or the end of its idle allowance)."""
    if token.startswith(security.INTEGRATION_KEY_PREFIX):
        return _integration_caller(conn, digest), None
    now = ctx.now()
    row = conn.execute(_session_lookup, {"token_hash": digest}).one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized()
    if row.kind == "officer" and not row.active:
        raise Unauthorized()
    idle = sessions.idle_limit(ctx, row.kind)
    if (row.last_used_at or row.created_at) + idle <= now:
        raise Unauthorized(
            "You were signed out because this device was not used for a while. Sign in again.", code="session_idle"
        )
    last_used_at = sessions.note_use(conn, row.id, row.last_used_at or row.created_at, now=now)
    trusted_until = min(row.expires_at, last_used_at + idle)
    if row.kind == "officer":
        return Caller(
            kind="officer",
            id=row.officer_id,
            force_id=row.force_id,
            force_code=row.force_code,
            name=row.officer_name,
            role=Role(row.role),
            session_id=row.id,
            force_settings=force_settings(row.force_settings),
            needs_authenticator=not row.totp_enabled,
        ), trusted_until
    return Caller(
        kind="victim",
        id=row.victim_id,
        force_id=row.force_id,
        force_code=row.force_code,
        name=row.victim_name,
        session_id=row.id,
        force_settings=force_settings(row.force_settings),
    ), trusted_until


def _integration_caller(conn: Connection, digest: str) -> Caller:
    row = conn.execute(
        sa.select(
            integration_key.c.id,
            integration_key.c.force_id,
            integration_key.c.revoked_at,
            force.c.code,
            force.c.settings,
        )
        .join(force, force.c.id == integration_key.c.force_id)
        .where(integration_key.c.key_hash == digest)
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        raise Unauthorized()
    return Caller(
        kind="integration",
        id=row.id,
        force_id=row.force_id,
        force_code=row.code,
        name="Record system",
        force_settings=force_settings(row.settings),
    )


def require_officer(caller: Caller, *roles: Role) -> None:
    if caller.kind != "officer" or (roles and caller.role not in roles):
        raise Forbidden("Your account cannot do this.")


def _new_session(
    conn: Connection,
    ctx: Context,
    *,
    kind: str,
    force_id: uuid.UUID,
    officer_id: uuid.UUID | None,
    victim_id: uuid.UUID | None,
    device_name: str,
    ip: str | None,
    lifetime: timedelta,
) -> tuple[uuid.UUID, str, datetime]:
    token = security.new_token(security.OFFICER_TOKEN_PREFIX if kind == "officer" else security.VICTIM_TOKEN_PREFIX)
    session_id = uuid.uuid4()
    expires_at = ctx.now() + lifetime
    conn.execute(
        sa.insert(device_session).values(
            id=session_id,
            force_id=force_id,
            token_hash=ctx.secrets.digest(token),
            kind=kind,
            officer_id=officer_id,
            victim_id=victim_id,
            device_name=device_name,
            ip=ip,
            created_at=ctx.now(),
            expires_at=expires_at,
        )
    )
    return session_id, token, expires_at


class _Refused(Unauthorized):
    keep_changes = True


def _take_totp_step(conn: Connection, ctx: Context, row: Row[Any], code: str, *, now: datetime) -> bool:
    """Checks a code from the officer's authenticator in use and, if right, spends its time step
    (a code is taken once: a replay is refused)."""
    secret = ctx.secrets.unseal(row.totp_secret, context=f"totp:{row.id}")
    step = security.totp_step(secret, code, now=now, after_step=row.totp_last_step)
    if step is None:
        return False
    conn.execute(sa.update(officer).where(officer.c.id == row.id).values(totp_last_step=step))
    return True


def officer_login(conn: Connection, ctx: Context, request: RequestInfo, body: OfficerLogin) -> TokenPublic:
    now = ctx.now()
    account_key = f"{body.force_code}/{body.username}"
    limits.check(conn, limits.OFFICER_LOGIN_PER_IP, request.ip, now=now)
    limits.check(conn, limits.OFFICER_LOGIN_PER_ACCOUNT, account_key, now=now)
    row = conn.execute(
        sa.select(officer, force.c.code.label("force_code"), force.c.settings.label("force_settings"))
        .join(force, force.c.id == officer.c.force_id)
        .where(force.c.code == body.force_code, officer.c.username == body.username)
        # Locked, so a reset, password change or deactivation committing meanwhile cannot miss
        # the session this sign-in is about to make: one of the two waits for the other.
        .with_for_update(of=officer)
    ).one_or_none()

    def refuse(message: str, code: str) -> _Refused:
        limits.record(conn, limits.OFFICER_LOGIN_PER_IP, request.ip, now=now)
        limits.record(conn, limits.OFFICER_LOGIN_PER_ACCOUNT, account_key, now=now)
        audit.record(
            conn,
            None,
            "officer.login_failed",
            now=now,
            force_id=row.force_id if row else None,
            ip=request.ip,
            detail={"reason": code},
        )
        return _Refused(message, code=code)

    password_ok = ctx.passwords.verify(row.password_hash if row else None, body.password)
    if row is None or not password_ok or not row.active:
        raise refuse("The force, username or password is not right.", "bad_credentials")
    if row.totp_enabled:
        if body.totp_code is None:
            raise refuse("Enter the 6-digit code from your authenticator app.", "totp_required")
        if not _take_totp_step(conn, ctx, row, body.totp_code, now=now):
            raise refuse("The authenticator code is not right, or was already used.", "bad_totp")

    session_id, token, expires_at = _new_session(
        conn,
        ctx,
        kind="officer",
        force_id=row.force_id,
        officer_id=row.id,
        victim_id=None,
        device_name=body.device_name,
        ip=request.ip,
        lifetime=timedelta(hours=ctx.settings.officer_token_hours),
    )
    caller = Caller(
        kind="officer",
        id=row.id,
        force_id=row.force_id,
        force_code=row.force_code,
        name=row.name,
        role=Role(row.role),
        session_id=session_id,
        ip=request.ip,
    )
    audit.record(conn, caller, "officer.login", now=now, detail={"device": body.device_name})
    return TokenPublic(token=token, expires_at=expires_at, role=row.role, force_code=row.force_code)


class _EnrolRefused(Forbidden):
    keep_changes = True


def totp_enrol(conn: Connection, ctx: Context, request: RequestInfo, body: TotpEnrol) -> TotpEnrolmentPublic:
    """Start setting up an authenticator. A session alone is not enough: the password again, and
    to replace an authenticator, a code from it. The one in use stays valid until the new is
    confirmed. Wrong answers count against the officer's sign-in limits."""
    caller = authenticate(conn, ctx, request, enrolling=True)
    require_officer(caller)
    now = ctx.now()
    row = conn.execute(sa.select(officer).where(officer.c.id == caller.id)).one()
    account_key = f"{caller.force_code}/{row.username}"
    limits.check(conn, limits.OFFICER_LOGIN_PER_IP, request.ip, now=now)
    limits.check(conn, limits.OFFICER_LOGIN_PER_ACCOUNT, account_key, now=now)

    def refuse(message: str, code: str) -> _EnrolRefused:
        limits.record(conn, limits.OFFICER_LOGIN_PER_IP, request.ip, now=now)
        limits.record(conn, limits.OFFICER_LOGIN_PER_ACCOUNT, account_key, now=now)
        audit.record(conn, caller, "officer.totp_enrol_refused", now=now, detail={"reason": code})
        return _EnrolRefused(message, code=code)

    if not ctx.passwords.verify(row.password_hash, body.password):
        raise refuse("The password is not right.", "bad_password")
    if row.totp_enabled:
        if body.totp_code is None:
            raise refuse("To replace your authenticator, enter a code from the one you use now.", "totp_required")
        if not _take_totp_step(conn, ctx, row, body.totp_code, now=now):
            raise refuse("The authenticator code is not right, or was already used.", "bad_totp")
    secret = security.new_totp_secret()
    conn.execute(
        sa.update(officer)
        .where(officer.c.id == caller.id)
        .values(totp_pending_secret=ctx.secrets.seal(secret, context=f"totp:{caller.id}"))
    )
    audit.record(conn, caller, "officer.totp_enrol", now=now, detail={"replacing": row.totp_enabled})
    uri = pyotp.TOTP(secret).provisioning_uri(name=f"{row.username}@{caller.force_code}", issuer_name="Victim's Portal")
    return TotpEnrolmentPublic(secret=secret, provisioning_uri=uri)


def totp_confirm(conn: Connection, ctx: Context, request: RequestInfo, code: str) -> None:
    """A code from the authenticator being set up makes it the one in use (replacing any other)."""
    caller = authenticate(conn, ctx, request, enrolling=True)
    require_officer(caller)
    row = conn.execute(sa.select(officer).where(officer.c.id == caller.id).with_for_update()).one()
    if row.totp_pending_secret is None:
        raise Conflict("Start setting up an authenticator first.", code="totp_not_started")
    secret = ctx.secrets.unseal(row.totp_pending_secret, context=f"totp:{caller.id}")
    step = security.totp_step(secret, code, now=ctx.now(), after_step=None)
    if step is None:
        raise ApiError("That code is not right. Check your device's clock and try again.", code="bad_totp")
    conn.execute(
        sa.update(officer)
        .where(officer.c.id == caller.id)
        .values(totp_secret=row.totp_pending_secret, totp_pending_secret=None, totp_enabled=True, totp_last_step=step)
    )
    ended = 0
    if row.totp_enabled:
        # Replaced, perhaps because a phone or laptop was taken: the officer's other devices
        # sign in again, with the new authenticator.
        ended = sessions.end_sessions(
            conn, ctx, device_session.c.officer_id == caller.id, device_session.c.id != caller.session_id
        )
    audit.record(
        conn,
        caller,
        "officer.totp_replaced" if row.totp_enabled else "officer.totp_enabled",
        now=ctx.now(),
        detail={"sessions_ended": ended} if row.totp_enabled else None,
    )
    if request.token:
        # Every worker forgets what it knew of this session, so it may now read cases.
        sessions.revoke_cached(conn, ctx, ctx.secrets.digest(request.token))


def logout(conn: Connection, ctx: Context, request: RequestInfo) -> None:
    caller = authenticate(conn, ctx, request, enrolling=True)
    if caller.session_id is None:
        raise Forbidden("An integration key cannot sign out; ask an admin to revoke it.")
    sessions.end_sessions(conn, ctx, device_session.c.id == caller.session_id)
    audit.record(conn, caller, f"{caller.kind}.logout", now=ctx.now())


# ---------------------------------------------------------------------------- victims


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
    session_id, token, expires_at = _new_session(
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
            session_id=session_id,
            ip=request.ip,
        ),
        "victim.login",
        now=now,
        case_id=row.case_id,
        detail={"device": body.device_name},
    )
    return TokenPublic(token=token, expires_at=expires_at, role="victim", force_code=row.force_code)
