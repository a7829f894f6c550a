"""Whether victims use the portal, as their officers are shown it: signed in or not, when last,
and the state of their latest invitation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from sync.protocol import ContactChannel, InvitationState, InvitationStatePublic, VictimAccessPublic
from sync.server.models import device_session, invitation


def invitation_state(row: Row[Any], now: datetime) -> InvitationState:
    if row.used_at is not None:
        return InvitationState.USED
    if row.revoked_at is not None:
        return InvitationState.WITHDRAWN
    if row.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.OPENED if row.codes_sent > 0 else InvitationState.SENT


def victim_access(
    conn: Connection, victim_ids: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, VictimAccessPublic]:
    """Each victim's access, in two queries however many victims (a caseload page at a time)."""
    sessions = {
        row.victim_id: row
        for row in conn.execute(
            sa.select(
                device_session.c.victim_id,
                sa.func.max(device_session.c.created_at).label("last_signed_in_at"),
                sa.func.max(device_session.c.last_used_at).label("last_seen_at"),
                sa.func.max(
                    sa.case(
                        (sa.and_(device_session.c.revoked_at.is_(None), device_session.c.expires_at > now), 1),
                        else_=0,
                    )
                ).label("live"),
            )
            .where(device_session.c.victim_id.in_(victim_ids))
            .group_by(device_session.c.victim_id)
        )
    }
    latest: dict[uuid.UUID, Row[Any]] = {}
    invitations = conn.execute(sa.select(invitation).where(invitation.c.victim_id.in_(victim_ids))).all()
    # Newest last; of two sent in the same instant, the one a resend replaced (revoked) first.
    for row in sorted(invitations, key=lambda r: (r.created_at, r.revoked_at is None, r.revoked_at or r.created_at)):
        latest[row.victim_id] = row
    access = {}
    for victim_id in victim_ids:
        seen = sessions.get(victim_id)
        sent = latest.get(victim_id)
        access[victim_id] = VictimAccessPublic(
            signed_in=bool(seen and seen.live),
            last_signed_in_at=seen.last_signed_in_at if seen else None,
            last_seen_at=(seen.last_seen_at or seen.last_signed_in_at) if seen else None,
            invitation=InvitationStatePublic(
                id=sent.id,
                state=invitation_state(sent, now),
                channel=ContactChannel(sent.channel),
                sent_at=sent.created_at,
                expires_at=sent.expires_at,
            )
            if sent is not None
            else None,
        )
    return access
