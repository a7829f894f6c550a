"""Signing in as police staff: force, username and password, then the 6-digit code from their
authenticator app; or, on the first sign-in of an account without one, enrolling it (a QR code
and the secret as text, confirmed with a code).

Every refusal is shown beside the field it is about, in the server's words, and nothing typed
is lost: the form lives here, not in the screen, so the lock and quick exit keep it too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from app.content import Words
from app.domain import Identity
from app.observable import Observable
from app.officer_ports import Enrolment, OfficerConnector, OfficerProfile
from app.ports import AccountError

Step = Literal["details", "code", "enrol"]
Field = Literal["force", "username", "password", "code", "form"]
FIELDS: tuple[Field, ...] = ("force", "username", "password", "code")
DEVICE_NAME = "Victim's Portal app (officer)"

# The server's codes and the fields they are about (anything else shows above the button).
_FIELD_OF_CODE: dict[str, Field] = {
    "bad_credentials": "password",
    "bad_password": "password",
    "totp_required": "code",
    "bad_totp": "code",
}
_WIRE_FIELDS: dict[str, Field] = {
    "force_code": "force",
    "username": "username",
    "password": "password",
    "totp_code": "code",
}


class OfficerSignInState(Observable):
    def __init__(
        self,
        connector: OfficerConnector,
        words: Words,
        *,
        signed_in: Callable[[Identity, OfficerProfile], None],
        trouble: Callable[[AccountError], str],
    ) -> None:
        super().__init__()
        self._connector = connector
        self._words = words
        self._signed_in = signed_in
        self._trouble = trouble
        self.step: Step = "details"
        self.form: dict[Field, str] = dict.fromkeys(FIELDS, "")
        self.errors: dict[Field, str] = {}
        self.busy = False
        self.enrolment: Enrolment | None = None
        self._pending: Identity | None = None  # signed in, but the authenticator is not set up yet

    # ------------------------------------------------------------------ intents

    def type(self, field: Field, value: str) -> None:
        """What is typed is kept here (a refusal, the lock or quick exit never loses it)."""
        self.form[field] = value
        if field in self.errors:
            del self.errors[field]
            self.changed()

    async def submit(self) -> None:
        """'Sign in': with the code once the server has asked for it."""
        if self.busy:
            return
        form = {k: v.strip() for k, v in self.form.items()}
        errors: dict[Field, str] = {}
        for field in ("force", "username", "password"):
            if not form[field]:
                errors[field] = self._words(f"officer.sign_in.missing.{field}")
        code = "".join(form["code"].split())
        if self.step == "code" and not _six_digits(code):
            errors["code"] = self._words("say.code_invalid")
        if errors:
            self._refuse(errors)
            return
        connector = self._connector

        async def login() -> None:
            identity = await connector.officer_sign_in().login(
                form["force"].lower(),
                form["username"],
                self.form["password"],
                code if self.step == "code" else None,
                DEVICE_NAME,
            )
            account = connector.officer_account(identity)
            profile = await account.me()
            if profile.totp_enabled:
                self._finish(identity, profile)
                return
            self.enrolment = await account.start_enrolment(self.form["password"])
            self._pending = identity
            self.form["code"] = ""
            self.step = "enrol"

        await self._call(login())

    async def confirm_enrolment(self) -> None:
        """The first code from the newly set-up authenticator makes it the one in use."""
        if self.busy or self._pending is None:
            return
        code = "".join(self.form["code"].split())
        if not _six_digits(code):
            self._refuse({"code": self._words("say.code_invalid")})
            return
        identity = self._pending
        account = self._connector.officer_account(identity)

        async def confirm() -> None:
            await account.confirm_enrolment(code)
            self._finish(identity, await account.me())

        await self._call(confirm())

    def start_again(self) -> None:
        """Back to force, username and password (what was typed stays, but for the code)."""
        self.step = "details"
        self.form["code"] = ""
        self.errors = {}
        self.enrolment = None
        self._pending = None
        self.changed()

    # ------------------------------------------------------------------ plumbing

    def _finish(self, identity: Identity, profile: OfficerProfile) -> None:
        self._signed_in(identity, profile)
        # nothing of the form outlives the sign-in (the password least of all)
        self.form = dict.fromkeys(FIELDS, "")
        self.errors = {}
        self.enrolment = None
        self._pending = None
        self.step = "details"

    def _refuse(self, errors: dict[Field, str]) -> None:
        self.errors = errors
        self.changed()

    async def _call(self, work: Awaitable[None]) -> None:
        self.busy = True
        self.errors = {}
        self.changed()
        try:
            await work
        except AccountError as exc:
            if exc.code == "totp_required" and self.step == "details":
                self.step = "code"  # not a mistake: the account has an authenticator
            else:
                self.errors = {_field_of(exc): self._trouble(exc)}
        finally:
            self.busy = False
            self.changed()


def _six_digits(code: str) -> bool:
    return code.isdigit() and len(code) == 6


def _field_of(exc: AccountError) -> Field:
    if exc.code in _FIELD_OF_CODE:
        return _FIELD_OF_CODE[exc.code]
    if exc.code == "invalid_request":  # "username: ..." names the field the server refused
        return _WIRE_FIELDS.get(str(exc).split(":", 1)[0].strip(), "form")
    return "form"
