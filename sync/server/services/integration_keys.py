"""Integration keys: what a force's record system signs in with. Listed, revoked (refused at once
on every worker) and rotated by the force's admins or the command line; shown only when made."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from sync.protocol import IntegrationKeyCreatedPublic, IntegrationKeyPublic, Role
from sync.server import audit, security
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import Conflict, NotFound
from sync.server.models import integration_key
from sync.server.services import sessions
from sync.server.services.authentication import authenticate, require_officer


def _public(row: Row[Any]) -> IntegrationKeyPublic:
    return IntegrationKeyPublic(id=row.id, label=row.label, created_at=row.created_at, revoked_at=row.revoked_at)


def list_keys(conn: Connection, force_id: uuid.UUID) -> list[IntegrationKeyPublic]:
    rows = conn.execute(
        sa.select(integration_key)
        .where(integration_key.c.force_id == force_id)
        .order_by(integration_key.c.created_at, integration_key.c.id)
    )
    return [_public(row) for row in rows]


def add(
    conn: Connection, ctx: Context, actor: Caller | None, force_id: uuid.UUID, label: str
) -> IntegrationKeyCreatedPublic:
    key = security.new_token(security.INTEGRATION_KEY_PREFIX)
    key_id = uuid.uuid4()
    now = ctx.now()
    conn.execute(
        sa.insert(integration_key).values(
            id=key_id, force_id=force_id, key_hash=ctx.secrets.digest(key), label=label, created_at=now
        )
    )
    audit.record(
        conn,
        actor,
        "integration_key.create",
        now=now,
        force_id=force_id,
        detail={"key_id": str(key_id), "label": label},
    )
    return IntegrationKeyCreatedPublic(id=key_id, label=label, created_at=now, revoked_at=None, key=key)


def _load(conn: Connection, force_id: uuid.UUID, key_id: uuid.UUID) -> Row[Any]:
    row = conn.execute(
        sa.select(integration_key)
        .where(integration_key.c.id == key_id, integration_key.c.force_id == force_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound("No integration key with that id in your force.", code="key_not_found")
    return row


def revoke_key(
    conn: Connection, ctx: Context, actor: Caller | None, force_id: uuid.UUID, key_id: uuid.UUID
) -> IntegrationKeyPublic:
    """Refused from now on, on every worker. Revoking a revoked key changes nothing."""
    row = _load(conn, force_id, key_id)
    if row.revoked_at is None:
        conn.execute(sa.update(integration_key).where(integration_key.c.id == row.id).values(revoked_at=ctx.now()))
        sessions.revoke_cached(conn, ctx, row.key_hash)
        audit.record(
            conn, actor, "integration_key.revoke", now=ctx.now(), force_id=force_id, detail={"key_id": str(row.id)}
        )
    return _public(conn.execute(sa.select(integration_key).where(integration_key.c.id == row.id)).one())


def rotate_key(
    conn: Connection, ctx: Context, actor: Caller | None, force_id: uuid.UUID, key_id: uuid.UUID
) -> IntegrationKeyCreatedPublic:
    """A new key with the same label (shown once); the old one is revoked in the same transaction."""
    row = _load(conn, force_id, key_id)
    if row.revoked_at is not None:
        raise Conflict("This key is already revoked. Make a new key instead of rotating it.", code="key_revoked")
    revoke_key(conn, ctx, actor, force_id, key_id)
    return add(conn, ctx, actor, force_id, row.label)


# ---------------------------------------------------------------------------- the API's callers


def _admin(conn: Connection, ctx: Context, request: RequestInfo) -> Caller:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.ADMIN)
    return caller


def list_for_admin(conn: Connection, ctx: Context, request: RequestInfo) -> list[IntegrationKeyPublic]:
    return list_keys(conn, _admin(conn, ctx, request).force_id)


def revoke(conn: Connection, ctx: Context, request: RequestInfo, key_id: uuid.UUID) -> IntegrationKeyPublic:
    caller = _admin(conn, ctx, request)
    return revoke_key(conn, ctx, caller, caller.force_id, key_id)


def rotate(conn: Connection, ctx: Context, request: RequestInfo, key_id: uuid.UUID) -> IntegrationKeyCreatedPublic:
    caller = _admin(conn, ctx, request)
    return rotate_key(conn, ctx, caller, caller.force_id, key_id)
