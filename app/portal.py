"""The app's state, as a few small observable states with one job each:

    session      who is signed in, the store, syncing, signing in and out   (app/session.py)
    safety       quick exit and the PIN lock                                 (app/safety.py)
    focus        the case in focus and its conversation                      (app/case_focus.py)
    preferences  contact preferences, local support services, this device    (app/preferences.py)
    feedback     the last thing that went wrong or right, in plain words     (app/feedback.py)
    drafts       what is being typed, kept through the lock and quick exit   (app/drafts.py)

Screens read these and call their intents; none sets a field. ``Portal`` only wires them
together, says which gate shows (``phase``), and runs the app's lifecycle. No Flet, no HTTP:
the network is behind the ports in ``app/ports.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

from app.case_focus import CaseFocus
from app.content import Content
from app.drafts import Drafts
from app.feedback import Feedback
from app.lock import AppLock, MemoryLockRecord
from app.ports import Connector, SignIn
from app.preferences import Preferences
from app.safety import Safety
from app.session import Session
from app.signouts import PendingSignOuts
from app.store.keys import MemoryKeyProvider, new_key
from app.store.port import Store

Phase = Literal["welcome", "code", "offer_pin", "locked", "exited", "ready"]


def utc_now() -> datetime:
    return datetime.now(UTC)


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
        self.content = content
        self.words = content.words
        self.clock = clock
        self.feedback = Feedback()
        self.drafts = Drafts()
        self.session = Session(
            store,
            content.words,
            self.feedback,
            sign_in=sign_in,
            connector=connector,
            wipe=wipe,
            unseal=unseal,
            sign_outs=sign_outs,
        )
        self.safety = Safety(self.session, content.words, self.feedback, lock=lock or _memory_lock(), clock=clock)
        # messages count as read only while the case is really on screen: not hidden, not locked, not away
        self.focus = CaseFocus(
            self.session, content, self.feedback, looking=lambda: self.safety.showing_case and not self.safety.away
        )
        self.preferences = Preferences(self.session, content, self.feedback, key_provider=key_provider)
        self.safety.set_on_return(self.focus.read_again)
        self.session.when_forgotten(self.drafts.forget)
        self._states = (self.feedback, self.session, self.safety, self.focus, self.preferences)

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after any state changes; returns the way to stop."""
        stops = [state.subscribe(listener) for state in self._states]

        def unsubscribe() -> None:
            for stop in stops:
                stop()

        return unsubscribe

    @property
    def phase(self) -> Phase:
        """Which gate shows: quick exit's neutral page and the lock draw over the sign-in step."""
        if self.safety.exited:
            return "exited"
        if self.safety.locked:
            return "locked"
        return self.session.step

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """The app is open (call from inside the running event loop): sync, if someone is signed in."""
        self.session.start()

    async def stop(self) -> None:
        await self.session.stop()

    async def end_session(self) -> None:
        """Web mode: the browser tab has gone (closed, reloaded, or sent to another address):
        nothing of this sign-in outlives it, and a page that comes back starts at the welcome."""
        await self.session.end()
        self.safety.forget_time_away()


def _memory_lock() -> Callable[[], AppLock]:
    """A lock kept in memory only, for a Portal given no device lock (tests, previews)."""
    lock = AppLock(MemoryLockRecord(), MemoryKeyProvider(new_key()))
    return lambda: lock
