"""A force's own list of local support services, which the app shows instead of its bundled one."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import Role, SupportServicesPublic
from sync.server import audit
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import Conflict, Forbidden, NotFound
from sync.server.models import force, support_services
from sync.server.services.authentication import authenticate, require_officer


def get(conn: Connection, ctx: Context, request: RequestInfo) -> SupportServicesPublic:
    caller = authenticate(conn, ctx, request)
    if caller.kind == "integration":
        raise Forbidden("The record system's key cannot read this.")
    row = conn.execute(
        sa.select(support_services.c.version, support_services.c.services).where(
            support_services.c.force_id == caller.force_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound("Your force has no local list of support services: use the national one.", code="no_local_list")
    return SupportServicesPublic.model_validate({"version": row.version, "services": row.services})


def put(conn: Connection, ctx: Context, request: RequestInfo, body: SupportServicesPublic) -> SupportServicesPublic:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.ADMIN)
    store(conn, ctx, caller, caller.force_id, body)
    return body


def store(
    conn: Connection, ctx: Context, caller: Caller | None, force_id: uuid.UUID, body: SupportServicesPublic
) -> bool:
    """Replaces the force's list with a newer one; False when this very list was already stored.
    A different list must carry a later version, or apps that have the old one would keep it."""
    # The force's row lock makes two first uploads queue rather than clash on the unique force_id.
    conn.execute(sa.select(force.c.id).where(force.c.id == force_id).with_for_update()).one()
    stored = conn.execute(sa.select(support_services).where(support_services.c.force_id == force_id)).one_or_none()
    services = [service.model_dump(mode="json") for service in body.services]
    now = ctx.now()
    if stored is None:
        conn.execute(
            sa.insert(support_services).values(
                id=uuid.uuid4(), force_id=force_id, version=body.version, services=services, updated_at=now
            )
        )
    elif body.version == stored.version and services == stored.services:
        return False
    elif body.version <= stored.version:
        raise Conflict(
            "Your force already has a list with this version or a later one. "
            "Give the new list a later version (the date you reviewed it).",
            code="version_not_newer",
        )
    else:
        conn.execute(
            sa.update(support_services)
            .where(support_services.c.id == stored.id)
            .values(version=body.version, services=services, updated_at=now)
        )
    audit.record(
        conn,
        caller,
        "support_services.update",
        now=now,
        force_id=force_id,
        detail={"version": body.version, "count": len(services)},
    )
    return True
