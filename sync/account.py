"""The real adapters for the app's sign-in and account ports: HTTP to the backend.

Every refusal comes back as an ``AccountError`` carrying the server's own plain-words
message; a network failure says so in words a person can act on.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Literal

import httpx
from pydantic import TypeAdapter, ValidationError

from app.content import ServiceList, SupportService
from app.domain import Challenge, ContactMethod, ContactPreferences, Identity
from app.ports import AccountError
from app.store.port import Store
from sync import protocol
from sync.engine import request_body
from sync.runner import SyncRunner

OFFLINE = "We can't reach the police system just now. Check your internet connection and try again."
TROUBLE = "The police system is having trouble just now. Please try again in a few minutes."
_CHALLENGE = TypeAdapter(protocol.ChallengePublic)
_TOKEN = TypeAdapter(protocol.TokenPublic)
_PREFERENCES = TypeAdapter(protocol.ContactPreferences)
_SERVICES = TypeAdapter(protocol.SupportServicesPublic)


class _Http:
    def __init__(self, server_url: str, token: str | None = None, transport: httpx.AsyncBaseTransport | None = None):
        self.server_url = server_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._transport = transport

    @property
    def has_token(self) -> bool:
        return bool(self._headers)

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        try:
            async with httpx.AsyncClient(
                base_url=self.server_url, headers=self._headers, transport=self._transport, timeout=20
            ) as client:
                response = await client.request(method, f"{protocol.API_PREFIX}{path}", json=body)
        except httpx.TransportError as exc:
            raise AccountError(OFFLINE, code="offline", offline=True) from exc
        if response.status_code >= 500:
            raise AccountError(TROUBLE, code="server_error")
        if response.status_code >= 400:
            code, message = _error(response)
            raise AccountError(message, code=code)
        return response


def _error(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json()["error"]
        return str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        return "error", TROUBLE


def _parse(adapter: TypeAdapter[Any], response: httpx.Response) -> Any:
    try:
        return adapter.validate_json(response.content)
    except ValidationError as exc:
        raise AccountError(TROUBLE, code="bad_answer") from exc


class HttpSignIn:
    def __init__(self, server_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = _Http(server_url, transport=transport)

    async def redeem(self, token: str) -> Challenge:
        body = request_body(protocol.InvitationRedeem.model_construct(token=token))
        response = await self._http.call("POST", "/auth/victim/redeem", body)
        challenge: protocol.ChallengePublic = _parse(_CHALLENGE, response)
        channel: Literal["sms", "email"] = "email" if challenge.channel == protocol.ContactChannel.EMAIL else "sms"
        return Challenge(str(challenge.challenge_id), channel, challenge.sent_to, challenge.expires_at)

    async def verify(self, challenge: Challenge, code: str, device_name: str) -> Identity:
        body = request_body(
            protocol.VictimVerify.model_construct(
                challenge_id=uuid.UUID(challenge.challenge_id), code=code, device_name=device_name
            )
        )
        response = await self._http.call("POST", "/auth/victim/verify", body)
        token: protocol.TokenPublic = _parse(_TOKEN, response)
        return Identity(
            "victim",
            self._http.server_url,
            token.token,
            "You",
            force_code=token.force_code,
            revoke_key=token.revoke_key or "",
        )


class HttpAccount:
    def __init__(self, identity: Identity, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = _Http(identity.server_url, identity.token, transport)
        self._revoke_key = identity.revoke_key

    async def contact_preferences(self) -> ContactPreferences:
        return _preferences(_parse(_PREFERENCES, await self._http.call("GET", "/me/contact-preferences")))

    async def save_contact_preferences(self, preferences: ContactPreferences) -> ContactPreferences:
        body = request_body(
            protocol.ContactPreferences.model_construct(
                contact_channels=[protocol.ContactMethod(channel) for channel in preferences.channels],
                contact_times=preferences.times,
                safe_to_leave_voicemail=preferences.voicemail_ok,
                news_alerts=preferences.news_alerts,
            )
        )
        return _preferences(_parse(_PREFERENCES, await self._http.call("PUT", "/me/contact-preferences", body)))

    async def local_services(self) -> ServiceList | None:
        try:
            response = await self._http.call("GET", "/support-services")
        except AccountError as exc:
            if exc.code == "no_local_list":
                return None
            raise
        wire: protocol.SupportServicesPublic = _parse(_SERVICES, response)
        return ServiceList(
            wire.version,
            tuple(
                SupportService(s.id, s.name, s.purpose, s.phone, s.website, s.source, s.reviewed) for s in wire.services
            ),
        )

    async def sign_out(self) -> None:
        if self._revoke_key and not self._http.has_token:
            # The store (and the token in it) is gone: the revoke key ends the session instead.
            await self._http.call(
                "POST",
                "/auth/revoke",
                request_body(protocol.SessionRevoke.model_construct(revoke_key=self._revoke_key)),
            )
            return
        await self._http.call("POST", "/auth/logout")


def _preferences(wire: protocol.ContactPreferences) -> ContactPreferences:
    channels: tuple[ContactMethod, ...] = tuple(c.value for c in wire.contact_channels)
    return ContactPreferences(channels, wire.contact_times, wire.safe_to_leave_voicemail, wire.news_alerts)


class HttpConnector:
    """Builds the real parts for a signed-in identity (the store is shared with the app)."""

    def __init__(self, store: Callable[[], Store], *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._store = store
        self._transport = transport

    def sync(self, identity: Identity) -> SyncRunner:
        return SyncRunner(
            self._store(), identity.server_url, identity.token, transport=self._transport, reader=identity.kind
        )

    def account(self, identity: Identity) -> HttpAccount:
        return HttpAccount(identity, transport=self._transport)
