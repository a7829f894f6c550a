"""A force's outbound webhook: its admin (or the IT team, by ``portal-server webhook``) sets the
address and gets the signing secret once; the secret is sealed at rest, since signing needs it."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import Role, WebhookCreate, WebhookCreatedPublic, WebhookPublic
from sync.server import audit
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import NotFound
from sync.server.models import force, webhook
from sync.server.services.authentication import authenticate, require_officer
from sync.server.webhook.outbox import seal_context
from sync.server.webhook.signature import new_secret

NO_WEBHOOK = "Your force has no webhook."


def _public(row: sa.Row) -> WebhookPublic:  # type: ignore[type-arg]
    return WebhookPublic(url=row.url, created_at=row.created_at, updated_at=row.updated_at)


def get(conn: Connection, ctx: Context, request: RequestInfo) -> WebhookPublic:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.ADMIN)
    row = conn.execute(sa.select(webhook).where(webhook.c.force_id == caller.force_id)).one_or_none()
    if row is None:
        raise NotFound(NO_WEBHOOK, code="no_webhook")
    return _public(row)


def put(conn: Connection, ctx: Context, request: RequestInfo, body: WebhookCreate) -> WebhookCreatedPublic:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.ADMIN)
    return store(conn, ctx, caller, caller.force_id, body)


def delete(conn: Connection, ctx: Context, request: RequestInfo) -> None:
    """Stops queueing events; those already queued wait, and go to the next webhook set."""
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.ADMIN)
    removed = conn.execute(sa.delete(webhook).where(webhook.c.force_id == caller.force_id)).rowcount
    if not removed:
        raise NotFound(NO_WEBHOOK, code="no_webhook")
    audit.record(conn, caller, "webhook.delete", now=ctx.now())


def store(
    conn: Connection, ctx: Context, caller: Caller | None, force_id: uuid.UUID, body: WebhookCreate
) -> WebhookCreatedPublic:
    """Sets (or replaces) the force's webhook; the answer holds the secret, shown this once."""
    # The force's row lock makes two first settings queue rather than clash on the unique force_id.
    conn.execute(sa.select(force.c.id).where(force.c.id == force_id).with_for_update()).one()
    secret = body.secret or new_secret()
    sealed = ctx.secrets.seal(secret, context=seal_context(force_id))
    now = ctx.now()
    existing = conn.execute(sa.select(webhook.c.created_at).where(webhook.c.force_id == force_id)).one_or_none()
    if existing is None:
        created_at = now
        conn.execute(
            sa.insert(webhook).values(
                id=uuid.uuid4(), force_id=force_id, url=body.url, secret_sealed=sealed, created_at=now, updated_at=now
            )
        )
    else:
        created_at = existing.created_at
        conn.execute(
            sa.update(webhook)
            .where(webhook.c.force_id == force_id)
            .values(url=body.url, secret_sealed=sealed, updated_at=now)
        )
    # The host only (a query string may hold a key of the receiver's), and never the secret.
    detail = {"host": urlsplit(body.url).hostname}
    audit.record(conn, caller, "webhook.set", now=now, force_id=force_id, detail=detail)
    return WebhookCreatedPublic(url=body.url, created_at=created_at, updated_at=now, secret=secret)
