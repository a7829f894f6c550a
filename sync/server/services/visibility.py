"""Which cases a caller may see (victims their own, officers their caseload, supervisors the
force; nothing outside the force, ever), and the query that loads a case with its people."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from sync.protocol import Role
from sync.server.context import Caller
from sync.server.errors import CASE_NOT_FOUND, NotFound
from sync.server.models import case, officer, victim

CaseRow = Row[Any]


case_query = sa.select(
    case,
    officer.c.name.label("officer_name"),
    officer.c.collar_number.label("officer_collar_number"),
    officer.c.phone.label("officer_phone"),
    officer.c.email.label("officer_email"),
    officer.c.reply_within_hours.label("officer_reply_within_hours"),
    officer.c.away_message.label("officer_away_message"),
    officer.c.back_on.label("officer_back_on"),
    victim.c.name.label("victim_name"),
    victim.c.phone.label("victim_phone"),
    victim.c.email.label("victim_email"),
    victim.c.preferred_channel.label("victim_preferred_channel"),
    victim.c.safe_contact_notes.label("victim_safe_contact_notes"),
    victim.c.enhanced_rights.label("victim_enhanced_rights"),
    victim.c.contact_channels.label("victim_contact_channels"),
    victim.c.contact_times.label("victim_contact_times"),
    victim.c.safe_to_leave_voicemail.label("victim_safe_to_leave_voicemail"),
    victim.c.news_alerts.label("victim_news_alerts"),
    victim.c.date_of_birth.label("victim_date_of_birth"),
    victim.c.age.label("victim_age"),
    victim.c.portal_consent.label("victim_portal_consent"),
).select_from(case.join(officer, officer.c.id == case.c.officer_id).join(victim, victim.c.id == case.c.victim_id))


def visible_to(caller: Caller) -> sa.ColumnElement[bool]:
    """The cases ``caller`` may see: nothing outside their force, ever."""
    in_force = case.c.force_id == caller.force_id
    if caller.kind == "victim":
        return sa.and_(in_force, case.c.victim_id == caller.id)
    if caller.kind == "officer" and caller.role == Role.SUPERVISOR:
        return in_force
    if caller.kind == "officer" and caller.role == Role.OFFICER:
        return sa.and_(in_force, case.c.officer_id == caller.id)
    return sa.false()


def may_see(caller: Caller, row: CaseRow) -> bool:
    """``visible_to`` for a case already loaded: the two must always agree."""
    if row.force_id != caller.force_id:
        return False
    if caller.kind == "victim":
        return bool(row.victim_id == caller.id)
    if caller.kind == "officer" and caller.role == Role.SUPERVISOR:
        return True
    if caller.kind == "officer" and caller.role == Role.OFFICER:
        return bool(row.officer_id == caller.id)
    return False


def load_visible(conn: Connection, caller: Caller, case_id: uuid.UUID, *, lock: bool = False) -> CaseRow:
    query = case_query.where(case.c.id == case_id, visible_to(caller))
    row = conn.execute(query.with_for_update(of=case) if lock else query).one_or_none()
    if row is None:
        raise NotFound(CASE_NOT_FOUND)
    return row
