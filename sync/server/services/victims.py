"""A victim's own settings: how and when the officer may contact them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from sync.protocol import ContactMethod, ContactPreferences
from sync.server import audit
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import BadRequest, Forbidden
from sync.server.models import case, victim
from sync.server.services.authentication import authenticate
from sync.server.services.case_changes import emit_cases_changed
from sync.server.services.rendering import contact_preferences


def _victim(conn: Connection, ctx: Context, request: RequestInfo, *, lock: bool = False) -> tuple[Caller, Row[Any]]:
    caller = authenticate(conn, ctx, request)
    if caller.kind != "victim":
        raise Forbidden("Only the victim can see or change their contact preferences.")
    query = sa.select(victim).where(victim.c.id == caller.id, victim.c.force_id == caller.force_id)
    return caller, conn.execute(query.with_for_update() if lock else query).one()


def _preferences(row: Row[Any]) -> ContactPreferences:
    return contact_preferences(
        row.contact_channels,
        row.contact_times,
        row.safe_to_leave_voicemail,
        row.news_alerts,
        preferred_channel=row.preferred_channel,
    )


def get_contact_preferences(conn: Connection, ctx: Context, request: RequestInfo) -> ContactPreferences:
    _, row = _victim(conn, ctx, request)
    return _preferences(row)


def set_contact_preferences(
    conn: Connection, ctx: Context, request: RequestInfo, body: ContactPreferences
) -> ContactPreferences:
    """Stores the victim's choice, and tells the officers on each of their cases that it changed."""
    caller, row = _victim(conn, ctx, request, lock=True)
    chosen = set(body.contact_channels)
    if chosen & {ContactMethod.SMS, ContactMethod.PHONE_CALL} and not row.phone:
        raise BadRequest(
            "The police have no phone number for you, so they cannot text or call you. "
            "Choose email, or ask your officer to add your number.",
            code="contact_missing",
        )
    if ContactMethod.EMAIL in chosen and not row.email:
        raise BadRequest(
            "The police have no email address for you. Choose another way, or ask your officer to add it.",
            code="contact_missing",
        )
    if body == _preferences(row):
        return body
    conn.execute(
        sa.update(victim)
        .where(victim.c.id == row.id)
        .values(
            contact_channels=[channel.value for channel in body.contact_channels],
            contact_times=body.contact_times,
            safe_to_leave_voicemail=body.safe_to_leave_voicemail,
            news_alerts=body.news_alerts,
        )
    )
    emit_cases_changed(conn, ctx, case.c.victim_id == row.id, case.c.force_id == caller.force_id)
    audit.record(
        conn,
        caller,
        "victim.contact_preferences",
        now=ctx.now(),
        detail={"channels": [channel.value for channel in body.contact_channels]},
    )
    return body
