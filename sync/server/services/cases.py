"""Cases: who may see which, creating them, their timeline, update requests and invitations."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from sync.protocol import (
    AuthorKind,
    CaseCreate,
    CasePublic,
    CaseStatus,
    CaseUpdateCreate,
    CaseUpdatePublic,
    ClosedOutcome,
    ContactChannel,
    ContactMethod,
    ContactPreferences,
    OfficerContact,
    Role,
    UpdateEvent,
    UpdateRequestCreate,
    UpdateRequestEvent,
    UpdateRequestPublic,
    VictimCreate,
    VictimPublic,
)
from sync.server import audit, changes
from sync.server.context import Caller, Context, RequestInfo
from sync.server.errors import CASE_NOT_FOUND, BadRequest, Conflict, Forbidden, NotFound
from sync.server.models import (
    case,
    case_update,
    device_session,
    notification,
    officer,
    update_request,
    victim,
)
from sync.server.notify.outbox import enqueue, send_after_commit
from sync.server.notify.outbox import public as notification_public
from sync.server.services import attention
from sync.server.services.auth import authenticate, require_officer
from sync.server.victims_code import next_update_due, update_request_due

CaseRow = Row[Any]

case_query = sa.select(
    case,
    officer.c.name.label("officer_name"),
    officer.c.collar_number.label("officer_collar_number"),
    officer.c.phone.label("officer_phone"),
    officer.c.email.label("officer_email"),
    officer.c.reply_within_hours.label("officer_reply_within_hours"),
    officer.c.away_message.label("officer_away_message"),
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


def _for_update_by(conn: Connection, caller: Caller, case_id: uuid.UUID) -> CaseRow:
    """A case ``caller`` may post updates to: its officers, supervisors, the force's record system."""
    if caller.kind == "integration":
        row = conn.execute(case_query.where(case.c.id == case_id, case.c.force_id == caller.force_id)).one_or_none()
        if row is None:
            raise NotFound(CASE_NOT_FOUND)
        return row
    require_officer(caller, Role.OFFICER, Role.SUPERVISOR)
    return load_visible(conn, caller, case_id)


def render(conn: Connection, caller: Caller, rows: Sequence[CaseRow]) -> list[CasePublic]:
    if not rows:
        return []
    ids = [row.id for row in rows]
    open_requests: dict[uuid.UUID, list[UpdateRequestPublic]] = {case_id: [] for case_id in ids}
    for request_row in conn.execute(
        sa.select(update_request)
        .where(update_request.c.case_id.in_(ids), update_request.c.answered_at.is_(None))
        .order_by(update_request.c.seq)
    ):
        open_requests[request_row.case_id].append(_update_request_public(request_row))
    sent: dict[uuid.UUID, list[Any]] = {case_id: [] for case_id in ids}
    if caller.kind == "officer":
        for note in conn.execute(
            sa.select(notification)
            .where(notification.c.case_id.in_(ids))
            .order_by(notification.c.created_at.desc())
            .limit(20 * len(ids))
        ):
            sent[note.case_id].append(notification_public(note))
    return [_case_public(row, caller, open_requests[row.id], sent[row.id]) for row in rows]


