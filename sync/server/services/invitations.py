"""Invitations: the link a victim signs in with. Made by the officer on the case (a new one
revokes the victim's older unused ones), revoked by that officer or a supervisor; a revoked
invitation, and any code already sent for it, no longer signs anyone in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import CaseStatus, ContactChannel, InvitationCreate, InviteDecision, Role
from sync.server import audit, security
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import BadRequest, Conflict, NotFound
from sync.server.models import challenge, force, invitation
from sync.server.notify import texts
from sync.server.notify.outbox import NewNotification, enqueue, enqueue_many
from sync.server.services.authentication import authenticate, require_officer
from sync.server.services.case_changes import emit_case_changed
from sync.server.services.visibility import CaseRow, load_visible


@dataclass(frozen=True)
class NewInvitation:
    id: uuid.UUID
    link: str  # never leaves the server but in the notification itself (and the demo's printout)
    notification_id: uuid.UUID
    channel: ContactChannel
    expires_at: datetime


def create_invitation(
    conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID, body: InvitationCreate
) -> NewInvitation:
    """Stores the invitation and its notification; the caller sends it once this commits."""
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.OFFICER, Role.SUPERVISOR)
    # The case's row lock makes invitations for one victim take turns: only the newest stays live.
    row = load_visible(conn, caller, case_id, lock=True)
    if row.status == CaseStatus.CLOSED:
        raise Conflict("This case is closed; reopen it before inviting the victim.", code="case_closed")
    if row.invite_decision == InviteDecision.NEVER:
        raise Conflict(
            "The force's rules say this victim is never to be invited. If that is wrong for this victim, "
            "override the decision with your reason first.",
            code="invite_decision_never",
        )
    return issue(conn, ctx, row, body.channel, actor=caller, created_by=f"officer:{caller.id}")


def issue(
    conn: Connection,
    ctx: Context,
    row: CaseRow,
    channel: ContactChannel | None,
    *,
    actor: Caller | None,
    created_by: str,
) -> NewInvitation:
    """Stores an invitation for the case's victim (by ``channel``, else their preferred one) and
    its notification, revoking their older unused ones; the caller has the case's row lock."""
    channel = channel or ContactChannel(row.victim_preferred_channel)
    contact = row.victim_phone if channel == ContactChannel.SMS else row.victim_email
    if not contact:
        raise BadRequest(
            f"The victim has no {'mobile number' if channel == ContactChannel.SMS else 'email address'} on record.",
            code="victim_contact_missing",
        )
    now = ctx.now()
    # One live invitation per victim: a new one revokes any the victim has not used.
    revoked_older = revoke_unused(conn, invitation.c.victim_id == row.victim_id, now=now)
    token = security.new_invitation_token()
    invitation_id = uuid.uuid4()
    expires_at = now + timedelta(days=ctx.settings.invitation_days)
    conn.execute(
        sa.insert(invitation).values(
            id=invitation_id,
            force_id=row.force_id,
            case_id=row.id,
            victim_id=row.victim_id,
            token_hash=ctx.secrets.digest(token),
            channel=channel.value,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )
    )
    force_name = conn.execute(sa.select(force.c.name).where(force.c.id == row.force_id)).scalar_one()
    url = f"{ctx.settings.public_url.rstrip('/')}/i/{token}"
    notification_id = enqueue(
        conn,
        force_id=row.force_id,
        case_id=row.id,
        purpose="invitation",
        channel=channel,
        recipient=contact,
        body=texts.invitation(force_name, url, ctx.settings.invitation_days),
        now=now,
        secrets=ctx.secrets,
    )
    emit_case_changed(conn, ctx, row)  # the officers' view shows the invitation's state
    audit.record(
        conn,
        actor,
        "invitation.create",
        now=now,
        case_id=row.id,
        force_id=row.force_id,
        detail={"channel": channel.value, "revoked_older": revoked_older},
    )
    return NewInvitation(invitation_id, url, notification_id, channel, expires_at)


@dataclass(frozen=True)
class FirstInvitation:
    """A victim just added, with nothing to revoke, to be invited by ``channel`` at ``contact``."""

    force_id: uuid.UUID
    case_id: uuid.UUID
    victim_id: uuid.UUID
    channel: ContactChannel
    contact: str


def issue_first(
    conn: Connection, ctx: Context, items: list[FirstInvitation], *, actor: Caller | None, created_by: str
) -> list[uuid.UUID]:
    """``issue`` for many victims added in this very transaction, in a few statements (a bulk
    import); the notifications' ids, to send after commit."""
    if not items:
        return []
    now = ctx.now()
    expires_at = now + timedelta(days=ctx.settings.invitation_days)
    wanted = {item.force_id for item in items}
    names: dict[uuid.UUID, str] = {
        row.id: row.name for row in conn.execute(sa.select(force.c.id, force.c.name).where(force.c.id.in_(wanted)))
    }
    rows, notes = [], []
    for item in items:
        token = security.new_invitation_token()
        rows.append(
            {
                "id": uuid.uuid4(), "force_id": item.force_id, "case_id": item.case_id, "victim_id": item.victim_id,
                "token_hash": ctx.secrets.digest(token), "channel": item.channel.value, "created_by": created_by,
                "created_at": now, "expires_at": expires_at,
            }
        )  # fmt: skip
        url = f"{ctx.settings.public_url.rstrip('/')}/i/{token}"
        body = texts.invitation(names[item.force_id], url, ctx.settings.invitation_days)
        notes.append(NewNotification(item.force_id, item.case_id, "invitation", item.channel, item.contact, body))
    conn.execute(sa.insert(invitation), rows)
    ids = enqueue_many(conn, notes, now=now, secrets=ctx.secrets)
    audit.record_many(
        conn,
        [
            (actor, "invitation.create", item.case_id, {"channel": item.channel.value, "revoked_older": 0})
            for item in items
        ]
        if actor is not None
        else [],
        now=now,
    )
    return ids


def revoke_unused(conn: Connection, *where: sa.ColumnElement[bool], now: datetime) -> int:
    """Revokes the matching invitations not yet used, and the codes already sent for them."""
    revoked = (
        conn.execute(
            sa.update(invitation)
            .where(*where, invitation.c.used_at.is_(None), invitation.c.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(invitation.c.id)
        )
        .scalars()
        .all()
    )
    if revoked:
        conn.execute(
            sa.update(challenge)
            .where(challenge.c.invitation_id.in_(revoked), challenge.c.used_at.is_(None))
            .values(used_at=now)
        )
    return len(revoked)


def revoke(conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID, invitation_id: uuid.UUID) -> None:
    """The officer on the case or a supervisor revokes an invitation; revoking it twice changes nothing."""
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.OFFICER, Role.SUPERVISOR)
    row = load_visible(conn, caller, case_id)
    found = conn.execute(
        sa.select(invitation.c.used_at, invitation.c.revoked_at).where(
            invitation.c.id == invitation_id, invitation.c.case_id == row.id
        )
    ).one_or_none()
    if found is None:
        raise NotFound("No invitation with that id on this case.", code="invitation_not_found")
    if found.used_at is not None:
        raise Conflict(
            "This invitation was already used to sign in. To end that sign-in, ask an admin to sign the victim out.",
            code="invitation_used",
        )
    now = ctx.now()
    if revoke_unused(conn, invitation.c.id == invitation_id, now=now):
        emit_case_changed(conn, ctx, row)
        audit.record(
            conn, caller, "invitation.revoke", now=now, case_id=row.id, detail={"invitation_id": str(invitation_id)}
        )
