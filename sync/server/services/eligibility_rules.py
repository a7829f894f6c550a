"""A force's eligibility rules, as versions: a change adds a version and never alters one, so
every decision stays traceable to the rules that made it (``services.invite_decisions``)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import EligibilityRules, EligibilityRulesPublic, EligibilityRulesVersionsPublic, Role
from sync.server import audit
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import NotFound
from sync.server.models import eligibility_rules, force
from sync.server.services.authentication import authenticate, require_officer

NO_RULES = "Your force has no eligibility rules yet: officers decide whom to invite."


def _public(row: Any) -> EligibilityRulesPublic:
    return EligibilityRulesPublic(
        version=row.version,
        rules=EligibilityRules.model_validate(row.rules),
        created_at=row.created_at,
        created_by=row.created_by,
    )


def current(conn: Connection, force_id: uuid.UUID) -> EligibilityRulesPublic | None:
    row = conn.execute(
        sa.select(eligibility_rules)
        .where(eligibility_rules.c.force_id == force_id)
        .order_by(eligibility_rules.c.version.desc())
        .limit(1)
    ).one_or_none()
    return _public(row) if row is not None else None


def get_current(conn: Connection, ctx: Context, request: RequestInfo) -> EligibilityRulesPublic:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.ADMIN, Role.SUPERVISOR)
    found = current(conn, caller.force_id)
    if found is None:
        raise NotFound(NO_RULES, code="no_rules")
    return found


def list_versions(conn: Connection, ctx: Context, request: RequestInfo) -> EligibilityRulesVersionsPublic:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.ADMIN, Role.SUPERVISOR)
    rows = conn.execute(
        sa.select(eligibility_rules)
        .where(eligibility_rules.c.force_id == caller.force_id)
        .order_by(eligibility_rules.c.version.desc())
    ).all()
    return EligibilityRulesVersionsPublic(data=[_public(row) for row in rows], count=len(rows))


def put(conn: Connection, ctx: Context, request: RequestInfo, body: EligibilityRules) -> EligibilityRulesPublic:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.ADMIN)
    stored, _ = store(conn, ctx, caller, caller.force_id, body, created_by=f"{caller.name} (admin)")
    return stored


def store(
    conn: Connection,
    ctx: Context,
    caller: Caller | None,
    force_id: uuid.UUID,
    body: EligibilityRules,
    *,
    created_by: str,
) -> tuple[EligibilityRulesPublic, bool]:
    """Adds a version unless these very rules are the current ones; (the current rules, whether added)."""
    # The force's row lock makes two changes at once take consecutive versions rather than clash.
    conn.execute(sa.select(force.c.id).where(force.c.id == force_id).with_for_update()).one()
    latest = current(conn, force_id)
    if latest is not None and latest.rules == body:
        return latest, False
    version = 1 if latest is None else latest.version + 1
    now = ctx.now()
    conn.execute(
        sa.insert(eligibility_rules).values(
            id=uuid.uuid4(),
            force_id=force_id,
            version=version,
            rules=body.model_dump(mode="json"),
            created_by=created_by,
            created_at=now,
        )
    )
    audit.record(conn, caller, "eligibility.update", now=now, force_id=force_id, detail={"version": version})
    return EligibilityRulesPublic(version=version, rules=body, created_at=now, created_by=created_by), True