def _case_public(
    row: CaseRow, caller: Caller, open_requests: list[UpdateRequestPublic], notifications: list[Any]
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
        officer=OfficerContact(
            id=row.officer_id,
            name=row.officer_name,
            collar_number=row.officer_collar_number,
            phone=row.officer_phone,
            email=row.officer_email,
            reply_within_hours=row.officer_reply_within_hours,
            away_message=row.officer_away_message,
        ),
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


def _update_request_public(row: Row[Any]) -> UpdateRequestPublic:
    return UpdateRequestPublic(
        id=row.id,
        case_id=row.case_id,
        seq=row.seq,
        note=row.note,
        requested_at=row.requested_at,
        due_at=row.due_at,
        answered_at=row.answered_at,
    )


def emit_case_changed(conn: Connection, ctx: Context, row: CaseRow) -> int:
    """Every change to a case comes through here: its place in the caseload, then its event."""
    attention.refresh(conn, row.id)
    seq = changes.next_seq(conn, row.force_id)
    changes.append(
        conn,
        row,
        kind="case",
        seq=seq,
        payload="",
        now=ctx.now(),
    )
    return seq


def emit_cases_changed(conn: Connection, ctx: Context, *where: sa.ColumnElement[bool]) -> None:
    """One "case changed" event for each case matching ``where`` (all in one force), e.g. when a
    person on them changes."""
    rows = conn.execute(
        sa.select(case.c.id, case.c.force_id, case.c.officer_id, case.c.victim_id)
        .where(*where)
        .order_by(case.c.created_at, case.c.id)
    ).all()
    if not rows:
        return
    first = changes.take_seqs(conn, rows[0].force_id, len(rows))
    changes.append_many(
        conn, [changes.NewEvent(row, "case", first + index, "") for index, row in enumerate(rows)], now=ctx.now()
    )


# ---------------------------------------------------------------------------- reading


def get_case(conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID) -> CasePublic:
    caller = authenticate(conn, ctx, request)
    row = load_visible(conn, caller, case_id)
    if caller.kind == "officer":
        audit.record(conn, caller, "case.read", now=ctx.now(), case_id=case_id)
    return render(conn, caller, [row])[0]


def list_updates(conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID) -> list[CaseUpdatePublic]:
    caller = authenticate(conn, ctx, request)
    load_visible(conn, caller, case_id)
    if caller.kind == "officer":
        audit.record(conn, caller, "case.read_updates", now=ctx.now(), case_id=case_id)
    rows = conn.execute(sa.select(case_update).where(case_update.c.case_id == case_id).order_by(case_update.c.seq))
    return [update_public(row._mapping) for row in rows]


def update_public(values: Mapping[Any, Any]) -> CaseUpdatePublic:
    return CaseUpdatePublic.model_validate({key: values[key] for key in CaseUpdatePublic.model_fields})


# ---------------------------------------------------------------------------- writing


def normalise_phone(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException as exc:
        raise BadRequest("The phone number is not a phone number.", code="invalid_phone") from exc
    if not phonenumbers.is_possible_number(number):
        raise BadRequest("The phone number is not a phone number.", code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _victim_values(body: VictimCreate) -> dict[str, Any]:
    phone = normalise_phone(body.phone) if body.phone else None
    email = str(body.email).lower() if body.email else None
    if phone is None and email is None:
        raise BadRequest("Give the victim's mobile number or email address, or both.", code="victim_contact_missing")
    if body.preferred_channel == ContactChannel.SMS and phone is None:
        raise BadRequest("The victim prefers text messages but has no mobile number.", code="victim_contact_missing")
    if body.preferred_channel == ContactChannel.EMAIL and email is None:
        raise BadRequest("The victim prefers email but has no email address.", code="victim_contact_missing")
    return {
        "name": body.name,
        "phone": phone,
        "email": email,
        "preferred_channel": body.preferred_channel.value,
        "safe_contact_notes": body.safe_contact_notes,
        "enhanced_rights": body.enhanced_rights,
        "contact_channels": [body.preferred_channel.value],
        "contact_times": "",
        "safe_to_leave_voicemail": False,
    }


def _officer_in_charge(conn: Connection, caller: Caller, body: CaseCreate) -> uuid.UUID:
    where: sa.ColumnElement[bool]
    if body.officer_id is not None:
        where = officer.c.id == body.officer_id
    elif body.officer_collar_number is not None:
        where = officer.c.collar_number == body.officer_collar_number
    elif caller.kind == "officer":
        return caller.id
    else:
        raise BadRequest(
            "Say who the officer in charge is (officer_id or officer_collar_number).", code="officer_missing"
        )
    found = conn.execute(
        sa.select(officer.c.id).where(where, officer.c.force_id == caller.force_id, officer.c.active)
    ).scalar_one_or_none()
    if found is None:
        raise BadRequest("No active officer in your force matches the officer in charge given.", code="officer_unknown")
    return found  # type: ignore[no-any-return]


def create_case(conn: Connection, ctx: Context, request: RequestInfo, body: CaseCreate) -> CasePublic:
    caller = authenticate(conn, ctx, request)
    if caller.kind != "integration":
        require_officer(caller, Role.OFFICER, Role.SUPERVISOR)
    if body.status == CaseStatus.CLOSED:
        raise BadRequest("A new case cannot start closed.", code="invalid_status")
    now = ctx.now()
    if body.reported_on > now.date():
        raise BadRequest("The reported date is in the future.", code="invalid_date")
    exists = conn.execute(
        sa.select(case.c.id).where(case.c.force_id == caller.force_id, case.c.crime_reference == body.crime_reference)
    ).first()
    if exists:
        raise Conflict("A case with this crime reference already exists in your force.", code="duplicate_reference")
    officer_id = _officer_in_charge(conn, caller, body)
    victim_id = uuid.uuid4()
    conn.execute(
        sa.insert(victim).values(id=victim_id, force_id=caller.force_id, created_at=now, **_victim_values(body.victim))
    )
    case_id = uuid.uuid4()
    conn.execute(
        sa.insert(case).values(
            id=case_id,
            force_id=caller.force_id,
            crime_reference=body.crime_reference,
            crime_type=body.crime_type,
            status=body.status.value,
            summary=body.summary,
            reported_on=body.reported_on,
            officer_id=officer_id,
            victim_id=victim_id,
            created_at=now,
            updated_at=now,
        )
    )
    row = conn.execute(case_query.where(case.c.id == case_id)).one()
    emit_case_changed(conn, ctx, row)
    audit.record(conn, caller, "case.create", now=now, case_id=case_id)
    return render(conn, caller, [row])[0]


def answer_update_requests(conn: Connection, row: CaseRow, now: datetime) -> bool:
    answered = conn.execute(
        sa.update(update_request)
        .where(update_request.c.case_id == row.id, update_request.c.answered_at.is_(None))
        .values(answered_at=now)
    ).rowcount
    return bool(answered)


def post_update(
    conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID, body: CaseUpdateCreate
) -> CaseUpdatePublic:
    caller = authenticate(conn, ctx, request)
    row = _for_update_by(conn, caller, case_id)
    if body.status is None and not body.text:
        raise BadRequest("An update needs a new status, some text, or both.", code="empty_update")
    if body.status == CaseStatus.CLOSED and body.closed_outcome is None:
        raise BadRequest("Say how the case was closed (closed_outcome).", code="outcome_missing")
    if body.closed_outcome is not None and body.status != CaseStatus.CLOSED:
        raise BadRequest("An outcome goes with closing the case (status 'closed').", code="invalid_outcome")
    now = ctx.now()
    status_from = CaseStatus(row.status)
    status_to = body.status if body.status is not None and body.status != status_from else None
    author_kind = AuthorKind.OFFICER if caller.kind == "officer" else AuthorKind.SYSTEM
    seq = changes.next_seq(conn, row.force_id)
    update_id = uuid.uuid4()
    values = {
        "id": update_id,
        "force_id": row.force_id,
        "case_id": row.id,
        "seq": seq,
        "status_from": status_from.value if status_to else None,
        "status_to": status_to.value if status_to else None,
        "closed_outcome": body.closed_outcome.value if body.closed_outcome else None,
        "text": body.text,
        "author_kind": author_kind.value,
        "author_officer_id": caller.id if caller.kind == "officer" else None,
        "author_name": caller.name if caller.kind == "officer" else "Police records",
        "created_at": now,
    }
    conn.execute(sa.insert(case_update).values(**values))
    published = update_public(values)
    changes.append(
        conn,
        row,
        kind="update",
        seq=seq,
        payload=UpdateEvent(seq=seq, case_id=row.id, update=published).model_dump_json(),
        now=now,
    )
    conn.execute(
        sa.update(case)
        .where(case.c.id == row.id)
        .values(
            status=(status_to or status_from).value,
            closed_outcome=body.closed_outcome.value if body.closed_outcome else row.closed_outcome,
            officer_updates=case.c.officer_updates + 1,
            last_officer_update_at=now,
            updated_at=now,
        )
    )
    answer_update_requests(conn, row, now)
    emit_case_changed(conn, ctx, row)
    queue_alert(conn, ctx, caller, row)
    audit.record(conn, caller, "case.update", now=now, case_id=row.id, detail={"status": values["status_to"]})
    return published


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


def request_update(
    conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID, body: UpdateRequestCreate
) -> UpdateRequestPublic:
    caller = authenticate(conn, ctx, request)
    if caller.kind != "victim":
        raise Forbidden("Only the victim can ask for an update on their case.")
    row = load_visible(conn, caller, case_id)
    if row.status == CaseStatus.CLOSED:
        raise Conflict("This case is closed. Call 101 if you need to talk to the police about it.", code="case_closed")
    now = ctx.now()
    pending = conn.execute(
        sa.select(update_request).where(update_request.c.case_id == row.id, update_request.c.answered_at.is_(None))
    ).first()
    if pending is not None:
        # Asking again does not jump the queue; it returns the request already waiting.
        return _update_request_public(pending)
    seq = changes.next_seq(conn, row.force_id)
    request_id = uuid.uuid4()
    due = update_request_due(now, enhanced=row.victim_enhanced_rights, settings=caller.force_settings)
    conn.execute(
        sa.insert(update_request).values(
            id=request_id, force_id=row.force_id, case_id=row.id, seq=seq, note=body.note, requested_at=now, due_at=due
        )
    )
    published = UpdateRequestPublic(
        id=request_id, case_id=row.id, seq=seq, note=body.note, requested_at=now, due_at=due, answered_at=None
    )
    changes.append(
        conn,
        row,
        kind="update_request",
        seq=seq,
        payload=UpdateRequestEvent(seq=seq, case_id=row.id, update_request=published).model_dump_json(),
        now=now,
    )
    conn.execute(sa.update(case).where(case.c.id == row.id).values(updated_at=now))
    emit_case_changed(conn, ctx, row)
    audit.record(conn, caller, "case.update_request", now=now, case_id=row.id)
    return published
