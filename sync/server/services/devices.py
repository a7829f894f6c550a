"""The devices a person is signed in on (their sessions): listing their own, signing this one or
another out, and an admin signing a victim out everywhere (a lost or taken phone). Audited, and
ended on every worker at once."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import DevicePublic, DevicesPublic, Role, SessionRevoke, SignOutPublic
from sync.server import audit
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import Forbidden, NotFound
from sync.server.models import device_session, invitation, victim
from sync.server.services import invitations, sessions
from sync.server.services.authentication import authenticate, require_officer


def _person(conn: Connection, ctx: Context, request: RequestInfo) -> Caller:
    caller = authenticate(conn, ctx, request)
    if caller.session_id is None:
        raise Forbidden("An integration key has no devices.")
    return caller


def _mine(caller: Caller) -> tuple[sa.ColumnElement[bool], ...]:
    owner = device_session.c.officer_id if caller.kind == "officer" else device_session.c.victim_id
    return (owner == caller.id, device_session.c.force_id == caller.force_id, device_session.c.kind == caller.kind)


def list_devices(conn: Connection, ctx: Context, request: RequestInfo) -> DevicesPublic:
    caller = _person(conn, ctx, request)
    now = ctx.now()
    rows = conn.execute(
        sa.select(device_session)
        .where(*_mine(caller), device_session.c.revoked_at.is_(None), device_session.c.expires_at > now)
        .order_by(device_session.c.created_at, device_session.c.id)
    ).all()
    idle = sessions.idle_limit(ctx, caller.kind)
    data = [
        DevicePublic(
            id=row.id,
            device_name=row.device_name,
            created_at=row.created_at,
            last_used_at=row.last_used_at or row.created_at,
            expires_at=row.expires_at,
            current=row.id == caller.session_id,
        )
        for row in rows
        if (row.last_used_at or row.created_at) + idle > now
    ]
    return DevicesPublic(data=data, count=len(data))


def sign_out_device(conn: Connection, ctx: Context, request: RequestInfo, device_id: uuid.UUID) -> None:
    caller = _person(conn, ctx, request)
    if not sessions.end_sessions(conn, ctx, *_mine(caller), device_session.c.id == device_id):
        raise NotFound("No signed-in device of yours has that id.", code="device_not_found")
    audit.record(conn, caller, f"{caller.kind}.device_sign_out", now=ctx.now(), detail={"session_id": str(device_id)})


def sign_out_everywhere(
    conn: Connection, ctx: Context, actor: Caller | None, force_id: uuid.UUID, victim_id: uuid.UUID
) -> SignOutPublic:
    """Ends every session of a victim in this force (their phone was lost or taken)."""
    known = conn.execute(sa.select(victim.c.id).where(victim.c.id == victim_id, victim.c.force_id == force_id)).first()
    if known is None:
        raise NotFound("No victim with that id in your force.", code="victim_not_found")
    ended = sessions.end_sessions(
        conn, ctx, device_session.c.victim_id == victim_id, device_session.c.force_id == force_id
    )
    # Whoever holds the phone must not sign in again either: links and codes not yet used end too.
    withdrawn = invitations.revoke_unused(
        conn, invitation.c.victim_id == victim_id, invitation.c.force_id == force_id, now=ctx.now()
    )
    audit.record(
        conn,
        actor,
        "victim.sign_out_everywhere",
        now=ctx.now(),
        force_id=force_id,
        detail={"victim_id": str(victim_id), "sessions_ended": ended, "invitations_withdrawn": withdrawn},
    )
    return SignOutPublic(signed_out=ended)


def sign_out_victim(conn: Connection, ctx: Context, request: RequestInfo, victim_id: uuid.UUID) -> SignOutPublic:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.ADMIN)
    return sign_out_everywhere(conn, ctx, caller, caller.force_id, victim_id)


def logout(conn: Connection, ctx: Context, request: RequestInfo) -> None:
    caller = authenticate(conn, ctx, request, enrolling=True)
    if caller.session_id is None:
        raise Forbidden("An integration key cannot sign out; ask an admin to revoke it.")
    sessions.end_sessions(conn, ctx, device_session.c.id == caller.session_id)
    audit.record(conn, caller, f"{caller.kind}.logout", now=ctx.now())


def revoke(conn: Connection, ctx: Context, request: RequestInfo, body: SessionRevoke) -> None:
    """Ends the one session this revoke key belongs to. Needs no sign-in: the key is the proof, and
    it can do nothing else. The answer is the same whether or not the key was known."""
    found = conn.execute(
        sa.select(device_session.c.id, device_session.c.force_id, device_session.c.kind).where(
            device_session.c.revoke_hash == ctx.secrets.digest(body.revoke_key)
        )
    ).one_or_none()
    if found is None:
        return
    ended = sessions.end_sessions(conn, ctx, device_session.c.id == found.id)
    if ended:
        audit.record(
            conn,
            None,
            f"{found.kind}.revoked_by_key",
            now=ctx.now(),
            force_id=found.force_id,
            ip=request.ip,
            detail={"session_id": str(found.id)},
        )
