"""Telling a signed-in victim that there is news on their case, by a channel they chose, without
saying what, and at most once a set gap."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import ContactChannel
from sync.server.context import Caller, Context
from sync.server.models import device_session, notification
from sync.server.notify.outbox import enqueue, send_after_commit
from sync.server.services.visibility import CaseRow


def queue_alert(conn: Connection, ctx: Context, caller: Caller, row: CaseRow) -> None:
    """Tell the victim there is something new, without saying what, at most once a set gap."""
    now = ctx.now()
    gap = timedelta(minutes=int(caller.force_settings["alert_min_gap_minutes"]))
    recent = conn.execute(
        sa.select(notification.c.id).where(
            notification.c.case_id == row.id, notification.c.purpose == "alert", notification.c.created_at > now - gap
        )
    ).first()
    signed_in = conn.execute(
        sa.select(device_session.c.id).where(
            device_session.c.victim_id == row.victim_id,
            device_session.c.revoked_at.is_(None),
            device_session.c.expires_at > now,
        )
    ).first()
    if recent is not None or signed_in is None or not row.victim_news_alerts:
        return
    # Only a channel the victim chose (a row from before they could choose has the one they
    # were invited by); the officer's preferred channel first when the victim chose it too.
    chosen = row.victim_contact_channels or [row.victim_preferred_channel]
    contacts = {ContactChannel.SMS: row.victim_phone, ContactChannel.EMAIL: row.victim_email}
    usable = [ContactChannel(c) for c in chosen if c in set(ContactChannel) and contacts[ContactChannel(c)]]
    if not usable:
        return
    preferred = ContactChannel(row.victim_preferred_channel)
    channel = preferred if preferred in usable else usable[0]
    contact = contacts[channel]
    notification_id = enqueue(
        conn,
        force_id=row.force_id,
        case_id=row.id,
        purpose="alert",
        channel=channel,
        recipient=contact,
        body=str(caller.force_settings["alert_text"]),
        now=now,
        secrets=ctx.secrets,
    )
    send_after_commit(conn, notification_id)
