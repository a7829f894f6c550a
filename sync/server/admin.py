"""Operations for the people who run the server (the command line uses these)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import OfficerCreate, OfficerPublic, SupportServicesPublic
from sync.server import audit, security
from sync.server.context import Context
from sync.server.errors import Conflict, NotFound
from sync.server.models import force, integration_key
from sync.server.services import support
from sync.server.services.officers import insert_officer, officer_public
from sync.server.victims_code import DEFAULT_FORCE_SETTINGS


def create_force(conn: Connection, ctx: Context, code: str, name: str, settings: dict[str, Any] | None = None) -> str:
    """Adds a force and returns its first integration key (shown once, stored hashed)."""
    if conn.execute(sa.select(force.c.id).where(force.c.code == code)).first():
        raise Conflict(f"A force with code {code!r} already exists.", code="force_exists")
    force_id = uuid.uuid4()
    conn.execute(
        sa.insert(force).values(
            id=force_id,
            code=code,
            name=name,
            settings={**DEFAULT_FORCE_SETTINGS, **(settings or {})},
            last_seq=0,
            created_at=ctx.now(),
        )
    )
    audit.record(conn, None, "force.create", now=ctx.now(), force_id=force_id, detail={"code": code})
    return add_integration_key(conn, ctx, code, label="first key")


def force_id_for(conn: Connection, code: str) -> uuid.UUID:
    found = conn.execute(sa.select(force.c.id).where(force.c.code == code)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"No force with code {code!r}.")
    return found  # type: ignore[no-any-return]


def add_integration_key(conn: Connection, ctx: Context, code: str, *, label: str) -> str:
    force_id = force_id_for(conn, code)
    key = security.new_token(security.INTEGRATION_KEY_PREFIX)
    conn.execute(
        sa.insert(integration_key).values(
            id=uuid.uuid4(), force_id=force_id, key_hash=ctx.secrets.digest(key), label=label, created_at=ctx.now()
        )
    )
    audit.record(conn, None, "integration_key.create", now=ctx.now(), force_id=force_id, detail={"label": label})
    return key


def create_officer(conn: Connection, ctx: Context, code: str, body: OfficerCreate) -> OfficerPublic:
    force_id = force_id_for(conn, code)
    row = insert_officer(conn, ctx, force_id, body)
    audit.record(conn, None, "officer.create", now=ctx.now(), force_id=force_id, detail={"officer_id": str(row.id)})
    return officer_public(row)


def set_support_services(conn: Connection, ctx: Context, code: str, body: SupportServicesPublic) -> bool:
    """Stores the force's list of local support services; False when that very list was already there."""
    return support.store(conn, ctx, None, force_id_for(conn, code), body)


def new_password() -> str:
    return secrets.token_urlsafe(12)
