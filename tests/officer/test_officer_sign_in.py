"""Signing in as police staff (app/officer_sign_in.py) against the real backend."""

from __future__ import annotations

import pyotp

from app.domain import Identity
from app.officer_sign_in import OfficerSignInState, Step
from app.portal import Portal
from sync.server.models import officer
from tests.officer.conftest import Device
from tests.support import Api


def step(state: OfficerSignInState) -> Step:
    """Read afresh (mypy would otherwise keep an earlier assert's narrowing across an await)."""
    return state.step


def phase(portal: Portal) -> str:
    return portal.phase  # read afresh (see step)


def signed_in(device: Device) -> Identity | None:
    return device.portal.session.identity  # read afresh (see step)


async def test_first_sign_in_enrols_an_authenticator_with_a_qr_code_and_the_secret_as_text(
    backend: Api, device: Device
) -> None:
    backend.create_officer("tvp", "pc1")
    sign_in = device.officer.sign_in
    sign_in.type("force", "TVP")  # as a person might type it
    sign_in.type("username", "pc1")
    sign_in.type("password", "correct-horse-battery")
    await sign_in.submit()
    assert step(sign_in) == "enrol"
    enrolment = sign_in.enrolment
    assert enrolment is not None
    assert enrolment.secret
    assert enrolment.provisioning_uri.startswith("otpauth://totp/")
    assert device.portal.session.identity is None  # nobody is signed in until the authenticator is confirmed

    sign_in.type("code", "000000" if pyotp.TOTP(enrolment.secret).now() != "000000" else "111111")
    await sign_in.confirm_enrolment()
    assert step(sign_in) == "enrol"
    assert sign_in.errors["code"]

    sign_in.type("code", pyotp.TOTP(enrolment.secret).at(backend.clock.now))
    await sign_in.confirm_enrolment()
    assert sign_in.errors == {}
    identity = signed_in(device)
    assert identity is not None
    assert identity.kind == "officer"
    assert identity.display_name == "Officer pc1"
    assert device.portal.phase == "offer_pin"  # the same PIN lock as a victim's
    assert device.officer.active
    assert device.officer.reads_cases
    assert backend.rows(officer, officer.c.username == "pc1")[0].totp_enabled
    assert sign_in.form["password"] == ""  # nothing of the form outlives the sign-in


async def test_an_enrolled_officer_is_asked_for_their_code_and_a_wrong_one_shows_beside_the_field(
    backend: Api, device: Device
) -> None:
    enrolled = await backend.add_officer("tvp", "pc1")
    secret = backend.authenticators[("tvp", enrolled.username)]
    sign_in = device.officer.sign_in
    for field, value in (("force", "tvp"), ("username", "pc1"), ("password", "correct-horse-battery")):
        sign_in.type(field, value)  # type: ignore[arg-type]
    await sign_in.submit()
    assert step(sign_in) == "code"
    assert sign_in.errors == {}

    sign_in.type("code", "12345")
    await sign_in.submit()
    assert "code" in sign_in.errors  # checked here: six digits

    wrong = "000000" if pyotp.TOTP(secret).at(backend.clock.now) != "000000" else "111111"
    sign_in.type("code", wrong)
    await sign_in.submit()
    assert sign_in.errors["code"] == "The authenticator code is not right, or was already used."
    assert sign_in.form["username"] == "pc1"
    assert sign_in.form["password"]

    backend.clock.advance(seconds=30)
    sign_in.type("code", pyotp.TOTP(secret).at(backend.clock.now))
    await sign_in.submit()
    assert device.officer.active


async def test_a_wrong_password_is_refused_beside_the_password_and_nothing_typed_is_lost(
    backend: Api, device: Device
) -> None:
    backend.create_officer("tvp", "pc1")
    sign_in = device.officer.sign_in
    sign_in.type("force", "tvp")
    sign_in.type("username", "pc1")
    sign_in.type("password", "not-the-password")
    await sign_in.submit()
    assert sign_in.errors == {"password": "The force, username or password is not right."}
    assert sign_in.form["force"] == "tvp"
    assert sign_in.form["username"] == "pc1"
    assert step(sign_in) == "details"
    assert device.portal.session.identity is None

    sign_in.type("username", "")
    await sign_in.submit()
    assert set(sign_in.errors) == {"username"}  # missing fields are named before anything is sent


async def test_a_server_that_cannot_be_reached_keeps_the_form(backend: Api) -> None:
    from tests.officer.conftest import open_device

    device = open_device(backend)
    import httpx

    from sync.officer_account import HttpOfficerConnector

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no network", request=request)

    device.officer.sign_in._connector = HttpOfficerConnector("http://testserver", transport=httpx.MockTransport(refuse))
    sign_in = device.officer.sign_in
    for field, value in (("force", "tvp"), ("username", "pc1"), ("password", "pw")):
        sign_in.type(field, value)  # type: ignore[arg-type]
    await sign_in.submit()
    assert sign_in.errors == {"form": device.portal.words("say.offline")}
    assert sign_in.form == {"force": "tvp", "username": "pc1", "password": "pw", "code": ""}


async def test_one_person_per_device_a_signed_in_officer_is_told_to_sign_out_before_using_an_invitation(
    backend: Api, device: Device
) -> None:
    await backend.add_officer("tvp", "pc1")
    secret = backend.authenticators[("tvp", "pc1")]
    await device.sign_in("tvp", "pc1", secret=secret)
    assert device.officer.someone_else("victim") == device.portal.words("officer.switch.officer")
    assert device.officer.someone_else("officer") == ""

    await device.portal.session.sign_out_and_delete()  # the officer's cache goes with the sign-out
    assert device.portal.session.identity is None
    assert device.portal.session.store.cases() == []
    assert device.officer.profile is None
    assert device.officer.someone_else("victim") == ""


async def test_quick_exit_and_the_pin_lock_work_in_officer_mode_and_keep_a_half_typed_reply(
    backend: Api, device: Device
) -> None:
    officer = await backend.add_officer("tvp", "pc1")
    created = await backend.create_case(officer)
    await device.sign_in("tvp", "pc1", secret=backend.authenticators[("tvp", "pc1")])
    await device.settle(lambda: device.portal.session.store.case(created["id"]) is not None)
    portal = device.portal
    portal.safety.choose_pin("2468", "2468")
    case = device.officer.case(created["id"])
    case.type_reply("I will call you at")
    portal.safety.quick_exit()
    assert phase(portal) == "exited"
    portal.safety.come_back()
    assert phase(portal) == "locked"  # back only with the PIN
    assert (await portal.safety.unlock("1111")).outcome != "unlocked"
    assert (await portal.safety.unlock("2468")).outcome == "unlocked"
    assert phase(portal) == "ready"
    assert device.officer.active
    assert device.officer.case(created["id"]).reply_text == "I will call you at"
