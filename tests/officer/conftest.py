"""Officer mode's states over the real parts: the real backend in-process (httpx's ASGI
transport, SQLite), the real HTTP adapters and the real SyncRunner, the in-memory store. No fakes:
what the server refuses here it refuses in production."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
import pytest

from app import content
from app.officer_mode import OfficerMode
from app.portal import Portal
from app.store.memory import MemoryStore
from app.store.port import Store
from sync.account import HttpConnector, HttpSignIn
from sync.officer_account import HttpOfficerConnector
from tests.conftest import fresh_database
from tests.support import PASSWORD, Api, FakeClock, Officer, open_api

SERVER = "http://testserver"


class Network(httpx.AsyncBaseTransport):
    """The device's network: the real backend in-process, or (switched off) no network at all."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self.up = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("no network", request=request)
        return await self._inner.handle_async_request(request)


@dataclass
class Device:
    """One device with the app open: its portal and officer mode on the real backend."""

    portal: Portal
    officer: OfficerMode
    api: Api
    network: Network

    async def sign_in(self, force: str, username: str, *, secret: str | None = None) -> str:
        """Signs in with the form as a person would; enrols an authenticator if the account has
        none (its secret is returned), else types a code from ``secret``."""
        sign_in = self.officer.sign_in
        for field, value in (("force", force), ("username", username), ("password", PASSWORD)):
            sign_in.type(field, value)  # type: ignore[arg-type]
        await sign_in.submit()
        if sign_in.step == "enrol":
            assert sign_in.enrolment is not None
            secret = sign_in.enrolment.secret
            sign_in.type("code", pyotp.TOTP(secret).at(self.api.clock.now))
            await sign_in.confirm_enrolment()
        elif sign_in.step == "code":
            assert secret is not None
            self.api.clock.advance(seconds=30)  # a code is good once: the next time step
            sign_in.type("code", pyotp.TOTP(secret).at(self.api.clock.now))
            await sign_in.submit()
        assert sign_in.errors == {}, sign_in.errors
        self.portal.safety.skip_pin()
        return secret or ""

    async def settle(self, until: Callable[[], bool], seconds: float = 5) -> None:
        """Lets the sync runner's loops run until ``until`` holds (they answer within a moment)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while not until():
            assert asyncio.get_running_loop().time() < deadline, "the app did not catch up"
            await asyncio.sleep(0.02)


@pytest.fixture
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Api]:
    async with open_api(fresh_database("sqlite", request, tmp_path), tmp_path, FakeClock()) as api:
        api.create_force("tvp", "Thames Valley Police")
        yield api


@pytest.fixture
async def device(backend: Api) -> AsyncIterator[Device]:
    opened = open_device(backend)
    yield opened
    await opened.portal.session.stop()


def open_device(api: Api) -> Device:
    transport = Network(httpx.ASGITransport(app=api.app, client=("198.51.100.7", 50000)))
    store: Store = MemoryStore()
    portal: Portal

    def wipe() -> Store:
        return MemoryStore()

    portal = Portal(
        store,
        content.load(),
        sign_in=HttpSignIn(SERVER, transport=transport),
        connector=HttpConnector(lambda: portal.session.store, transport=transport),
        wipe=wipe,
        clock=api.clock,
    )
    return Device(portal, OfficerMode(portal, HttpOfficerConnector(SERVER, transport=transport)), api, transport)


async def an_officer(api: Api, username: str = "pc1") -> Officer:
    return await api.add_officer("tvp", username)
