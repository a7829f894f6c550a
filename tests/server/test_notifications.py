"""Notifications: one contract for every channel, and an outbox that loses nothing."""

from __future__ import annotations

import socket
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from sync.server.models import notification
from sync.server.notify import (
    Channel,
    DeliveryError,
    FileChannel,
    GovUkNotifyChannel,
    MemoryChannel,
    Notification,
    SmtpChannel,
)
from sync.server.notify.outbox import MAX_ATTEMPTS
from tests.support import Api, FakeClock, open_api

SMS = Notification("n-1", "sms", "+447700900123", "code", "Your sign-in code", "Your sign-in code is 123456.")
EMAIL = Notification("n-2", "email", "alex@example.org", "alert", "You have a new update", "Open the app to read it.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpInbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode()))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[int, SmtpInbox]]:
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


class NotifyStandIn:
    """GOV.UK Notify's two send endpoints, as its API documents them, on 127.0.0.1."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.status = 201
        app = FastAPI()

        @app.post("/v2/notifications/{kind}")
        async def send(kind: str, request: Request) -> JSONResponse:
            assert request.headers["authorization"].startswith("Bearer ")
            body = await request.json()
            self.received.append((kind, body))
            if self.status != 201:
                return JSONResponse(
                    {"errors": [{"error": "BadRequestError", "message": "no"}]}, status_code=self.status
                )
            return JSONResponse({"id": str(uuid.uuid4()), "reference": body.get("reference")}, status_code=201)

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> NotifyStandIn:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def notify_stand_in() -> Iterator[NotifyStandIn]:
    with NotifyStandIn() as stand_in:
        yield stand_in


API_KEY = f"portal_test-{uuid.uuid4()}-{uuid.uuid4()}"


def govuk(port: int) -> GovUkNotifyChannel:
    return GovUkNotifyChannel(
        API_KEY,
        sms_template_id=str(uuid.uuid4()),
        email_template_id=str(uuid.uuid4()),
        base_url=f"http://127.0.0.1:{port}",
    )


def delivered(name: str, channel: Channel, context: dict[str, Any]) -> list[tuple[str, str]]:
    """(recipient, text) pairs as the far side of each channel saw them."""
    if name == "file":
        import json

        lines = Path(context["path"]).read_text().splitlines()
        return [(json.loads(line)["recipient"], json.loads(line)["body"]) for line in lines]
    if name == "memory":
        assert isinstance(channel, MemoryChannel)
        return [(n.recipient, n.body) for n in channel.sent]
    if name == "smtp":
        return [(to[0], text) for to, text in context["inbox"].messages]
    return [
        (body.get("phone_number") or body.get("email_address"), body["personalisation"]["body"])
        for _, body in context["stand_in"].received
    ]


@pytest.fixture(params=["file", "memory", "smtp", "govuk"])
def channel_under_test(
    request: pytest.FixtureRequest, tmp_path: Path, smtp_server: tuple[int, SmtpInbox], notify_stand_in: NotifyStandIn
) -> tuple[str, Channel, dict[str, Any]]:
    name = request.param
    if name == "file":
        return name, FileChannel(tmp_path / "n.jsonl"), {"path": tmp_path / "n.jsonl"}
    if name == "memory":
        return name, MemoryChannel(), {}
    if name == "smtp":
        port, inbox = smtp_server
        inbox.messages.clear()
        return name, SmtpChannel("127.0.0.1", port, sender="portal@police.example"), {"inbox": inbox}
    notify_stand_in.received.clear()
    notify_stand_in.status = 201
    return name, govuk(notify_stand_in.port), {"stand_in": notify_stand_in}


def test_each_channel_delivers_to_the_recipient(channel_under_test: tuple[str, Channel, dict[str, Any]]) -> None:
    name, channel, context = channel_under_test
    channel.send(EMAIL)
    if name != "smtp":
        channel.send(SMS)
    seen = delivered(name, channel, context)
    assert seen[0][0] == EMAIL.recipient
    assert EMAIL.body in seen[0][1]
    if name != "smtp":
        assert seen[1] == (SMS.recipient, SMS.body)


def failing(name: str, tmp_path: Path, stand_in: NotifyStandIn) -> Channel:
    if name == "file":
        (tmp_path / "a-file").write_text("")
        return FileChannel(tmp_path / "a-file" / "n.jsonl")
    if name == "memory":
        channel = MemoryChannel()
        channel.fail_next("the provider is down")
        return channel
    if name == "smtp":
        return SmtpChannel("127.0.0.1", free_port(), sender="portal@police.example", timeout=2)
    if name == "govuk-refused":
        stand_in.status = 400
        return govuk(stand_in.port)
    return govuk(free_port())  # nothing listening


@pytest.mark.parametrize("name", ["file", "memory", "smtp", "govuk-refused", "govuk-unreachable"])
def test_a_channel_that_fails_says_why_without_the_contents(
    name: str, tmp_path: Path, notify_stand_in: NotifyStandIn
) -> None:
    with pytest.raises(DeliveryError) as failed:
        failing(name, tmp_path, notify_stand_in).send(EMAIL)
    notify_stand_in.status = 201
    reason = str(failed.value)
    assert reason
    assert EMAIL.recipient not in reason
    assert EMAIL.body not in reason


def test_smtp_does_not_send_text_messages(smtp_server: tuple[int, SmtpInbox]) -> None:
    with pytest.raises(DeliveryError, match="email only"):
        SmtpChannel("127.0.0.1", smtp_server[0], sender="portal@police.example").send(SMS)


async def test_an_invitation_that_fails_is_retried_and_the_officer_sees_it(
    database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    channel = MemoryChannel()
    channel.fail_next("the provider is down", times=2)
    async with open_api(database_url, tmp_path, clock, channel=channel) as api:
        api.create_force("tvp", "Thames Valley Police")
        officer = await api.add_officer("tvp", "pc1")
        case = await api.create_case(officer)
        response = await api.client.post(f"/cases/{case['id']}/invitations", json={}, headers=officer.auth)
        assert response.status_code == 201
        delivery = response.json()["delivery"]
        assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == (
            "pending",
            1,
            "the provider is down",
        )
        seen = (await api.client.get(f"/cases/{case['id']}", headers=officer.auth)).json()["notifications"]
        assert seen[0]["status"] == "pending"
        assert seen[0]["last_error"] == "the provider is down"

        assert api.services.outbox.deliver_due() == 0  # not due yet
        clock.advance(seconds=31)
        api.services.outbox.deliver_due()  # second failure
        clock.advance(minutes=2)
        api.services.outbox.deliver_due()
        (stored,) = api.rows(notification)
        assert (stored.status, stored.attempts, stored.body) == ("sent", 3, "")
        assert len(channel.sent) == 1
        assert "/i/" in channel.sent[0].body


async def test_a_notification_that_keeps_failing_is_marked_failed_for_the_officer(
    database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    channel = MemoryChannel()
    channel.fail_next("number not in service", times=MAX_ATTEMPTS)
    async with open_api(database_url, tmp_path, clock, channel=channel) as api:
        api.create_force("tvp", "Thames Valley Police")
        officer = await api.add_officer("tvp", "pc1")
        case = await api.create_case(officer)
        await api.client.post(f"/cases/{case['id']}/invitations", json={}, headers=officer.auth)
        for _ in range(MAX_ATTEMPTS):
            clock.advance(minutes=70)
            api.services.outbox.deliver_due()
        officer.token = await api.login("tvp", "pc1")  # hours later: the idle session has ended
        officer_view = (await api.client.get(f"/cases/{case['id']}", headers=officer.auth)).json()
        assert officer_view["notifications"][0]["status"] == "failed"
        assert officer_view["notifications"][0]["attempts"] == MAX_ATTEMPTS
        (stored,) = api.rows(notification)
        assert stored.body == ""  # a dead link is not kept


async def test_a_victim_who_turned_news_alerts_off_gets_none(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    chosen = {"contact_channels": ["sms"], "news_alerts": False}
    assert (await api.client.put("/me/contact-preferences", json=chosen, headers=victim.auth)).status_code == 200
    await api.client.post(f"/cases/{victim.case_id}/updates", json={"text": "CCTV checked"}, headers=officer.auth)
    await api.services.outbox.drain()
    assert [n for n in api.notifications() if n["purpose"] == "alert"] == []
    shown = (await api.client.get(f"/cases/{victim.case_id}", headers=officer.auth)).json()
    assert shown["victim"]["contact_preferences"]["news_alerts"] is False


async def test_alerts_say_nothing_about_the_case_and_are_not_repeated(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    never_signed_in = await api.create_case(officer, victim={"name": "Sam", "phone": "07700 900777"})
    victim = await api.victim_with_case(officer)
    case = (await api.client.get(f"/cases/{victim.case_id}", headers=officer.auth)).json()

    await api.client.post(
        f"/cases/{victim.case_id}/updates", json={"text": "A burglary suspect was arrested"}, headers=officer.auth
    )
    await api.send(officer, victim.case_id, "Please call me about the burglary")
    await api.client.post(
        f"/cases/{never_signed_in['id']}/updates", json={"text": "CCTV checked"}, headers=officer.auth
    )
    await api.services.outbox.drain()

    alerts = [n for n in api.notifications() if n["purpose"] == "alert"]
    assert len(alerts) == 1
    assert alerts[0]["recipient"] == "+447700900123"
    text = alerts[0]["body"] + alerts[0]["subject"]
    for detail in (case["crime_reference"], case["crime_type"], "Officer pc1", "burglary", "arrested", "police"):
        assert detail.lower() not in text.lower()


async def test_alerts_go_only_by_a_channel_the_victim_chose(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    # Invited by text, so the officer's preferred channel is SMS; the victim then unticks texts.
    victim = await api.victim_with_case(officer, victim={"email": "alex@example.org", "preferred_channel": "sms"})
    by_email = {"contact_channels": ["phone_call", "email"], "news_alerts": True}
    assert (await api.client.put("/me/contact-preferences", json=by_email, headers=victim.auth)).status_code == 200
    await api.client.post(f"/cases/{victim.case_id}/updates", json={"text": "CCTV checked"}, headers=officer.auth)
    await api.services.outbox.drain()
    alerts = [n for n in api.notifications() if n["purpose"] == "alert"]
    assert [(n["channel"], n["recipient"]) for n in alerts] == [("email", "alex@example.org")]

    calls_only = {"contact_channels": ["phone_call"], "news_alerts": True}
    assert (await api.client.put("/me/contact-preferences", json=calls_only, headers=victim.auth)).status_code == 200
    api.clock.advance(days=1)  # past the gap between alerts
    officer.token = await api.login("tvp", "pc1")
    await api.client.post(f"/cases/{victim.case_id}/updates", json={"text": "Witness seen"}, headers=officer.auth)
    await api.services.outbox.drain()
    assert len([n for n in api.notifications() if n["purpose"] == "alert"]) == 1  # a phone call is not an alert


async def test_a_pending_notification_keeps_its_code_and_link_sealed(
    database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    """A copy of the database must not hold a working sign-in code or invitation link."""
    channel = MemoryChannel()
    channel.fail_next("the provider is down", times=2)
    async with open_api(database_url, tmp_path, clock, channel=channel) as api:
        api.create_force("tvp", "Thames Valley Police")
        officer = await api.add_officer("tvp", "pc1")
        case = await api.create_case(officer)
        invited = await api.client.post(f"/cases/{case['id']}/invitations", json={}, headers=officer.auth)
        assert invited.status_code == 201
        clock.advance(seconds=31)
        api.services.outbox.deliver_due()  # the second failure: still pending
        (pending,) = api.rows(notification)
        assert pending.status == "pending"
        assert pending.body
        assert "/i/" not in pending.body
        assert "portal.example.test" not in pending.body

        clock.advance(minutes=2)
        api.services.outbox.deliver_due()
        (link,) = [n.body for n in channel.sent]
        assert "https://portal.example.test/i/" in link  # the channel gets the words as written
        channel.fail_next("the provider is down")
        redeemed = await api.redeem(link.split("/i/")[1].split()[0])
        assert redeemed.status_code == 201, redeemed.text
        code = [n for n in api.rows(notification) if n.purpose == "code"][0]
        assert code.status == "pending"
        assert code.body
        assert "code is" not in code.body


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no public authority signed, and its key."""
    import ipaddress
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.police.example")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "mail.pem", tmp_path / "mail.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_smtp_starttls_refuses_a_certificate_it_cannot_verify(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    inbox = SmtpInbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), tls_context=server_tls, require_starttls=True
    )
    controller.start()
    try:
        unverified = SmtpChannel("127.0.0.1", controller.port, sender="portal@police.example", starttls=True)
        with pytest.raises(DeliveryError, match="SSLCertVerificationError"):
            unverified.send(EMAIL)
        assert inbox.messages == []
        # The force's own authority, named in the settings, is trusted.
        trusted = SmtpChannel("127.0.0.1", controller.port, sender="portal@police.example", starttls=True, ca_file=cert)
        trusted.send(EMAIL)
        assert [to for to, _ in inbox.messages] == [["alex@example.org"]]
    finally:
        controller.stop()


async def test_a_body_sealed_with_a_secret_since_changed_is_never_sent_sealed(
    database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    """After PORTAL_SECRET_KEY changes, a pending body cannot be read back: it fails, in plain
    words for the officer, rather than going out as a string of sealed characters."""
    down = MemoryChannel()
    down.fail_next("the provider is down")
    async with open_api(database_url, tmp_path, clock, channel=down) as api:
        api.create_force("tvp", "Thames Valley Police")
        officer = await api.add_officer("tvp", "pc1")
        case = await api.create_case(officer)
        assert (
            await api.client.post(f"/cases/{case['id']}/invitations", json={}, headers=officer.auth)
        ).status_code == 201
    clock.advance(minutes=5)
    channel = MemoryChannel()
    async with open_api(database_url, tmp_path, clock, channel=channel, secret_key="another-secret-" + "y" * 32) as api:
        api.services.outbox.deliver_due()
        (row,) = api.rows(notification)
    assert channel.sent == []
    assert (row.status, row.body) == ("failed", "")
    assert "secret" in row.last_error
