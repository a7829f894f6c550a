"""Demo data: two forces, their officers, local support services, and cases with invited victims.

Everything goes through the same services the API uses, so the demo is also a smoke test
of them. Running it again adds nothing new but fresh invitation links (old ones cannot be
shown again: only their hashes are stored).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import (
    CaseCreate,
    CaseStatus,
    CaseUpdateCreate,
    ClosedOutcome,
    ContactChannel,
    InvitationCreate,
    MessageSend,
    OfficerCreate,
    OfficerLogin,
    OfficerSetup,
    Role,
    SupportServicePublic,
    SupportServicesPublic,
    VictimCreate,
)
from sync.server import admin
from sync.server.context import Context, RequestInfo
from sync.server.db import Database
from sync.server.models import case, force
from sync.server.notify import Outbox
from sync.server.services import (
    authentication,
    case_updates,
    cases,
    invitations,
    messages,
    officer_sign_in,
    setup_codes,
)

DEMO_PASSWORD = "demo-password-1"  # noqa: S105 - development data, refused in production


@dataclass(frozen=True)
class DemoOfficer:
    username: str
    name: str
    collar: str
    role: Role


@dataclass(frozen=True)
class DemoCase:
    reference: str
    crime_type: str
    summary: str
    days_ago: int
    status: CaseStatus
    victim: str
    phone: str | None
    email: str | None
    channel: ContactChannel
    officer: str
    enhanced: bool = False
    updates: tuple[str, ...] = ()
    officer_message: str | None = None


@dataclass(frozen=True)
class DemoForce:
    code: str
    name: str
    officers: tuple[DemoOfficer, ...]
    cases: tuple[DemoCase, ...]
    support: SupportServicesPublic


# Real services, checked on the date given; no phone numbers until one is confirmed at its source.
SUPPORT_REVIEWED = date(2026, 11, 1)
SUPPORT_VERSION = SUPPORT_REVIEWED.isoformat()


FORCES = (
    DemoForce(
        "tvp",
        "Thames Valley Police",
        (
            DemoOfficer("admin", "Priya Shah", "A100", Role.ADMIN),
            DemoOfficer("sgt.evans", "Sergeant Rhys Evans", "S2041", Role.SUPERVISOR),
            DemoOfficer("pc.okafor", "PC Grace Okafor", "4417", Role.OFFICER),
            DemoOfficer("pc.walsh", "PC Tom Walsh", "5122", Role.OFFICER),
        ),
        (
            DemoCase(
                "43260012345",
                "Burglary (home)",
                "Break-in at the back door; laptop and jewellery taken.",
                3,
                CaseStatus.INVESTIGATING,
                "Alex Morgan",
                "07700 900123",
                None,
                ContactChannel.SMS,
                "pc.okafor",
                updates=("CCTV from neighbouring houses has been requested.",),
                officer_message="Hello Alex, I'm dealing with your report. I'll be in touch after checking the CCTV.",
            ),
            DemoCase(
                "43260012398",
                "Theft of pedal cycle",
                "Bike taken from outside the station.",
                12,
                CaseStatus.PENDING_OUTCOME,
                "Sam Taylor",
                None,
                "sam.taylor@example.org",
                ContactChannel.EMAIL,
                "pc.walsh",
            ),
            DemoCase(
                "43260012420",
                "Assault",
                "Assaulted outside a bar; injuries to face.",
                1,
                CaseStatus.ASSIGNED,
                "Jordan Lee",
                "07700 900456",
                "jordan.lee@example.org",
                ContactChannel.SMS,
                "pc.okafor",
                enhanced=True,
            ),
        ),
        SupportServicesPublic(
            version=SUPPORT_VERSION,
            services=[
                SupportServicePublic(
                    id="victims-first",
                    name="Victims First",
                    purpose="The Thames Valley Police and Crime Commissioner's service for victims.",
                    phone=None,
                    website="https://victims-first.org.uk",
                    source="victims-first.org.uk",
                    reviewed=SUPPORT_REVIEWED,
                )
            ],
        ),
    ),
    DemoForce(
        "hiow",
        "Hampshire & Isle of Wight Constabulary",
        (
            DemoOfficer("admin", "Mark Jenkins", "A200", Role.ADMIN),
            DemoOfficer("sgt.patel", "Sergeant Anita Patel", "S1180", Role.SUPERVISOR),
            DemoOfficer("pc.hughes", "PC Ellie Hughes", "2290", Role.OFFICER),
        ),
        (
            DemoCase(
                "44260054321",
                "Criminal damage to vehicle",
                "Car scratched and wing mirror broken overnight.",
                6,
                CaseStatus.INVESTIGATING,
                "Chris Doyle",
                "07700 900789",
                None,
                ContactChannel.SMS,
                "pc.hughes",
                updates=("A witness has come forward and will be interviewed this week.",),
            ),
            DemoCase(
                "44260054377",
                "Fraud (online purchase)",
                "Paid for a sofa online that never arrived.",
                20,
                CaseStatus.CLOSED,
                "Pat Green",
                None,
                "pat.green@example.org",
                ContactChannel.EMAIL,
                "pc.hughes",
            ),
        ),
        SupportServicesPublic(
            version=SUPPORT_VERSION,
            services=[
                SupportServicePublic(
                    id="hiow-victim-care",
                    name="Hampshire & Isle of Wight Victim Care",
                    purpose="The victim care service for Hampshire and the Isle of Wight.",
                    phone=None,
                    website="https://www.hampshireiowvictimcare.co.uk",
                    source="hampshireiowvictimcare.co.uk",
                    reviewed=SUPPORT_REVIEWED,
                )
            ],
        ),
    ),
)


@dataclass
class DemoResult:
    created: bool
    integration_keys: dict[str, str] = field(default_factory=dict)
    invitations: list[tuple[str, str, str, str]] = field(default_factory=list)  # force, reference, victim, link


def _exists(conn: Connection, code: str) -> bool:
    return conn.execute(sa.select(force.c.id).where(force.c.code == code)).first() is not None


def _request(token: str) -> RequestInfo:
    return RequestInfo(token=token, ip="127.0.0.1")


def _acting_for(db: Database, ctx: Context, login: OfficerLogin) -> RequestInfo:
    """A demo officer's session, trusted as if their authenticator were set up: the demo seeds
    their cases from the server itself, and the officers set one up when they first sign in."""
    token = db.run_write(officer_sign_in.officer_login, ctx, _request(""), login).token
    caller = db.run_read(lambda conn: authentication.authenticate(conn, ctx, _request(token), enrolling=True))
    return RequestInfo(token=token, ip="127.0.0.1", caller=replace(caller, needs_authenticator=False))


def seed(db: Database, ctx: Context, outbox: Outbox, *, today: date | None = None) -> DemoResult:
    if ctx.settings.environment == "production":
        raise RuntimeError("demo data is for development only")
    today = today or ctx.now().date()
    result = DemoResult(created=not db.run_read(_exists, FORCES[0].code))
    for demo_force in FORCES:
        if not db.run_read(_exists, demo_force.code):
            result.integration_keys[demo_force.code] = db.run_write(
                admin.create_force, ctx, demo_force.code, demo_force.name
            )
            for index, o in enumerate(demo_force.officers):
                created = db.run_write(
                    admin.create_officer,
                    ctx,
                    demo_force.code,
                    OfficerCreate(
                        username=o.username,
                        name=o.name,
                        collar_number=o.collar,
                        role=o.role,
                        email=f"{o.username}@{demo_force.code}.police.example",
                        phone=f"01632 960{100 + index:03d}",  # Ofcom's range for drama: never a real line
                    ),
                )
                # The same set-up step a real officer takes, with the known demo password.
                db.run_write(
                    setup_codes.set_password,
                    ctx,
                    _request(""),
                    OfficerSetup(
                        force_code=demo_force.code,
                        username=o.username,
                        setup_code=created.setup.setup_code,
                        new_password=DEMO_PASSWORD,
                    ),
                )
        db.run_write(admin.set_support_services, ctx, demo_force.code, demo_force.support)
        sessions = {
            o.username: _acting_for(
                db,
                ctx,
                OfficerLogin(
                    force_code=demo_force.code, username=o.username, password=DEMO_PASSWORD, device_name="demo"
                ),
            )
            for o in demo_force.officers
            if o.role != Role.ADMIN
        }
        for c in demo_force.cases:
            session = sessions[c.officer]
            case_id = db.run_read(_case_id, demo_force.code, c.reference)
            if case_id is None:
                case_id = _create_case(db, ctx, session, c, today)
            if c.status != CaseStatus.CLOSED:
                invitation = db.run_write(invitations.create_invitation, ctx, session, case_id, InvitationCreate())
                outbox.deliver(invitation.notification_id)
                result.invitations.append((demo_force.name, c.reference, c.victim, invitation.link))
    return result


def _case_id(conn: Connection, force_code: str, reference: str) -> uuid.UUID | None:
    found: uuid.UUID | None = conn.execute(
        sa.select(case.c.id)
        .join(force, force.c.id == case.c.force_id)
        .where(force.c.code == force_code, case.c.crime_reference == reference)
    ).scalar_one_or_none()
    return found


def _create_case(db: Database, ctx: Context, session: RequestInfo, c: DemoCase, today: date) -> uuid.UUID:
    created = db.run_write(
        cases.create_case,
        ctx,
        session,
        CaseCreate(
            crime_reference=c.reference,
            crime_type=c.crime_type,
            summary=c.summary,
            reported_on=today - timedelta(days=c.days_ago),
            status=CaseStatus.ASSIGNED,
            victim=VictimCreate(
                name=c.victim,
                phone=c.phone,
                email=c.email,
                preferred_channel=c.channel,
                enhanced_rights=c.enhanced,
            ),
        ),
    )
    for text in c.updates:
        db.run_write(case_updates.post_update, ctx, session, created.id, CaseUpdateCreate(text=text))
    if c.status not in (CaseStatus.ASSIGNED, CaseStatus.CLOSED):
        db.run_write(case_updates.post_update, ctx, session, created.id, CaseUpdateCreate(status=c.status))
    if c.status == CaseStatus.CLOSED:
        db.run_write(
            case_updates.post_update,
            ctx,
            session,
            created.id,
            CaseUpdateCreate(
                status=CaseStatus.CLOSED,
                closed_outcome=ClosedOutcome.NO_SUSPECT,
                text="We have been unable to identify a suspect. The case is closed but can be reopened.",
            ),
        )
    if c.officer_message:
        db.run_write(messages.send, ctx, session, created.id, uuid.uuid4(), MessageSend(body=c.officer_message))
    return created.id
