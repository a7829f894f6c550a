"""A case as a caller is shown it (``CasePublic``): its officer, due date, open update requests
and outcome for everyone; the victim's details, whether they use the portal, and the
notifications sent, for officers only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import (
    CasePublic,
    CaseStatus,
    ClosedOutcome,
    ContactChannel,
    ContactMethod,
    ContactPreferences,
    InviteDecision,
    InviteDecisionPublic,
    OfficerContact,
    UpdateRequestPublic,
    VictimAccessPublic,
    VictimPublic,
)
from sync.server import wording
from sync.server.context import Caller
from sync.server.models import notification, update_request
from sync.server.notify.outbox import public as notification_public
from sync.server.services.update_requests import update_request_public
from sync.server.services.victim_access import victim_access
from sync.server.services.visibility import CaseRow
from sync.server.victims_code import next_update_due, right_to_review_until


def render(conn: Connection, caller: Caller, rows: Sequence[CaseRow], *, now: datetime) -> list[CasePublic]:
    if not rows:
        return []
    ids = [row.id for row in rows]
    open_requests: dict[uuid.UUID, list[UpdateRequestPublic]] = {case_id: [] for case_id in ids}
    for request_row in conn.execute(
        sa.select(update_request)
        .where(update_request.c.case_id.in_(ids), update_request.c.answered_at.is_(None))
        .order_by(update_request.c.seq)
    ):
        open_requests[request_row.case_id].append(update_request_public(request_row))
    sent: dict[uuid.UUID, list[Any]] = {case_id: [] for case_id in ids}
    if caller.kind == "officer":
        for note in conn.execute(
            sa.select(notification)
            .where(notification.c.case_id.in_(ids))
            .order_by(notification.c.created_at.desc())
            .limit(20 * len(ids))
        ):
            sent[note.case_id].append(notification_public(note))
    access = victim_access(conn, [row.victim_id for row in rows], now) if caller.kind == "officer" else {}
    return [_case_public(row, caller, open_requests[row.id], sent[row.id], access.get(row.victim_id)) for row in rows]


def _case_public(
    row: CaseRow,
    caller: Caller,
    open_requests: list[UpdateRequestPublic],
    notifications: list[Any],
    access: VictimAccessPublic | None,
) -> CasePublic:
    for_officer = caller.kind == "officer"
    return CasePublic(
        id=row.id,
        crime_reference=row.crime_reference,
        crime_type=row.crime_type,
        status=CaseStatus(row.status),
        summary=row.summary,
        reported_on=row.reported_on,
        closed_outcome=ClosedOutcome(row.closed_outcome) if row.closed_outcome else None,
        officer=officer_contact(row),
        next_update_due=next_update_due(
            closed=row.status == CaseStatus.CLOSED,
            reported_on=row.reported_on,
            enhanced=row.victim_enhanced_rights,
            officer_updates=row.officer_updates,
            last_officer_update_at=row.last_officer_update_at,
            open_request_dues=[r.due_at for r in open_requests],
            settings=caller.force_settings,
        ),
        open_update_requests=open_requests,
        victim_read_seq=row.victim_read_seq,
        officer_read_seq=row.officer_read_seq,
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        right_to_review_until=right_to_review_until(
            ClosedOutcome(row.closed_outcome) if row.closed_outcome else None, row.closed_at
        )
        if row.status == CaseStatus.CLOSED
        else None,
        victim=VictimPublic(
            id=row.victim_id,
            name=row.victim_name,
            phone=row.victim_phone,
            email=row.victim_email,
            preferred_channel=ContactChannel(row.victim_preferred_channel),
            safe_contact_notes=row.victim_safe_contact_notes,
            enhanced_rights=row.victim_enhanced_rights,
            contact_preferences=contact_preferences(
                row.victim_contact_channels,
                row.victim_contact_times,
                row.victim_safe_to_leave_voicemail,
                row.victim_news_alerts,
                preferred_channel=row.victim_preferred_channel,
            ),
        )
        if for_officer
        else None,
        notifications=notifications if for_officer else None,
        victim_access=access,
        invite_decision=decision_public(row) if for_officer else None,
    )


def officer_contact(row: CaseRow) -> OfficerContact:
    """The officer in charge of a case loaded with ``visibility.case_query``, as victims see them."""
    return OfficerContact(
        id=row.officer_id,
        name=row.officer_name,
        collar_number=row.officer_collar_number,
        phone=row.officer_phone,
        email=row.officer_email,
        reply_within_hours=row.officer_reply_within_hours,
        away_message=row.officer_away_message,
        back_on=row.officer_back_on,
    )


def contact_preferences(
    channels: list[str], times: str, voicemail: bool, news_alerts: bool, *, preferred_channel: str
) -> ContactPreferences:
    return ContactPreferences(
        # Never empty on the wire: a row without channels falls back to how the victim was invited.
        contact_channels=[ContactMethod(channel) for channel in channels or [preferred_channel]],
        contact_times=times,
        safe_to_leave_voicemail=voicemail,
        news_alerts=news_alerts,
    )


def decision_public(row: CaseRow) -> InviteDecisionPublic | None:
    if row.invite_decision is None:
        return None
    return InviteDecisionPublic(
        decision=InviteDecision(row.invite_decision),
        rules_version=row.decision_rules_version,
        rule=row.decision_rule,
        reason=wording.invite_reason(row.decision_rule),
        decided_at=row.decided_at,
        overridden_by=row.decision_overridden_by,
        override_reason=row.decision_override_reason,
        phone_risk=row.phone_risk,
    )
