"""The victim's app as state: which gate the person is at (signing in, locked, quick exit,
their case), what the screens show, and what each button does.

No Flet, no HTTP: the screens in ``views/`` read this and call its methods; the network is
behind the ports in ``app/ports.py``. Every change calls the listeners, which is how the
screens know to draw again (the sync runner calls in here when news arrives).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from app.content import Content, ServiceList, SupportService, merge_services, service_list_from_json
from app.content import service_list_to_json as _services_json
from app.domain import (
    Case,
    Challenge,
    ContactPreferences,
    Identity,
    Message,
    MessageState,
    OutboxItem,
    Update,
    shown_state,
)
from app.lock import AppLock, MemoryLockRecord, PinResult, has_legacy_pin, upgrade_legacy_pin, valid_pin
from app.ports import Account, AccountError, ConnectionState, Connector, SignIn, Sync
from app.signouts import PendingSignOuts
from app.store.keys import MemoryKeyProvider, new_key
from app.store.memory import MemoryStore
from app.store.port import Store

log = logging.getLogger(__name__)

Phase = Literal["welcome", "code", "offer_pin", "locked", "exited", "ready"]
_LOCAL_SERVICES = "support.local"
_DEVICE_NAME = "Victim's Portal app"
MESSAGE_MAX_CHARS = 4000  # the server's limit (sync/protocol.py); tests/test_layout.py holds them equal


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ShownMessage:
    message: Message
    mine: bool
    state: MessageState


class Portal:
    def __init__(
        self,
        store: Store | None,
        content: Content,
        *,
        sign_in: SignIn,
        connector: Connector,
        wipe: Callable[[], Store],
        clock: Callable[[], datetime] = utc_now,
        key_provider: str = "memory",
        lock: Callable[[], AppLock] | None = None,
        unseal: Callable[[bytes], Store] | None = None,
        sign_outs: PendingSignOuts | None = None,
    ) -> None:
        self._sign_outs = sign_outs or PendingSignOuts()
        # no store: a PIN wraps its key, and unlock() opens it with `unseal`; until then an
        # empty one stands in (nothing on the lock screen reads it)
        self._unseal = unseal if store is None else None
        self.store: Store = store if store is not None else MemoryStore()
        # the device's lock, asked each time: deleting everything gives the device a new one
        self._lock = lock or _memory_lock()
        self.key_provider = key_provider  # where the store's key is kept, for Settings
        self.content = content
        self.words = content.words
        self._sign_in = sign_in
        self._connector = connector
        self._wipe = wipe
        self.clock = clock
        self._listeners: list[Callable[[], None]] = []
        self.sync: Sync | None = None
        # whether a signed-in identity has a feed to sync (officer mode: an admin reads no cases)
        self.may_sync: Callable[[Identity], bool] = lambda identity: True
        self.challenge: Challenge | None = None
        self.invitation = ""  # the link or code as typed, kept when something goes wrong
        self.current_case_id: str | None = None
        self.error = ""  # the last thing that went wrong, in plain words
        self.notice = ""  # the last thing that went right ("Your message was sent")
        self.busy = False
        self._away_since: datetime | None = None
        self._before_exit: Phase = "welcome"
        self.drafts: dict[str, str] = {}  # what is being typed, by field, kept through lock and quick exit
        self.reading_case_id: str | None = None  # the conversation on screen, if any
        self.phase: Phase = "welcome"
        if self.lock.enabled or has_legacy_pin(self.store):
            self.phase = "locked"
        elif self.store.identity() is not None:
            self.phase = "ready"

    # ------------------------------------------------------------------ listening

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    # ------------------------------------------------------------------ who is here

    @property
    def identity(self) -> Identity | None:
        return self.store.identity()

    @property
    def lock(self) -> AppLock:
        # the lock only decides; unlock() stops syncing and then deletes the data itself
        return self._lock()

    def start(self) -> None:
        """Begin syncing if someone is signed in (call from inside the running event loop)."""
        self._send_sign_outs()
        identity = self.identity
        if identity is None or self.sync is not None or not self.may_sync(identity):
            return
        self.sync = self._connector.sync(identity)
        self.sync.on_change = self._on_sync_change
        self.sync.start()

    async def stop(self) -> None:
        if self.sync is not None:
            sync, self.sync = self.sync, None
            await sync.stop()

    def _on_sync_change(self) -> None:
        if self.sync is not None and self.sync.signed_out:
            # the server no longer accepts this device (signed out elsewhere, or the token
            # ended): forget what is here and ask for a new invitation
            asyncio.ensure_future(self._signed_out_by_server())
            return
        self.remember_synced()
        self.changed()

    async def _signed_out_by_server(self) -> None:
        await self._forget_device()
        self.error = self.words("say.signed_out")
        self.changed()

    # ------------------------------------------------------------------ signing in

    async def redeem(self, token_or_link: str) -> None:
        if self.busy:
            return  # a second tap or Enter while the first is on its way
        self.invitation = token_or_link
        token = invitation_token(token_or_link)
        if not token:
            self._fail(self.words("say.link_invalid"))
            return
        await self._call(self._redeem(token))

    async def _redeem(self, token: str) -> None:
        self.challenge = await self._sign_in.redeem(token)
        self.phase = "code"

    async def verify(self, code: str) -> None:
        if self.busy:
            return
        code = "".join(code.split())
        if self.challenge is None:
            self.phase = "welcome"
            self.changed()
            return
        if not (code.isdigit() and len(code) == 6):
            self._fail(self.words("say.code_invalid"))
            return
        await self._call(self._verify(self.challenge, code))

    async def _verify(self, challenge: Challenge, code: str) -> None:
        identity = await self._sign_in.verify(challenge, code, _DEVICE_NAME)
        self.challenge = None
        self.invitation = ""
        self.begin_session(identity)

    def begin_session(self, identity: Identity) -> None:
        """Someone has signed in (a victim with their code, police staff with their authenticator):
        keep who, offer a PIN, and start syncing."""
        self.store.set_identity(identity)
        self.phase = "offer_pin"
        # someone who has just typed the code is looking at the app, whatever an earlier page
        # said as it went away (a browser tab that left the app's address for the invitation
        # link reports itself hidden, and the page that replaces it never says "shown")
        self._away_since = None
        self.error = ""
        self.start()

    def start_again(self) -> None:
        """'The code never came': back to the invitation, to ask for a new code."""
        self.challenge = None
        self.phase = "welcome"
        self.error = ""
        self.changed()

    def choose_pin(self, pin: str, repeat: str, *, after_minutes: int = 0) -> None:
        if not valid_pin(pin):
            self._fail(self.words("say.pin_invalid"))
            return
        if pin != repeat:
            self._fail(self.words("say.pin_mismatch"))
            return
        self.lock.set_pin(pin, after_minutes=after_minutes, keep=self._revoke_ticket())
        self.error = ""
        self.notice = self.words("say.pin_set")
        if self.phase == "offer_pin":
            self.phase = "ready"
        self.changed()

    def skip_pin(self) -> None:
        self.phase = "ready"
        self.error = ""
        self.changed()

    def remove_pin(self) -> None:
        self.lock.clear_pin()
        self.notice = self.words("say.pin_removed")
        self.changed()

    # ------------------------------------------------------------------ safety

    def quick_exit(self) -> None:
        """Hide everything at once. Coming back needs the PIN, if there is one."""
        if self.phase != "exited":
            self._before_exit = self.phase
            self.phase = "exited"
            self.error = self.notice = ""
            self.changed()

    def come_back(self) -> None:
        if self.phase != "exited":
            return
        if self.identity is None:  # not signed in yet: back to where they were
            self.phase = self._before_exit if self._before_exit in ("welcome", "code") else "welcome"
        else:
            self.phase = "locked" if self.lock.enabled else "ready"
        self.changed()

    async def unlock(self, pin: str) -> PinResult:
        if has_legacy_pin(self.store):
            result = upgrade_legacy_pin(self.store, self.lock, pin)
        else:
            result = self.lock.check(pin)
        if result.outcome == "unlocked":
            if self._unseal is not None and self.lock.key is not None:
                self.store, self._unseal = self._unseal(self.lock.key), None
            self.phase = "ready" if self.identity is not None else "welcome"
            self.error = ""
            self.start()
        elif result.outcome == "wiped":
            if self._unseal is None:  # the store is open: its token can be ended on the server
                await self._sign_out_on_server()
            elif result.kept:  # the store is sealed for good: its revoke key ends the session instead
                await self._sign_out_on_server(_revoking(result.kept))
            await self._forget_device()
            self.error = self.words("say.pin_wiped")
        else:
            self.error = self.words.plural("say.pin_wrong", result.tries_left)
        self.changed()
        return result

    def to_background(self) -> None:
        if self._away_since is None:  # hidden, then paused: away since the first
            self._away_since = self.clock()
        if self.sync is not None:
            self.sync.set_foreground(False)

    def to_foreground(self) -> None:
        """Back in view. A return that follows no time away (shown, then resumed; or a window
        that only regained focus) changes nothing."""
        away_since, self._away_since = self._away_since, None
        if away_since is None:
            return
        if self.sync is not None:
            self.sync.set_foreground(True)
        if self.phase == "ready" and self.lock.needs_pin(opening=False, away_since=away_since, now=self.clock()):
            self.phase = "locked"
        elif self.reading_case_id is not None:
            self.read_messages(self.reading_case_id)
        self.changed()

    async def _forget_device(self) -> None:
        """Stop syncing, then delete everything on this device (it all stays on the server)."""
        await self.stop()
        self.store, self._unseal = self._wipe(), None
        self.phase = "welcome"
        self.challenge = None
        self.invitation = ""
        self.drafts.clear()

    def _revoke_ticket(self) -> dict[str, str] | None:
        """What the PIN's record keeps in the clear: enough to end this device's session and
        nothing more (never the token, which reads the case)."""
        identity = self.identity
        if identity is None or not identity.revoke_key:
            return None
        return self._revoke_ticket_of(identity)

    @staticmethod
    def _revoke_ticket_of(identity: Identity) -> dict[str, str]:
        return {"kind": identity.kind, "server_url": identity.server_url, "revoke_key": identity.revoke_key}

    async def _sign_out_on_server(self, identity: Identity | None = None) -> None:
        if (identity := identity or self.identity) is None:
            return
        try:
            await self._connector.account(identity).sign_out()
        except AccountError as exc:
            if exc.unheard:
                log.info("sign-out could not reach the server; it is sent at the next contact")
                # kept on the disk in the clear until then: the revoke key alone, never the token
                # that reads the case (devices signed in before revoke keys keep the token)
                self._sign_outs.add(_revoking(self._revoke_ticket_of(identity)) if identity.revoke_key else identity)

    def _send_sign_outs(self) -> None:
        """Sign-outs remembered while offline go at the next contact (the app opening, a sync)."""
        if self._sign_outs.identities():
            asyncio.ensure_future(self._sign_outs.send(self._connector))

    async def sign_out_and_delete(self) -> None:
        """Ends the token on the server (if it can be reached) and deletes everything here."""
        if self.busy:
            return
        self.busy = True
        self.changed()
        try:
            await self._sign_out_on_server()
            await self._forget_device()
        finally:
            self.busy = False
        self.error = ""
        self.notice = self.words("say.deleted")
        self.changed()

    async def end_session(self) -> None:
        """Web mode: the browser tab has gone (closed, reloaded, or sent to another address).
        On a shared computer nothing of this sign-in may outlive it: end the token on the
        server, stop syncing and delete the session's store. A page that comes back to this
        session starts at the welcome."""
        await self._sign_out_on_server()
        await self._forget_device()
        self.error = self.notice = ""
        self._away_since = None
        self._before_exit = "welcome"
        self.current_case_id = self.reading_case_id = None
        # no redraw: the page has gone, and main.py drops its Flet session (the next page is new)

    # ------------------------------------------------------------------ what the screens show

    @property
    def connection(self) -> ConnectionState:
        return self.sync.state if self.sync is not None else "offline"

    @property
    def last_synced_at(self) -> datetime | None:
        if self.sync is not None and self.sync.last_synced_at is not None:
            return self.sync.last_synced_at
        stored = self.store.setting("sync.last_synced_at")
        return datetime.fromisoformat(stored) if stored else None

    def remember_synced(self) -> None:
        """Keep the last sync time on the device, so the offline banner can say it after a restart."""
        if self.sync is not None and self.sync.last_synced_at is not None:
            self.store.set_setting("sync.last_synced_at", self.sync.last_synced_at.isoformat())

    def cases(self) -> list[Case]:
        # open cases first, then the most recently reported
        return sorted(self.store.cases(), key=lambda c: (c.status == "closed", -c.reported_on.toordinal()))

    def case(self, case_id: str) -> Case | None:
        return self.store.case(case_id)

    def updates(self, case_id: str) -> list[Update]:
        return self.store.updates(case_id)

    def conversation(self, case_id: str) -> list[ShownMessage]:
        case = self.store.case(case_id)
        shown = []
        for message in self.store.messages(case_id):
            mine = message.author_kind == "victim"
            state = shown_state(message, case, me="victim") if (mine and case is not None) else message.state
            shown.append(ShownMessage(message, mine, state))
        return shown

    def unread_count(self, case_id: str) -> int:
        case = self.store.case(case_id)
        if case is None:
            return 0
        return sum(
            1
            for m in self.store.messages(case_id)
            if m.author_kind != "victim" and m.seq is not None and m.seq > case.victim_read_seq
        )

    def unsent_requests(self, case_id: str) -> list[OutboxItem]:
        """Update requests the server refused, each with its reason, to show and offer again."""
        return [i for i in self.store.outbox() if i.case_id == case_id and i.kind == "update_request" and i.failed]

    def support_services(self) -> tuple[list[SupportService], list[SupportService]]:
        """(the force's local services, the national ones)."""
        stored = self.store.setting(_LOCAL_SERVICES)
        force: ServiceList | None = None
        if stored:
            try:
                force = service_list_from_json(stored)
            except (ValueError, KeyError, TypeError):
                log.warning("the stored local support list does not read back; showing the bundled one")
        return merge_services(self.content.services, force)

    # ------------------------------------------------------------------ what the buttons do

    def send_message(self, case_id: str, body: str) -> bool:
        """True if the message was accepted for sending (it then shows at once as Sending)."""
        body = body.strip()
        if not body:
            self._fail(self.words("say.message_empty"))
            return False
        if len(body) > MESSAGE_MAX_CHARS:
            self._fail(self.words("say.message_long", limit=MESSAGE_MAX_CHARS))
            return False
        if self.sync is None or self.identity is None:
            self._fail(self.words("say.not_signed_in"))
            return False
        self.sync.write_message(case_id, body, self.identity.display_name)
        self.error = ""
        self.changed()
        return True

    def retry(self, message_id: str) -> None:
        if self.sync is not None:
            self.sync.retry(message_id)
        self.changed()

    def request_update(self, case_id: str, note: str = "") -> None:
        if self.sync is None:
            self._fail(self.words("say.not_signed_in"))
            return
        self.sync.request_update(case_id, note.strip())
        self.error = ""
        self.notice = self.words("say.update_requested")
        self.changed()

    def read_messages(self, case_id: str) -> None:
        """The conversation is on screen: tell the officer it has been read, up to the newest."""
        case = self.store.case(case_id)
        if case is None or self.sync is None or self._away_since is not None:
            return  # nobody is looking: the officer must not see Read
        newest = max((m.seq or 0 for m in self.store.messages(case_id) if m.author_kind != "victim"), default=0)
        if newest > case.victim_read_seq:
            self.store.put_cases([replace(case, victim_read_seq=newest)])
            self.sync.mark_read(case_id, newest)

    def refresh(self) -> None:
        self._send_sign_outs()
        if self.sync is not None:
            self.sync.refresh()

    def clear_messages(self) -> None:
        self.error = self.notice = ""
        self.changed()

    # ------------------------------------------------------------------ talking to the account

    def _account(self) -> Account | None:
        """The signed-in victim's account on the server, or None before sign-in."""
        identity = self.identity
        return None if identity is None else self._connector.account(identity)

    async def load_contact_preferences(self) -> ContactPreferences | None:
        if (account := self._account()) is None:
            return None
        try:
            return await account.contact_preferences()
        except AccountError as exc:
            self._fail(self.account_trouble(exc))
            return None

    async def save_contact_preferences(self, preferences: ContactPreferences) -> str:
        """Why the choice was refused, in plain words, or "" when it was saved. The refusal is
        the caller's to show beside the choice (not the page's error, out of view at the top)."""
        if (account := self._account()) is None:
            return self.words("say.not_signed_in")
        if not preferences.channels:
            return self.words("say.contact_none")
        try:
            await account.save_contact_preferences(preferences)
        except AccountError as exc:
            return self.account_trouble(exc)
        self.error = ""
        self.notice = self.words("say.contact_saved")
        self.changed()
        return ""

    async def fetch_local_services(self) -> None:
        """The force's own support list; kept on the device so it shows offline too."""
        if (account := self._account()) is None:
            return
        try:
            services = await account.local_services()
        except AccountError:
            return  # the bundled or last-fetched list stays on screen
        if services is not None:
            self.store.set_setting(_LOCAL_SERVICES, _services_json(services))
            self.changed()

    # ------------------------------------------------------------------ plumbing

    async def _call(self, work: Awaitable[None]) -> None:
        self.busy = True
        self.error = self.notice = ""
        self.changed()
        try:
            await work
        except AccountError as exc:
            self.error = self.account_trouble(exc)
        finally:
            self.busy = False
            self.changed()

    def account_trouble(self, exc: AccountError) -> str:
        """What to tell the person: the server's own words for a refusal, ours for the network."""
        if exc.offline:
            return self.words("say.offline")
        if exc.server_trouble:
            return self.words("say.trouble")
        return str(exc)

    @property
    def device_description(self) -> str:
        """Which store and key provider this device uses, for Settings."""
        return self.words(
            "settings.device.store",
            store=self.words.table.get(f"store.{self.store.backend}", self.store.backend),
            keys=self.words.table.get(f"keys.{self.key_provider}", self.key_provider),
        )

    def _fail(self, message: str) -> None:
        self.error = message
        self.notice = ""
        self.changed()


def _memory_lock() -> Callable[[], AppLock]:
    """A lock kept in memory only, for a Portal given no device lock (tests, previews)."""
    lock = AppLock(MemoryLockRecord(), MemoryKeyProvider(new_key()))
    return lambda: lock


def invitation_token(text: str) -> str:
    """The token from a pasted invitation: the whole link (…/i/TOKEN) or the token alone."""
    text = text.strip()
    if "/i/" in text:
        text = text.rsplit("/i/", 1)[1]
    text = text.split("?", 1)[0].split("#", 1)[0].strip("/ ")
    if len(text) < 10 or len(text) > 128 or not all(ch.isalnum() or ch in "-_" for ch in text):
        return ""
    return text


def _revoking(kept: dict[str, str]) -> Identity:
    """An identity holding only a revoke key: signing it out ends the session it was given with."""
    kind: Literal["victim", "officer"] = "officer" if kept.get("kind") == "officer" else "victim"
    return Identity(kind, kept.get("server_url", ""), "", "", revoke_key=kept.get("revoke_key", ""))
