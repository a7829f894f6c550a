"""One contract for the sign-in and account ports: the HTTP adapters against the real backend
(SQLite and PostgreSQL) and the in-memory fakes the unit tests use must behave alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Protocol

import httpx
import pytest

from app.content import ServiceList, SupportService
from app.domain import ContactPreferences, Identity
from app.ports import Account, AccountError, SignIn
from sync import protocol
from sync.account import HttpAccount, HttpSignIn
from sync.server import admin
from tests.conftest import fresh_database
from tests.fakes import FakeAccount, FakeBackend, FakeSignIn
from tests.liveserver import free_port
from tests.support import CLIENT_IP, Api, FakeClock, Officer, open_api

LOCAL = ServiceList(
    "2026-12-01",
    (
        SupportService(
            "victims-first",
            "Victims First",
            "Help for victims of crime in the Thames Valley.",
            None,
            "https://victims-first.org.uk",
            "victims-first.org.uk",
            date(2026, 12, 1),
        ),
    ),
)


class Harness(Protocol):
    @property
    def sign_in(self) -> SignIn: ...

    async def invite(self) -> str: ...
    def last_code(self) -> str: ...
    def account(self, identity: Identity) -> Account: ...
    def publish_local_services(self, services: ServiceList) -> None: ...
    def unreachable(self) -> SignIn: ...


class FakeHarness:
    def __init__(self) -> None:
        self.backend = FakeBackend()
        self._sign_in = FakeSignIn(self.backend)

    @property
    def sign_in(self) -> SignIn:
        return self._sign_in

    async def invite(self) -> str:
        return self.backend.invite()

    def last_code(self) -> str:
        return self.backend.last_code()

    def account(self, identity: Identity) -> Account:
        return FakeAccount(self.backend, identity)

    def publish_local_services(self, services: ServiceList) -> None:
        self.backend.local_services = services

    def unreachable(self) -> SignIn:
        return FakeSignIn(FakeBackend(reachable=False))


@dataclass
class HttpHarness:
    api: Api
    officer: Officer
    transport: httpx.AsyncBaseTransport

    @property
    def sign_in(self) -> SignIn:
        return HttpSignIn("http://testserver", transport=self.transport)

    async def invite(self) -> str:
        case = await self.api.create_case(self.officer)
        return await self.api.invite(self.officer, case["id"])

    def last_code(self) -> str:
        return self.api.last_code()

    def account(self, identity: Identity) -> Account:
        return HttpAccount(identity, transport=self.transport)

    def publish_local_services(self, services: ServiceList) -> None:
        wire = protocol.SupportServicesPublic.model_validate(
            {
                "version": services.version,
                "services": [
                    {
                        "id": s.id,
                        "name": s.name,
                        "purpose": s.purpose,
                        "phone": s.phone,
                        "website": s.website,
                        "source": s.source,
                        "reviewed": s.reviewed,
                    }
                    for s in services.services
                ],
            }
        )
        self.api.services.db.run_write(admin.set_support_services, self.api.services.ctx, "tvp", wire)

    def unreachable(self) -> SignIn:
        return HttpSignIn(f"http://127.0.0.1:{free_port()}")


@pytest.fixture(params=["fake", "sqlite", "postgresql"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    if request.param == "fake":
        yield FakeHarness()
        return
    url = fresh_database(request.param, request, tmp_path)
    async with open_api(url, tmp_path, FakeClock()) as api:
        api.create_force("tvp", "Thames Valley Police")
        officer = await api.add_officer("tvp", "pc1")
        yield HttpHarness(api, officer, httpx.ASGITransport(app=api.app, client=(CLIENT_IP, 50000)))


async def signed_in(harness: Harness) -> Identity:
    challenge = await harness.sign_in.redeem(await harness.invite())
    return await harness.sign_in.verify(challenge, harness.last_code(), "Test phone")


async def test_an_invitation_and_its_code_sign_a_victim_in(harness: Harness) -> None:
    token = await harness.invite()
    challenge = await harness.sign_in.redeem(token)
    assert challenge.channel == "sms"
    assert "•" in challenge.sent_to
    identity = await harness.sign_in.verify(challenge, harness.last_code(), "Test phone")
    assert identity.kind == "victim"
    assert identity.token
    assert identity.force_code == "tvp"  # so the app can show the force's own wording of the rights


async def test_an_invitation_can_send_a_new_code_but_signs_in_once(harness: Harness) -> None:
    token = await harness.invite()
    await harness.sign_in.redeem(token)
    challenge = await harness.sign_in.redeem(token)  # "the code never came": ask again
    await harness.sign_in.verify(challenge, harness.last_code(), "Test phone")
    with pytest.raises(AccountError) as refused:
        await harness.sign_in.redeem(token)
    assert str(refused.value)
    assert not refused.value.offline


async def test_a_wrong_code_is_refused_in_words(harness: Harness) -> None:
    challenge = await harness.sign_in.redeem(await harness.invite())
    wrong = "000000" if harness.last_code() != "000000" else "111111"
    with pytest.raises(AccountError) as refused:
        await harness.sign_in.verify(challenge, wrong, "Test phone")
    assert str(refused.value)


async def test_contact_choices_round_trip_and_a_bad_choice_changes_nothing(harness: Harness) -> None:
    account = harness.account(await signed_in(harness))
    assert (await account.contact_preferences()).channels == ("sms",)
    chosen = ContactPreferences(("sms", "phone_call"), "Weekdays after 6pm", True, news_alerts=False)
    assert await account.save_contact_preferences(chosen) == chosen
    with pytest.raises(AccountError):
        await account.save_contact_preferences(ContactPreferences(("sms", "sms"), "", False))
    assert await account.contact_preferences() == chosen


async def test_the_forces_support_list_when_it_has_one(harness: Harness) -> None:
    account = harness.account(await signed_in(harness))
    assert await account.local_services() is None
    harness.publish_local_services(LOCAL)
    assert await account.local_services() == LOCAL


async def test_after_signing_out_the_token_no_longer_works(harness: Harness) -> None:
    account = harness.account(await signed_in(harness))
    await account.sign_out()
    with pytest.raises(AccountError):
        await account.contact_preferences()


async def test_the_revoke_key_alone_ends_the_session_and_says_the_same_twice(harness: Harness) -> None:
    """A device whose store can no longer be opened (too many wrong PINs) has only its revoke key."""
    identity = await signed_in(harness)
    assert identity.revoke_key
    revoking = replace(identity, token="", display_name="")
    await harness.account(revoking).sign_out()
    await harness.account(revoking).sign_out()  # already ended: the same quiet answer
    with pytest.raises(AccountError):
        await harness.account(identity).contact_preferences()


async def test_no_server_is_an_offline_error(harness: Harness) -> None:
    with pytest.raises(AccountError) as refused:
        await harness.unreachable().redeem("x" * 27)
    assert refused.value.offline
    assert "can't reach" in str(refused.value)
