"""Seeds a database for benchmarks through the real services: one force, one officer, and
victims signed in through invitation and code, each with their own case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pyotp

from sync.protocol import (
    CaseCreate,
    InvitationCreate,
    InvitationRedeem,
    OfficerCreate,
    OfficerLogin,
    OfficerSetup,
    Role,
    TotpEnrol,
    VictimCreate,
    VictimVerify,
)
from sync.server import admin
from sync.server.context import Context, RequestInfo
from sync.server.db import Database, create_engine
from sync.server.migrate import upgrade
from sync.server.notify import MemoryChannel, Outbox
from sync.server.services import authenticator, cases, invitations, officer_sign_in, setup_codes, victim_sign_in
from sync.server.settings import Settings

PASSWORD = "bench-password-1"


@dataclass(frozen=True)
class Victim:
    token: str
    case_id: uuid.UUID


@dataclass(frozen=True)
class Seeded:
    officer_token: str
    victims: list[Victim]


def add_signed_in_officer(db: Database, ctx: Context, force_code: str, body: OfficerCreate) -> str:
    """An officer made as an admin makes one, who then chooses a password with the set-up code,
    sets up an authenticator (officers read cases only with one) and signs in with a code: the
    token of that session."""
    created = db.run_write(admin.create_officer, ctx, force_code, body)
    local = RequestInfo(token=None, ip=None)  # no address: per-address limits do not apply
    setup = OfficerSetup(
        force_code=force_code, username=body.username, setup_code=created.setup.setup_code, new_password=PASSWORD
    )
    db.run_write(setup_codes.set_password, ctx, local, setup)
    login = OfficerLogin(force_code=force_code, username=body.username, password=PASSWORD)
    first = RequestInfo(token=db.run_write(officer_sign_in.officer_login, ctx, local, login).token, ip=None)
    totp = pyotp.TOTP(db.run_write(authenticator.totp_enrol, ctx, first, TotpEnrol(password=PASSWORD)).secret)
    step = totp.timecode(ctx.now())
    # The server allows a step either side of now and takes each once: one to confirm, one to sign in.
    db.run_write(authenticator.totp_confirm, ctx, first, totp.generate_otp(step - 1))
    return db.run_write(
        officer_sign_in.officer_login, ctx, local, login.model_copy(update={"totp_code": totp.generate_otp(step)})
    ).token


def seed(settings: Settings, victims: int) -> Seeded:
    upgrade(settings.database_url)
    db = Database(create_engine(settings.database_url, pool_size=2), concurrency=2)
    ctx = Context.from_settings(settings)
    channel = MemoryChannel()
    outbox = Outbox(db, channel, ctx.clock, ctx.secrets)
    try:
        db.run_write(admin.create_force, ctx, "bench", "Benchmark Constabulary")
        officer = add_signed_in_officer(
            db,
            ctx,
            "bench",
            OfficerCreate(
                username="pc.bench",
                name="PC Bench",
                collar_number="1",
                role=Role.OFFICER,
                email="pc.bench@example.org",
                phone="01632 960000",
            ),
        )
        local = RequestInfo(token=None, ip=None)  # no address: per-address limits do not apply
        as_officer = RequestInfo(token=officer, ip=None)
        out: list[Victim] = []
        for n in range(victims):
            created = db.run_write(
                cases.create_case,
                ctx,
                as_officer,
                CaseCreate(
                    crime_reference=f"BENCH{n:06d}",
                    crime_type="Burglary",
                    reported_on=date(2026, 11, 1),
                    victim=VictimCreate(name=f"Victim {n}", phone=f"07700 9{n % 100000:05d}"),
                ),
            )
            invitation = db.run_write(invitations.create_invitation, ctx, as_officer, created.id, InvitationCreate())
            token = invitation.link.rsplit("/", 1)[1]
            challenge, notification_id = db.run_write(
                victim_sign_in.redeem_invitation, ctx, local, InvitationRedeem(token=token)
            )
            outbox.deliver(notification_id)
            code = channel.sent[-1].body.split("code is ")[1][:6]
            victim_token = db.run_write(
                victim_sign_in.verify_code,
                ctx,
                local,
                VictimVerify(challenge_id=challenge.challenge_id, code=code, device_name="bench"),
            ).token
            out.append(Victim(victim_token, created.id))
        return Seeded(officer, out)
    finally:
        db.dispose()
