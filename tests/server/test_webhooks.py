"""Outbound webhooks: a force's record system hears of every new message, update request, read
receipt and closure, signed, in order per case, from an outbox written with the event; a real
receiver on 127.0.0.1 that fails, answers too late and recovers gets each event once."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sync.protocol import Role, UpdateRequestCreate
from sync.server import cli
from sync.server.context import RequestInfo
from sync.server.models import audit_event, event, webhook, webhook_delivery
from sync.server.security import Secrets
from sync.server.services import update_requests
from sync.server.webhook import outbox
from sync.server.webhook.signature import sign, verify
from tests.support import Api, FakeClock, Officer, Victim, open_api
from tests.webhook_receiver import FAIL, SLOW, Receiver, running

# Short waits, so failures and retries take a fraction of a second.
FAST: dict[str, Any] = {
    "webhook_timeout_seconds": 0.5,
    "webhook_lease_seconds": 3,
    "webhook_retry_seconds": 0.05,
    "webhook_retry_max_seconds": 0.2,
    "webhook_poll_seconds": 0.05,
}


async def until(condition: Callable[[], bool], seconds: float = 30, what: str = "the condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


@dataclass
class Force:
    api: Api
    admin: Officer
    sgt: Officer
    pc: Officer
    victims: list[Victim]

    def pending(self) -> int:
        return self.api.count(webhook_delivery, webhook_delivery.c.status == outbox.PENDING)

    def deliveries(self) -> list[sa.Row[Any]]:
        return sorted(self.api.rows(webhook_delivery), key=lambda row: row.seq)

    async def set_webhook(self, url: str, **body: Any) -> dict[str, Any]:
        response = await self.api.client.put("/webhook", json={"url": url, **body}, headers=self.admin.auth)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def figures(self) -> dict[str, Any]:
        # Deliveries keep wall time, and the request clock here is a test's, stopped: the period
        # runs to tomorrow so that it holds them.
        to = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        response = await self.api.client.get("/stats", params={"to": to}, headers=self.sgt.auth)
        assert response.status_code == 200, response.text
        figures: dict[str, Any] = response.json()["webhooks"]
        return figures


@pytest.fixture
async def force(database_url: str, tmp_path: Path) -> AsyncIterator[Force]:
    async with open_api(database_url, tmp_path, FakeClock(), **FAST) as api:
        api.create_force("tvp", "Thames Valley Police")
        admin = await api.add_officer("tvp", "admin", Role.ADMIN)
        sgt = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
        pc = await api.add_officer("tvp", "pc1")
        victims = [await api.victim_with_case(pc), await api.victim_with_case(pc, victim={"phone": "07700 900456"})]
        yield Force(api, admin, sgt, pc, victims)


# ---------------------------------------------------------------------------- signatures


def test_a_signature_checks_out_only_for_its_secret_body_and_time() -> None:
    body = b'{"id":"x"}'
    header = sign("s" * 32, 1_800_000_000, body)
    assert header.startswith("t=1800000000,v1=")
    assert verify("s" * 32, header, body, now=1_800_000_010)
    assert not verify("t" * 32, header, body, now=1_800_000_010)
    assert not verify("s" * 32, header, body + b" ", now=1_800_000_010)
    assert not verify("s" * 32, header, body, now=1_800_000_000 + 301)  # a replay, later
    assert not verify("s" * 32, header.replace("t=1800000000", "t=1800000005"), body, now=1_800_000_010)
    assert not verify("s" * 32, "v1=abc", body, now=1_800_000_010)


# ---------------------------------------------------------------------------- configuration


async def test_an_admin_sets_the_webhook_and_sees_its_secret_once(force: Force) -> None:
    api = force.api
    set_ = await force.set_webhook("https://records.tvp.example/portal?x=1")
    secret = set_["secret"]
    assert secret.startswith("whsec_")
    assert len(secret) > 40
    shown = await api.client.get("/webhook", headers=force.admin.auth)
    assert shown.status_code == 200
    assert shown.json()["url"] == "https://records.tvp.example/portal?x=1"
    assert "secret" not in shown.json()
    (row,) = api.rows(webhook)
    # Sealed at rest, and usable: the server reads it back to sign.
    assert secret not in row.secret_sealed
    assert api.services.ctx.secrets.unseal(row.secret_sealed, context=outbox.seal_context(row.force_id)) == secret
    given = await force.set_webhook("http://10.0.0.7:8080/in", secret="g" * 40)
    assert given["secret"] == "g" * 40
    assert api.count(webhook) == 1


BAD_WEBHOOKS: list[dict[str, Any]] = [
    {"url": "ftp://records.example/x"},
    {"url": "https://user:pw@records.example/x"},
    {"url": "records.example/x"},
    {"url": "https://records.example/a b"},
    {"url": "https://" + "a" * 2001},
    {"url": "https://records.example/", "secret": "short"},
    {"url": "https://records.example/", "extra": 1},
    {},
]


async def test_a_bad_webhook_is_refused_and_nothing_changes(force: Force) -> None:
    for body in BAD_WEBHOOKS:
        response = await force.api.client.put("/webhook", json=body, headers=force.admin.auth)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_request"
        assert "user:pw" not in response.text
        assert "short" not in response.text
    assert force.api.count(webhook) == 0


async def test_only_the_forces_admin_manages_the_webhook(force: Force) -> None:
    client = force.api.client
    for who in (force.pc, force.sgt, force.victims[0]):
        for method in ("GET", "PUT", "DELETE"):
            response = await client.request(method, "/webhook", json={"url": "https://x.example/"}, headers=who.auth)
            assert response.status_code == 403, (method, response.text)
            assert response.json()["error"]["code"] == "forbidden"
    key = force.api.integration_keys["tvp"]
    response = await client.put(
        "/webhook", json={"url": "https://x.example/"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 403
    assert (await client.get("/webhook")).status_code == 401
    assert (await client.get("/webhook", headers=force.admin.auth)).json()["error"]["code"] == "no_webhook"
    await force.set_webhook("https://x.example/")
    assert (await client.delete("/webhook", headers=force.admin.auth)).status_code == 204
    assert (await client.delete("/webhook", headers=force.admin.auth)).status_code == 404
    assert force.api.count(webhook) == 0


# ---------------------------------------------------------------------------- the outbox


async def test_events_are_queued_only_for_a_force_with_a_webhook(force: Force) -> None:
    api, victim = force.api, force.victims[0]
    assert (await api.send(victim, victim.case_id, "Before the webhook")).status_code == 201
    assert api.count(webhook_delivery) == 0
    await force.set_webhook("http://127.0.0.1:9/unused")  # nothing listens: they stay queued
    assert (await api.send(victim, victim.case_id, "After")).status_code == 201
    (row,) = force.deliveries()
    assert row.event_type == "message.created"
    assert row.status == outbox.PENDING
    assert str(row.case_id) == victim.case_id


async def test_a_queued_delivery_commits_with_its_event_or_not_at_all(force: Force) -> None:
    api, victim = force.api, force.victims[0]
    await force.set_webhook("http://127.0.0.1:9/unused")
    request = RequestInfo(token=victim.token, ip=None)

    def ask_then_fail(conn: sa.Connection) -> None:
        update_requests.request_update(
            conn, api.services.ctx, request, uuid.UUID(victim.case_id), UpdateRequestCreate(note="")
        )
        assert conn.execute(sa.select(sa.func.count()).select_from(webhook_delivery)).scalar_one() == 1
        raise RuntimeError("the transaction fails after the event was written")

    with pytest.raises(RuntimeError):
        api.services.db.run_write(ask_then_fail)
    assert api.count(webhook_delivery) == 0
    assert api.count(event, event.c.kind == "update_request") == 0


async def test_a_receiver_that_fails_times_out_and_recovers_gets_each_event_once_in_order(force: Force) -> None:
    api, pc = force.api, force.pc
    one, two = force.victims
    receiver = Receiver(plan=[FAIL, FAIL, SLOW, FAIL], slow_seconds=0.8)
    with running(receiver):
        receiver.secret = (await force.set_webhook(receiver.url))["secret"]
        for n in range(3):
            assert (await api.send(one, one.case_id, f"Message {n}")).status_code == 201
        for n in range(2):
            assert (await api.send(two, two.case_id, f"Other {n}")).status_code == 201
        reply = await api.send(pc, one.case_id, "We are looking into it")
        assert reply.status_code == 201
        read = await api.client.post(
            f"/cases/{one.case_id}/read", json={"up_to_seq": reply.json()["seq"]}, headers=one.auth
        )
        assert read.status_code == 200, read.text
        asked = await api.client.post(f"/cases/{two.case_id}/update-requests", json={}, headers=two.auth)
        assert asked.status_code == 201, asked.text
        plain = await api.client.post(f"/cases/{one.case_id}/updates", json={"text": "CCTV checked"}, headers=pc.auth)
        assert plain.status_code == 201
        closed = await api.client.post(
            f"/cases/{two.case_id}/updates",
            json={"status": "closed", "closed_outcome": "no_suspect", "text": "No suspect found."},
            headers=pc.auth,
        )
        assert closed.status_code == 201, closed.text
        rows = force.deliveries()
        assert Counter(row.event_type for row in rows) == {
            "message.created": 6,
            "messages.read": 1,
            "update_request.created": 1,
            "case.closed": 1,
        }
        await until(lambda: force.pending() == 0, what="every delivery acknowledged")

    assert receiver.refused == []
    assert receiver.answered.count(FAIL) == 3
    assert receiver.answered.count(SLOW) == 1
    assert receiver.duplicates == []
    assert sorted(receiver.ids()) == sorted(str(row.id) for row in rows)  # each event once
    for case_id, seqs in receiver.seqs_by_case().items():
        assert seqs == sorted(seqs), f"case {case_id} out of order: {seqs}"
    closure = next(r for r in receiver.received if r["type"] == "case.closed")
    assert closure["data"]["update"]["closed_outcome"] == "no_suspect"
    assert closure["force"] == "tvp"
    assert closure["crime_reference"].startswith("REF")
    bodies = [r["data"]["message"]["body"] for r in receiver.received if r["type"] == "message.created"]
    assert sorted(bodies) == ["Message 0", "Message 1", "Message 2", "Other 0", "Other 1", "We are looking into it"]
    done = force.deliveries()
    assert all(row.status == outbox.DELIVERED and row.payload == "" for row in done)
    assert sum(row.attempts for row in done) == len(done) + 4  # the four failures were retried
    figures = await force.figures()
    assert figures["pending"] == 0
    assert figures["delivered_in_period"] == len(done)


async def test_failures_show_in_the_supervisors_figures(force: Force) -> None:
    api, victim = force.api, force.victims[0]
    assert (await force.api.client.get("/stats", headers=force.sgt.auth)).json()["webhooks"] is None
    receiver = Receiver(plan=[FAIL] * 1000)
    with running(receiver):
        receiver.secret = (await force.set_webhook(receiver.url))["secret"]
        for n in range(2):
            assert (await api.send(victim, victim.case_id, f"Message {n}")).status_code == 201
        await until(lambda: sum(row.attempts for row in force.deliveries()) >= 3, what="failed attempts")
        figures = await force.figures()
        assert figures["configured"] is True
        assert figures["pending"] == 2
        assert figures["failing"] == 1  # the second waits behind the first: never sent before it
        assert figures["failed_attempts"] >= 3
        assert figures["last_error"] == "HTTP 500"
        oldest = min(row.created_at for row in force.deliveries())
        assert figures["oldest_undelivered_at"].replace("Z", "+00:00") == oldest.isoformat()
        assert receiver.received == []
        receiver.plan.clear()
        await until(lambda: force.pending() == 0, what="recovery")
    figures = await force.figures()
    assert figures["pending"] == figures["failing"] == figures["failed_attempts"] == 0
    assert figures["last_error"] is None
    assert figures["oldest_undelivered_at"] is None
    assert figures["delivered_in_period"] == 2
    assert len(receiver.ids()) == 2


async def test_the_command_line_sets_the_webhook_and_refuses_bad_input(
    force: Force, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = force.api.settings
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key.get_secret_value())
    capsys.readouterr()
    assert cli.main(["webhook", "--force", "tvp", "--url", "https://user:pw@records.example/"]) == 1
    assert cli.main(["webhook", "--force", "tvp", "--url", "https://records.example/", "--secret", "tooshort"]) == 1
    assert cli.main(["webhook", "--force", "nope", "--url", "https://records.example/"]) == 1
    refused = capsys.readouterr().out
    assert "not usable" in refused
    assert "No force" in refused
    assert "user:pw" not in refused
    assert "tooshort" not in refused
    assert force.api.count(webhook) == 0
    assert cli.main(["webhook", "--force", "TVP", "--url", "https://records.example/in", "--secret", "k" * 32]) == 0
    assert "signed with the secret you gave" in capsys.readouterr().out
    (row,) = force.api.rows(webhook)
    assert (
        force.api.services.ctx.secrets.unseal(row.secret_sealed, context=outbox.seal_context(row.force_id)) == "k" * 32
    )
    (audited,) = force.api.rows(audit_event, audit_event.c.action == "webhook.set")
    assert audited.detail == {"host": "records.example"}


async def test_a_secret_sealed_with_another_server_key_sends_nothing_until_set_again(force: Force) -> None:
    api, victim = force.api, force.victims[0]
    receiver = Receiver()
    with running(receiver):
        receiver.secret = (await force.set_webhook(receiver.url))["secret"]
        # As after PORTAL_SECRET_KEY was changed: the stored secret no longer opens.
        other = Secrets("another-server-secret-" + "y" * 32)

        def reseal(conn: sa.Connection) -> None:
            force_id = conn.execute(sa.select(webhook.c.force_id)).scalar_one()
            sealed = other.seal(receiver.secret, context=outbox.seal_context(force_id))
            conn.execute(sa.update(webhook).values(secret_sealed=sealed))

        api.services.db.run_write(reseal)
        assert (await api.send(victim, victim.case_id, "Hello")).status_code == 201
        await until(lambda: force.deliveries()[0].attempts >= 2, what="failed attempts")
        figures = await force.figures()
        assert "set the webhook again" in figures["last_error"]
        assert receiver.answered == []  # never sent unsigned, nor signed with anything else
        receiver.secret = (await force.set_webhook(receiver.url))["secret"]
        await until(lambda: force.pending() == 0, what="delivery once the webhook is set again")
    assert [r["data"]["message"]["body"] for r in receiver.received] == ["Hello"]
