"""The app's seams to the outside world, as small interfaces.

``sync/`` holds the real adapters (HTTP to the backend, the sync runner). The sign-in and the
account have in-memory fakes, held to the adapters' behaviour by one contract suite
(tests/test_account_contract.py); the sync runner has no fake: the app's tests run the real one
over ``httpx.MockTransport``. Nothing here knows about Flet or HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal, Protocol

from app.content import ServiceList
from app.domain import Challenge, ContactPreferences, Identity, Message

ConnectionState = Literal["online", "offline", "syncing"]

# Settings the sync runner keeps in the store for the app to read
LAST_SYNCED = "sync.last_synced_at"  # for the offline banner after a restart
LOCAL_SERVICES = "support.local"  # the force's own support list, to show offline too


class AccountError(Exception):
    """The server refused or could not be reached; ``str(exc)`` says why in plain words."""

    def __init__(self, message: str, *, code: str = "error", offline: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.offline = offline

    @property
    def server_trouble(self) -> bool:
        """The server failed or answered nonsense (not a refusal in its own words)."""
        return self.code in ("server_error", "bad_answer", "error")

    @property
    def unheard(self) -> bool:
        """The server did not take the request in: worth sending again later."""
        return self.offline or self.server_trouble


class SignIn(Protocol):
    """Redeeming an invitation: the link's token, then the 6-digit code sent to the victim."""

    async def redeem(self, token: str) -> Challenge: ...
    async def verify(self, challenge: Challenge, code: str, device_name: str) -> Identity: ...


class Account(Protocol):
    """What a signed-in victim asks of the server outside the sync feed."""

    async def contact_preferences(self) -> ContactPreferences: ...
    async def save_contact_preferences(self, preferences: ContactPreferences) -> ContactPreferences: ...
    async def local_services(self) -> ServiceList | None:
        """The force's own support list, or None if it has none."""

    async def sign_out(self) -> None:
        """Ends this device's token on the server (best effort: the device forgets it anyway)."""


class Sync(Protocol):
    """The sync runner as the app sees it, and the one writer of the device's store: the app
    reads the store and asks the runner for every change. Writes go to the outbox and show
    at once."""

    on_change: Callable[[], None]
    signed_out: bool

    @property
    def state(self) -> ConnectionState: ...
    @property
    def last_synced_at(self) -> datetime | None: ...

    def start(self) -> None: ...
    async def stop(self) -> None: ...
    def keep_identity(self, identity: Identity) -> None:
        """Who this device syncs for, just signed in."""

    def keep_local_services(self, services: ServiceList) -> None:
        """The force's own support list, so it shows offline too."""

    def write_message(self, case_id: str, body: str, author_name: str) -> Message: ...
    def request_update(self, case_id: str, note: str = "") -> None: ...
    def mark_read(self, case_id: str, up_to_seq: int) -> None:
        """Read up to ``up_to_seq`` here at once, and tell the server."""

    def retry(self, item_id: str) -> None: ...
    def set_foreground(self, foreground: bool) -> None: ...
    def refresh(self) -> None: ...


class Connector(Protocol):
    """Builds the parts that need a signed-in identity."""

    def sync(self, identity: Identity) -> Sync: ...
    def account(self, identity: Identity) -> Account: ...
