"""Every limit holds when many requests arrive at once on two server processes sharing one
PostgreSQL database (SQLite serialises its writers, so it would hide a race)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from sync.server import limits
from sync.server.models import attempt, challenge, notification
from tests.conftest import postgres_database
from tests.liveserver import server
from tests.support import PASSWORD, FakeClock, open_api, settings_for
from tests.worlds import empty_postgres

IN_FLIGHT = 24


@dataclass
class Live:
    url: str
    database_url: str
    notify_file: Path
    invitation_token: str

    def count(self, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one())
        finally:
            engine.dispose()

    def codes_sent(self) -> list[str]:
        return [note["body"].split("code is ")[1][:6] for note in notes_of(self.notify_file, "code")]

    async def codes(self, count: int) -> list[str]:
        """The codes sent, once there are ``count``: either worker may be the one that sends a
        notification (the one that stored it, or the other on its next pass over the outbox)."""
        await delivered(self.notify_file, "code", count)
        return self.codes_sent()


def notes_of(notify_file: Path, purpose: str) -> list[dict[str, Any]]:
    lines = notify_file.read_text().splitlines() if notify_file.exists() else []
    return [note for note in map(json.loads, lines) if note["purpose"] == purpose]


async def delivered(notify_file: Path, purpose: str, count: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while len(notes_of(notify_file, purpose)) < count:
        assert time.monotonic() < deadline, f"fewer than {count} {purpose} notifications were sent"
        await asyncio.sleep(0.05)


@dataclass
class Serving:
    """Two workers on a database of their own, shared by this module's tests: starting them
    costs more than any one test here, and each test starts from an emptied database."""

    url: str
    database_url: str
    notify_file: Path


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serving]:
    folder = tmp_path_factory.mktemp("limits")
    with postgres_database("limits") as database_url:
        settings = settings_for(database_url, folder)
        env = {
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_SECRET_KEY": settings.secret_key.get_secret_value(),
            "PORTAL_NOTIFY_FILE": str(settings.notify_file),
            # One proxy hop trusted, so a test can speak from many addresses; without the header
            # the address is the socket's (127.0.0.1).
            "PORTAL_TRUSTED_PROXIES": "1",
        }
        with server(env, workers=2) as url:
            yield Serving(url, database_url, settings.notify_file)


@pytest.fixture
async def live(serving: Serving) -> Live:
    empty_postgres(serving.database_url)  # the workers keep no state of their own but the database
    serving.notify_file.unlink(missing_ok=True)
    # The running workers may send the invitation this puts in the outbox before this process
    # does: both write to the one notifications file, and the fixture waits for it there.
    async with open_api(serving.database_url, serving.notify_file.parent, FakeClock()) as api:
        api.create_force("tvp", "Thames Valley Police")
        officer = await api.add_officer("tvp", "pc1")
        case = await api.create_case(officer)
        invited = await api.client.post(f"/cases/{case['id']}/invitations", json={}, headers=officer.auth)
        assert invited.status_code == 201, invited.text
        await delivered(serving.notify_file, "invitation", 1)
        token = api.last_invitation_token()
    return Live(serving.url, serving.database_url, serving.notify_file, token)


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=40))


def _codes(responses: list[httpx.Response]) -> list[str]:
    return [str(r.json()["error"]["code"]) if r.status_code >= 400 else str(r.status_code) for r in responses]


async def test_wrong_codes_at_once_get_no_more_than_the_allowed_tries(live: Live) -> None:
    async with _client() as client:
        redeemed = await client.post(f"{live.url}/auth/victim/redeem", json={"token": live.invitation_token})
        assert redeemed.status_code == 201, redeemed.text
        challenge_id = redeemed.json()["challenge_id"]
        (right,) = await live.codes(1)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"

        def verify(code: str, n: int) -> Any:
            body = {"challenge_id": challenge_id, "code": code, "device_name": "Phone"}
            # Each from its own address, so the per-address limit does not queue them.
            return client.post(
                f"{live.url}/auth/victim/verify", json=body, headers={"X-Forwarded-For": f"198.51.100.{n}"}
            )

        answers = await asyncio.gather(*(verify(wrong, n) for n in range(IN_FLIGHT)))
        after = await verify(right, 250)

    # A code checked and found wrong is answered 400; one no longer checked, 410.
    checked = [r for r in answers if r.status_code == 400]
    assert 1 <= len(checked) <= 5, _codes(answers)
    assert live.count(challenge, challenge.c.attempts > 5) == 0
    assert after.status_code == 410, after.text
    assert after.json()["error"]["code"] == "code_locked"


async def test_redeems_at_once_send_at_most_three_codes_and_leave_one_live(live: Live) -> None:
    async with _client() as client:
        body = {"token": live.invitation_token}
        answers = await asyncio.gather(
            *(client.post(f"{live.url}/auth/victim/redeem", json=body) for _ in range(IN_FLIGHT))
        )
    sent = [r for r in answers if r.status_code == 201]
    assert 1 <= len(sent) <= limits.CODES_PER_INVITATION.max_failures, _codes(answers)
    assert set(_codes(answers)) <= {"201", "rate_limited"}
    assert live.count(notification, notification.c.purpose == "code") == len(sent)
    assert len(await live.codes(len(sent))) == len(sent)
    assert live.count(challenge, challenge.c.used_at.is_(None)) == 1


async def test_verifies_at_once_from_one_address_stay_within_its_limit(live: Live) -> None:
    async with _client() as client:
        answers = await asyncio.gather(
            *(
                client.post(
                    f"{live.url}/auth/victim/verify",
                    json={"challenge_id": str(uuid.uuid4()), "code": "123456", "device_name": "Phone"},
                )
                for _ in range(limits.VICTIM_VERIFY_PER_IP.max_failures + 10)
            )
        )
    refused = [r for r in answers if r.status_code == 429]
    assert len(answers) - len(refused) <= limits.VICTIM_VERIFY_PER_IP.max_failures, _codes(answers)
    assert set(_codes(answers)) == {"challenge_unknown", "rate_limited"}
    assert live.count(attempt, attempt.c.scope == limits.VICTIM_VERIFY_PER_IP.scope) <= 20


async def test_wrong_passwords_at_once_stay_within_the_account_limit(live: Live) -> None:
    async with _client() as client:
        body = {"force_code": "tvp", "username": "pc1", "password": PASSWORD + "-wrong"}
        answers = await asyncio.gather(
            *(client.post(f"{live.url}/auth/officer/login", json=body) for _ in range(IN_FLIGHT))
        )
        right = await client.post(f"{live.url}/auth/officer/login", json={**body, "password": PASSWORD})
    tried = [r for r in answers if r.status_code != 429]
    assert len(tried) <= limits.OFFICER_LOGIN_PER_ACCOUNT.max_failures, _codes(answers)
    assert set(_codes(answers)) == {"bad_credentials", "rate_limited"}
    assert live.count(attempt, attempt.c.scope == limits.OFFICER_LOGIN_PER_ACCOUNT.scope) <= 5
    assert right.status_code == 429


async def test_unknown_invitations_at_once_from_one_address_stay_within_its_limit(live: Live) -> None:
    limit = limits.VICTIM_REDEEM_PER_IP
    async with _client() as client:
        answers = await asyncio.gather(
            *(
                client.post(f"{live.url}/auth/victim/redeem", json={"token": f"guess-{n:04d}-abcdefghij"})
                for n in range(limit.max_failures + 12)
            )
        )
    assert len([r for r in answers if r.status_code != 429]) <= limit.max_failures, _codes(answers)
    assert set(_codes(answers)) == {"invitation_unknown", "rate_limited"}
    assert live.count(attempt, attempt.c.scope == limit.scope) <= limit.max_failures


async def test_wrong_sign_ins_at_once_from_one_address_stay_within_its_limit(live: Live) -> None:
    limit = limits.OFFICER_LOGIN_PER_IP
    async with _client() as client:
        answers = await asyncio.gather(
            *(
                client.post(
                    f"{live.url}/auth/officer/login",
                    json={"force_code": "tvp", "username": f"nobody{n}", "password": "guess"},
                )
                for n in range(limit.max_failures + 10)
            )
        )
    assert len([r for r in answers if r.status_code != 429]) <= limit.max_failures, _codes(answers)
    assert set(_codes(answers)) == {"bad_credentials", "rate_limited"}
    assert live.count(attempt, attempt.c.scope == limit.scope) <= limit.max_failures
