"""Helpers for backend tests: the app under test, and a small world of forces, officers,
cases and signed-in victims built through the real API."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import sqlalchemy as sa
from fastapi import FastAPI

from sync.protocol import OfficerCreate, OfficerPublic, OfficerSetup, Role
from sync.server import admin
from sync.server.app import create_app
from sync.server.context import RequestInfo
from sync.server.deps import Services
from sync.server.notify import Channel
from sync.server.services import setup_codes
from sync.server.settings import Settings

PASSWORD = "correct-horse-battery"
CLIENT_IP = "203.0.113.9"


class FakeClock:
    """Time that only moves when a test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def settings_for(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": "test-secret-" + "x" * 32,
        "notify_channel": "file",
        "notify_file": tmp_path / "notifications.jsonl",
        "public_url": "https://portal.example.test",
        "db_pool_size": 8,
        "password_hashing": "fast",  # cheapest argon2id: the suite makes hundreds of officers
        **overrides,
    }
    return Settings(**values)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Officer:
    id: str
    username: str
    force: str
    role: Role
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)


@dataclass
class Victim:
    case_id: str
    token: str
    name: str

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)


@dataclass
class Api:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    clock: FakeClock
    integration_keys: dict[str, str] = field(default_factory=dict)
    # Each officer's authenticator, and the last time step the server took from it (a code
    # is good once: the server refuses a step at or before the last one).
    authenticators: dict[tuple[str, str], str] = field(default_factory=dict)
    _totp_steps: dict[tuple[str, str], int] = field(default_factory=dict)
    _collars: int = 100

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    # ------------------------------------------------------------------ data, straight from the database

    def count(self, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
        def _count(conn: sa.Connection) -> int:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one())

        return self.services.db.run_read(_count)

    def rows(self, table: sa.Table, *where: sa.ColumnElement[bool]) -> list[sa.Row[Any]]:
        def _rows(conn: sa.Connection) -> list[sa.Row[Any]]:
            return list(conn.execute(sa.select(table).where(*where)).all())

        return self.services.db.run_read(_rows)

    def notifications(self) -> list[dict[str, Any]]:
        path = self.settings.notify_file
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    def last_code(self, recipient: str | None = None) -> str:
        for note in reversed(self.notifications()):
            if note["purpose"] == "code" and (recipient is None or note["recipient"] == recipient):
                return str(note["body"].split("code is ")[1][:6])
        raise AssertionError("no sign-in code was sent")

    def last_invitation_token(self) -> str:
        for note in reversed(self.notifications()):
            if note["purpose"] == "invitation":
                return str(note["body"].split("/i/")[1].split()[0])
        raise AssertionError("no invitation was sent")

    # ------------------------------------------------------------------ building a world through the API

    def create_force(self, code: str, name: str) -> str:
        key = self.services.db.run_write(admin.create_force, self.services.ctx, code, name)
        self.integration_keys[code] = key
        return key

    def create_officer(self, force: str, username: str, role: Role = Role.OFFICER) -> OfficerPublic:
        """An officer as an admin makes one, who has then chosen their password with the one-time
        set-up code (straight through the service); no authenticator yet."""
        self._collars += 1
        created = self.services.db.run_write(
            admin.create_officer,
            self.services.ctx,
            force,
            OfficerCreate(
                username=username,
                name=f"Officer {username}",
                collar_number=str(self._collars),
                role=role,
                email=f"{username}@{force}.police.example",
                phone="01632 960000",
            ),
        )
        setup = OfficerSetup(
            force_code=force, username=username, setup_code=created.setup.setup_code, new_password=PASSWORD
        )
        self.services.db.run_write(setup_codes.set_password, self.services.ctx, RequestInfo(token=None, ip=None), setup)
        return created

    async def add_officer(self, force: str, username: str, role: Role = Role.OFFICER) -> Officer:
        created = self.create_officer(force, username, role)
        # Officers read cases only once they have an authenticator: the first sign-in, with the
        # password alone, sets one up and goes on as a full session, as the app does; every later
        # sign-in takes a code from it.
        token = await self.login(force, username)
        await self.enrol_authenticator(force, username, token)
        return Officer(str(created.id), username, force, role, token)

    async def enrol_authenticator(self, force: str, username: str, token: str, **body: Any) -> str:
        """Sets up (or, with ``totp_code`` in ``body``, replaces) the officer's authenticator; its secret."""
        started = await self.client.post(
            "/auth/officer/totp", json={"password": PASSWORD, **body}, headers=bearer(token)
        )
        assert started.status_code == 201, started.text
        secret = str(started.json()["secret"])
        self._totp_steps.pop((force, username), None)  # steps of the old authenticator mean nothing to the new
        confirmed = await self.client.post(
            "/auth/officer/totp/confirm",
            json={"totp_code": self.totp_code(force, username, secret)},
            headers=bearer(token),
        )
        assert confirmed.status_code == 204, confirmed.text
        self.authenticators[(force, username)] = secret
        return secret

    def totp_code(self, force: str, username: str, secret: str | None = None) -> str:
        """A code the server has not taken yet at this clock time (it allows one step either side)."""
        key = (force, username)
        totp = pyotp.TOTP(secret or self.authenticators[key])
        current = totp.timecode(self.clock.now)
        step = max(current - 1, self._totp_steps.get(key, current - 2) + 1)
        assert step <= current + 1, "every code of this minute was used: advance the clock"
        self._totp_steps[key] = step
        return totp.generate_otp(step)

    async def set_up(self, force: str, username: str, setup_code: str, password: str = PASSWORD) -> None:
        response = await self.client.post(
            "/auth/officer/setup",
            json={"force_code": force, "username": username, "setup_code": setup_code, "new_password": password},
        )
        assert response.status_code == 204, response.text

    async def login(self, force: str, username: str, password: str = PASSWORD, **extra: Any) -> str:
        if (force, username) in self.authenticators and "totp_code" not in extra:
            extra["totp_code"] = self.totp_code(force, username)
        response = await self.client.post(
            "/auth/officer/login", json={"force_code": force, "username": username, "password": password, **extra}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    async def create_case(self, officer: Officer, **overrides: Any) -> dict[str, Any]:
        victim = {"name": "Alex Morgan", "phone": "07700 900123", **overrides.pop("victim", {})}
        body = {
            "crime_reference": f"REF{uuid.uuid4().hex[:10].upper()}",
            "crime_type": "Burglary",
            "summary": "Back door forced.",
            "reported_on": (self.clock.now.date() - timedelta(days=1)).isoformat(),
            "victim": victim,
            **overrides,
        }
        response = await self.client.post("/cases", json=body, headers=officer.auth)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def invite(self, officer: Officer, case_id: str) -> str:
        response = await self.client.post(f"/cases/{case_id}/invitations", json={}, headers=officer.auth)
        assert response.status_code == 201, response.text
        return self.last_invitation_token()

    async def redeem(self, token: str) -> httpx.Response:
        return await self.client.post("/auth/victim/redeem", json={"token": token})

    async def verify(self, challenge_id: str, code: str) -> httpx.Response:
        return await self.client.post(
            "/auth/victim/verify", json={"challenge_id": challenge_id, "code": code, "device_name": "Test phone"}
        )

    async def sign_in_victim(self, officer: Officer, case_id: str) -> Victim:
        redeemed = await self.redeem(await self.invite(officer, case_id))
        assert redeemed.status_code == 201, redeemed.text
        verified = await self.verify(redeemed.json()["challenge_id"], self.last_code())
        assert verified.status_code == 200, verified.text
        return Victim(case_id, verified.json()["token"], "Alex Morgan")

    async def victim_with_case(self, officer: Officer, **case: Any) -> Victim:
        created = await self.create_case(officer, **case)
        return await self.sign_in_victim(officer, created["id"])

    async def send(self, who: Officer | Victim, case_id: str, body: str, msg_id: str | None = None) -> httpx.Response:
        return await self.client.put(
            f"/cases/{case_id}/messages/{msg_id or uuid.uuid4()}", json={"body": body}, headers=who.auth
        )

    async def sync(self, who: Officer | Victim, since: str | None = None, wait: float = 0) -> dict[str, Any]:
        params: dict[str, Any] = {"timeout": wait}
        if since is not None:
            params["since"] = since
        response = await self.client.get("/sync", params=params, headers=who.auth)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page


@asynccontextmanager
async def open_api(
    database_url: str, tmp_path: Path, clock: FakeClock, *, channel: Channel | None = None, **settings: Any
) -> AsyncIterator[Api]:
    config = settings_for(database_url, tmp_path, **settings)
    app = create_app(config, clock=clock, channel=channel)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver/v1") as client:
            yield Api(app, client, config, clock)


@dataclass
class World:
    """Two forces, each with an admin, a supervisor, two officers, and a signed-in victim per officer."""

    api: Api
    officers: dict[str, Officer]
    victims: dict[str, Victim]

    def anyone(self, name: str) -> Officer | Victim:
        return self.officers[name] if name in self.officers else self.victims[name]


async def build_world(api: Api) -> World:
    officers: dict[str, Officer] = {}
    victims: dict[str, Victim] = {}
    for force, name in (("tvp", "Thames Valley Police"), ("hiow", "Hampshire & Isle of Wight Constabulary")):
        api.create_force(force, name)
        officers[f"{force}.admin"] = await api.add_officer(force, "admin", Role.ADMIN)
        officers[f"{force}.sgt"] = await api.add_officer(force, "sgt", Role.SUPERVISOR)
        for n in (1, 2):
            officer = await api.add_officer(force, f"pc{n}", Role.OFFICER)
            officers[f"{force}.pc{n}"] = officer
            victims[f"{force}.v{n}"] = await api.victim_with_case(
                officer, victim={"name": f"Victim {force} {n}", "phone": f"07700 900{n}{len(victims):02d}"}
            )
    return World(api, officers, victims)


def reported(days_ago: int = 1) -> str:
    return (date.today() - timedelta(days=days_ago)).isoformat()
