"""Who is signed in on this device: redeeming an invitation and its code, the store that holds
their data, syncing it, and signing out (which deletes everything here).

The step of signing in is one of ``Step``; the lock and quick exit (``app/safety.py``) draw
over it, and ``Portal.phase`` says which screen shows. Only the sync runner writes the store:
this state asks it (``Sync.keep_identity``) and reads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any, Literal

from app.content import Words
from app.domain import Challenge, Identity
from app.feedback import Feedback
from app.observable import Observable
from app.ports import LAST_SYNCED, Account, AccountError, ConnectionState, Connector, SignIn, Sync
from app.signouts import PendingSignOuts
from app.store.memory import MemoryStore
from app.store.port import Store

log = logging.getLogger(__name__)

Step = Literal["welcome", "code", "offer_pin", "ready"]
DEVICE_NAME = "Victim's Portal app"


class Session(Observable):
    def __init__(
        self,
        store: Store | None,
        words: Words,
        feedback: Feedback,
        *,
        sign_in: SignIn,
        connector: Connector,
        wipe: Callable[[], Store],
        unseal: Callable[[bytes], Store] | None = None,
        sign_outs: PendingSignOuts | None = None,
    ) -> None:
        super().__init__()
        self.words = words
        self._feedback = feedback
        self._sign_in = sign_in
        self._connector = connector
        self._wipe = wipe
        self._sign_outs = sign_outs or PendingSignOuts()
        # no store: a PIN wraps its key, and the lock opens it with `unseal`; until then an
        # empty one stands in (nothing on the lock screen reads it)
        self._unseal = unseal if store is None else None
        self.store: Store = store if store is not None else MemoryStore()
        self.sync: Sync | None = None
        self.challenge: Challenge | None = None
        self.invitation = ""  # the link or code as typed, kept when something goes wrong
        self.busy = False
        self.step: Step = "ready" if self.store.identity() is not None else "welcome"
        self._on_signed_in: list[Callable[[], None]] = []
        self._on_forgotten: list[Callable[[], None]] = []
        self._tasks: set[asyncio.Future[None]] = set()
        self._may_sync: Callable[[Identity], bool] = lambda identity: True

    def when_signed_in(self, hook: Callable[[], None]) -> None:
        self._on_signed_in.append(hook)

    def when_forgotten(self, hook: Callable[[], None]) -> None:
        """What else the device forgets with its sign-in (drafts, the case in focus)."""
        self._on_forgotten.append(hook)

    # ------------------------------------------------------------------ who is here

    @property
    def identity(self) -> Identity | None:
        return self.store.identity()

    @property
    def sealed(self) -> bool:
        """The store waits for the PIN to unwrap its key."""
        return self._unseal is not None

    def open_sealed(self, key: bytes) -> None:
        if self._unseal is not None:
            self.store, self._unseal = self._unseal(key), None
            self.step = "ready" if self.identity is not None else "welcome"

    @property
    def connection(self) -> ConnectionState:
        return self.sync.state if self.sync is not None else "offline"

    @property
    def last_synced_at(self) -> datetime | None:
        if self.sync is not None and self.sync.last_synced_at is not None:
            return self.sync.last_synced_at
        stored = self.store.setting(LAST_SYNCED)
        return datetime.fromisoformat(stored) if stored else None

    # ------------------------------------------------------------------ syncing

    def start(self) -> None:
        """Begin syncing if someone is signed in (call from inside the running event loop)."""
        self._send_sign_outs()
        identity = self.identity
        if identity is None or self.sync is not None:
            return
        self._begin(identity)

    def sync_only_when(self, rule: Callable[[Identity], bool]) -> None:
        """Which signed-in people have a feed to pull (officer mode: an admin reads no cases, so
        the app does not ask). The runner is made all the same: it keeps their writes."""
        self._may_sync = rule

    def _begin(self, identity: Identity, *, new: bool = False) -> None:
        self.sync = self._connector.sync(identity)
        if new:
            self.sync.keep_identity(identity)  # the runner is the store's one writer
        self.sync.on_change = self._on_sync_change
        if self._may_sync(identity):
            self.sync.start()

    async def stop(self) -> None:
        if self.sync is not None:
            sync, self.sync = self.sync, None
            await sync.stop()

    def refresh(self) -> None:
        """The network is back, or the person asked: send remembered sign-outs and sync now."""
        self._send_sign_outs()
        if self.sync is not None:
            self.sync.refresh()

    def set_foreground(self, foreground: bool) -> None:
        if self.sync is not None:
            self.sync.set_foreground(foreground)

    def _on_sync_change(self) -> None:
        sync = self.sync
        if sync is not None and sync.signed_out:
            # the server no longer accepts this device (signed out elsewhere, or the token
            # ended): forget what is here and ask for a new invitation. Both of the runner's
            # loops may hear it: the first to tell detaches it, so this happens once.
            self.sync = None
            sync.on_change = lambda: None
            self._spawn(self._signed_out_by_server(sync))
            return
        self.changed()

    async def _signed_out_by_server(self, sync: Sync) -> None:
        await sync.stop()
        await self.forget()
        self._feedback.fail(self.words("say.signed_out"))
        self.changed()

    # ------------------------------------------------------------------ signing in

    def keep_invitation(self, text: str) -> None:
        """The link or code as typed (or opened), kept so a quick exit or a refusal does not lose it."""
        self.invitation = text

    async def redeem(self, token_or_link: str) -> None:
        if self.busy:
            return  # a second tap or Enter while the first is on its way
        self.invitation = token_or_link
        token = invitation_token(token_or_link)
        if not token:
            self._feedback.fail(self.words("say.link_invalid"))
            return
        await self._call(self._redeem(token))

    async def _redeem(self, token: str) -> None:
        self.challenge = await self._sign_in.redeem(token)
        self.step = "code"

    async def verify(self, code: str) -> None:
        if self.busy:
            return
        code = "".join(code.split())
        if self.challenge is None:
            self.step = "welcome"
            self.changed()
            return
        if not (code.isdigit() and len(code) == 6):
            self._feedback.fail(self.words("say.code_invalid"))
            return
        await self._call(self._verify(self.challenge, code))

    async def _verify(self, challenge: Challenge, code: str) -> None:
        self.begin(await self._sign_in.verify(challenge, code, DEVICE_NAME))

    def begin(self, identity: Identity) -> None:
        """Someone has signed in (a victim with their code; police staff with their password and
        authenticator): keep who, offer a PIN, and start syncing."""
        self.challenge = None
        self.invitation = ""
        self.step = "offer_pin"
        for hook in self._on_signed_in:
            hook()
        self._send_sign_outs()
        self._begin(identity, new=True)
        self.changed()

    def start_again(self) -> None:
        """'The code never came': back to the invitation, to ask for a new code."""
        self.challenge = None
        self.step = "welcome"
        self._feedback.clear_quietly()
        self.changed()

    def finish_pin_offer(self) -> None:
        """A PIN was chosen, or not now: on to the case."""
        if self.step == "offer_pin":
            self.step = "ready"
            self.changed()

    # ------------------------------------------------------------------ signing out

    async def forget(self) -> None:
        """Stop syncing, then delete everything on this device (it all stays on the server)."""
        await self.stop()
        self.store, self._unseal = self._wipe(), None
        self.step = "welcome"
        self.challenge = None
        self.invitation = ""
        for hook in self._on_forgotten:
            hook()

    def revoke_ticket(self) -> dict[str, str] | None:
        """What the PIN's record keeps in the clear: enough to end this device's session and
        nothing more (never the token, which reads the case)."""
        identity = self.identity
        if identity is None or not identity.revoke_key:
            return None
        return _ticket(identity)

    async def sign_out_on_server(self, identity: Identity | None = None) -> None:
        if (identity := identity or self.identity) is None:
            return
        try:
            await self._connector.account(identity).sign_out()
        except AccountError as exc:
            if exc.unheard:
                log.info("sign-out could not reach the server; it is sent at the next contact")
                # kept on the disk in the clear until then: the revoke key alone, never the token
                # that reads the case (devices signed in before revoke keys keep the token)
                self._sign_outs.add(revoking(_ticket(identity)) if identity.revoke_key else identity)

    def _send_sign_outs(self) -> None:
        """Sign-outs remembered while offline go at the next contact (the app opening, a sync)."""
        if self._sign_outs.identities():
            self._spawn(self._sign_outs.send(self._connector))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        # kept until done: the event loop holds only a weak reference to a task
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def sign_out_and_delete(self) -> None:
        """Ends the token on the server (if it can be reached) and deletes everything here."""
        if self.busy:
            return
        self.busy = True
        self.changed()
        try:
            await self.sign_out_on_server()
            await self.forget()
        finally:
            self.busy = False
        self._feedback.tell(self.words("say.deleted"))
        self.changed()

    async def end(self) -> None:
        """Web mode: the browser tab has gone. On a shared computer nothing of this sign-in may
        outlive it: end the token on the server, stop syncing and delete the session's store."""
        await self.sign_out_on_server()
        await self.forget()
        self._feedback.clear_quietly()
        # no redraw: the page has gone, and main.py drops its Flet session (the next page is new)

    # ------------------------------------------------------------------ the account

    def account(self) -> Account | None:
        """The signed-in person's account on the server, or None before sign-in."""
        identity = self.identity
        return None if identity is None else self._connector.account(identity)

    def trouble(self, exc: AccountError) -> str:
        """What to tell the person: the server's own words for a refusal, ours for the network."""
        if exc.offline:
            return self.words("say.offline")
        if exc.server_trouble:
            return self.words("say.trouble")
        return str(exc)

    async def _call(self, work: Awaitable[None]) -> None:
        self.busy = True
        self._feedback.clear_quietly()
        self.changed()
        try:
            await work
        except AccountError as exc:
            self._feedback.fail(self.trouble(exc))
        finally:
            self.busy = False
            self.changed()


def _ticket(identity: Identity) -> dict[str, str]:
    return {"kind": identity.kind, "server_url": identity.server_url, "revoke_key": identity.revoke_key}


def revoking(kept: dict[str, str]) -> Identity:
    """An identity holding only a revoke key: signing it out ends the session it was given with."""
    kind: Literal["victim", "officer"] = "officer" if kept.get("kind") == "officer" else "victim"
    return Identity(kind, kept.get("server_url", ""), "", "", revoke_key=kept.get("revoke_key", ""))


def invitation_token(text: str) -> str:
    """The token from a pasted invitation: the whole link (…/i/TOKEN) or the token alone."""
    text = text.strip()
    if "/i/" in text:
        text = text.rsplit("/i/", 1)[1]
    text = text.split("?", 1)[0].split("#", 1)[0].strip("/ ")
    if len(text) < 10 or len(text) > 128 or not all(ch.isalnum() or ch in "-_" for ch in text):
        return ""
    return text
