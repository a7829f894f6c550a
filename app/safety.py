"""Quick exit and the PIN lock: the screens drawn over everything else, and the time away
that decides when the lock comes back.

Quick exit hides everything at once and coming back needs the PIN, if there is one. Five wrong
PINs delete the data and end the session on the server (``Session.forget``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.content import Words
from app.feedback import Feedback
from app.lock import AppLock, PinResult, has_legacy_pin, upgrade_legacy_pin, valid_pin
from app.observable import Observable
from app.session import Session, revoking


class Safety(Observable):
    def __init__(
        self,
        session: Session,
        words: Words,
        feedback: Feedback,
        *,
        lock: Callable[[], AppLock],
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__()
        self._session = session
        self.words = words
        self._feedback = feedback
        self._lock = lock  # asked each time: deleting everything gives the device a new one
        self._clock = clock
        self._on_return: Callable[[], None] = lambda: None
        self.exited = False
        self.locked = self._pin_set()
        self._away_since: datetime | None = None
        session.when_signed_in(self._signed_in_now)
        session.when_forgotten(self._unlocked_for_nobody)

    def set_on_return(self, hook: Callable[[], None]) -> None:
        """What happens back in view after time away, unless the lock comes first (the
        conversation on screen marks what arrived meanwhile read)."""
        self._on_return = hook

    @property
    def lock(self) -> AppLock:
        # the lock only decides; unlock() stops syncing and then deletes the data itself
        return self._lock()

    @property
    def away(self) -> bool:
        """Hidden or paused: nobody is looking at the screen."""
        return self._away_since is not None

    def _pin_set(self) -> bool:
        # a PIN kept by older versions (in the store, until the first unlock moves it) counts too
        return self.lock.enabled or has_legacy_pin(self._session.store)

    @property
    def showing_case(self) -> bool:
        """Signed in, and neither hidden by quick exit nor behind the lock."""
        return not (self.exited or self.locked) and self._session.step == "ready"

    def _signed_in_now(self) -> None:
        # someone who has just typed the code is looking at the app, whatever an earlier page
        # said as it went away (a browser tab that left the app's address for the invitation
        # link reports itself hidden, and the page that replaces it never says "shown")
        self._away_since = None

    def _unlocked_for_nobody(self) -> None:
        self.locked = False  # nothing left to guard: the welcome follows

    def forget_time_away(self) -> None:
        """A new page in web mode: nothing of the last one's comings and goings carries over."""
        self._away_since = None
        self.exited = False

    # ------------------------------------------------------------------ quick exit

    def quick_exit(self) -> None:
        """Hide everything at once. Coming back needs the PIN, if there is one."""
        if not self.exited:
            self.exited = True
            self._feedback.clear_quietly()
            self.changed()

    def come_back(self) -> None:
        if not self.exited:
            return
        self.exited = False
        if self._session.identity is not None:  # signed in: the lock first, if there is one
            self.locked = self._pin_set()
        self.changed()

    # ------------------------------------------------------------------ the PIN

    async def unlock(self, pin: str) -> PinResult:
        session = self._session
        if has_legacy_pin(session.store):
            result = upgrade_legacy_pin(session.store, self.lock, pin)
        else:
            result = self.lock.check(pin)
        if result.outcome == "unlocked":
            if session.sealed and self.lock.key is not None:
                session.open_sealed(self.lock.key)
            self.locked = False
            self._feedback.clear_quietly()
            session.start()
        elif result.outcome == "wiped":
            if not session.sealed:  # the store is open: its token can be ended on the server
                await session.sign_out_on_server()
            elif result.kept:  # the store is sealed for good: its revoke key ends the session instead
                await session.sign_out_on_server(revoking(result.kept))
            await session.forget()
            self._feedback.fail(self.words("say.pin_wiped"))
        else:
            self._feedback.fail(self.words.plural("say.pin_wrong", result.tries_left))
        self.changed()
        return result

    def choose_pin(self, pin: str, repeat: str, *, after_minutes: int = 0) -> bool:
        """True if the PIN was set; else the feedback says why."""
        if not valid_pin(pin):
            self._feedback.fail(self.words("say.pin_invalid"))
            return False
        if pin != repeat:
            self._feedback.fail(self.words("say.pin_mismatch"))
            return False
        self.lock.set_pin(pin, after_minutes=after_minutes, keep=self._session.revoke_ticket())
        self._feedback.tell(self.words("say.pin_set"))
        self._session.finish_pin_offer()
        self.changed()
        return True

    def skip_pin(self) -> None:
        self._feedback.clear_quietly()
        self._session.finish_pin_offer()
        self.changed()

    def remove_pin(self) -> None:
        self.lock.clear_pin()
        self._feedback.tell(self.words("say.pin_removed"))
        self.changed()

    # ------------------------------------------------------------------ coming and going

    def to_background(self) -> None:
        if self._away_since is None:  # hidden, then paused: away since the first
            self._away_since = self._clock()
        self._session.set_foreground(False)

    def to_foreground(self) -> None:
        """Back in view. A return that follows no time away (shown, then resumed; or a window
        that only regained focus) changes nothing."""
        away_since, self._away_since = self._away_since, None
        if away_since is None:
            return
        self._session.set_foreground(True)
        if self.showing_case and self._needs_pin(away_since):
            self.locked = True
        elif self.showing_case:
            self._on_return()
        self.changed()

    def _needs_pin(self, away_since: datetime) -> bool:
        if has_legacy_pin(self._session.store):
            return True  # its own timing went with the old version: ask at every return
        return self.lock.needs_pin(opening=False, away_since=away_since, now=self._clock())
