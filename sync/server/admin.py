"""Operations for the people who run the server (the command line uses these)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import (
    EligibilityRules,
    EligibilityRulesPublic,
    IntegrationKeyCreatedPublic,
    IntegrationKeyPublic,
    OfficerCreate,
    OfficerCreatedPublic,
    OfficerPublic,
    SetupCodePublic,
    SignOutPublic,
    SupportServicesPublic,
    WebhookCreate,
    WebhookCreatedPublic,
)
from sync.server import audit
from sync.server.context import Context
from sync.server.errors import Conflict, NotFound
from sync.server.models import force
from sync.server.services import accounts, devices, eligibility_rules, integration_keys, officers, support, webhooks
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
    return integration_keys.add(conn, ctx, None, force_id_for(conn, code), label).key


def list_integration_keys(conn: Connection, code: str) -> list[IntegrationKeyPublic]:
    return integration_keys.list_keys(conn, force_id_for(conn, code))


def revoke_integration_key(conn: Connection, ctx: Context, code: str, key_id: uuid.UUID) -> IntegrationKeyPublic:
    return integration_keys.revoke_key(conn, ctx, None, force_id_for(conn, code), key_id)


def rotate_integration_key(conn: Connection, ctx: Context, code: str, key_id: uuid.UUID) -> IntegrationKeyCreatedPublic:
    return integration_keys.rotate_key(conn, ctx, None, force_id_for(conn, code), key_id)


def create_officer(conn: Connection, ctx: Context, code: str, body: OfficerCreate) -> OfficerCreatedPublic:
    """Any role: whoever runs the command line is the force's first admin or stands in for one."""
    return officers.create_account(conn, ctx, None, force_id_for(conn, code), body)


def set_officer_active(conn: Connection, ctx: Context, code: str, username: str, *, active: bool) -> OfficerPublic:
    force_id = force_id_for(conn, code)
    return accounts.set_active(
        conn, ctx, None, force_id, accounts.officer_id_for(conn, force_id, username), active=active
    )


def sign_out_victim(conn: Connection, ctx: Context, code: str, victim_id: uuid.UUID) -> SignOutPublic:
    return devices.sign_out_everywhere(conn, ctx, None, force_id_for(conn, code), victim_id)


def reset_password(conn: Connection, ctx: Context, code: str, username: str) -> SetupCodePublic:
    force_id = force_id_for(conn, code)
    return accounts.reset_password(conn, ctx, None, force_id, accounts.officer_id_for(conn, force_id, username))


def set_support_services(conn: Connection, ctx: Context, code: str, body: SupportServicesPublic) -> bool:
    """Stores the force's list of local support services; False when that very list was already there."""
    return support.store(conn, ctx, None, force_id_for(conn, code), body)


def set_eligibility_rules(
    conn: Connection, ctx: Context, code: str, rules: EligibilityRules
) -> tuple[EligibilityRulesPublic, bool]:
    """Adds a version of the force's rules; False when these very rules are already in force."""
    return eligibility_rules.store(conn, ctx, None, force_id_for(conn, code), rules, created_by="command line")


def set_webhook(conn: Connection, ctx: Context, code: str, body: WebhookCreate) -> WebhookCreatedPublic:
    return webhooks.store(conn, ctx, None, force_id_for(conn, code), body)
