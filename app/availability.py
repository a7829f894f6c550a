"""Away: the officer says they are off duty (and when they are back) and how soon they usually
reply. Victims read it beside their conversation; the officer's own screen shows it is on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from app.content import Words
from app.observable import Observable
from app.officer_ports import OfficerAccount, OfficerProfile
from app.ports import AccountError

AvailabilityField = Literal["away", "reply_within"]


class Availability(Observable):
    def __init__(
        self,
        words: Words,
        account: Callable[[], OfficerAccount | None],
        profile: Callable[[], OfficerProfile | None],
        keep: Callable[[OfficerProfile], None],
        trouble: Callable[[AccountError], str],
    ) -> None:
        super().__init__()
        self._words = words
        self._account = account
        self._profile = profile
        self._keep = keep
        self._trouble = trouble
        current = profile()
        self.away_text = current.away_message or "" if current else ""
        self.reply_within = str(current.reply_within_hours) if current else "48"
        self.errors: dict[AvailabilityField, str] = {}
        self.notice = ""
        self.busy = False

    @property
    def away_message(self) -> str | None:
        """What victims read now (None while working)."""
        profile = self._profile()
        return profile.away_message if profile else None

    def type_away(self, text: str) -> None:
        self.away_text = text
        self.errors.pop("away", None)

    def type_reply_within(self, text: str) -> None:
        self.reply_within = text
        self.errors.pop("reply_within", None)

    async def go_away(self) -> None:
        if not self.away_text.strip():
            self.errors["away"] = self._words("officer.away.empty")
            self.changed()
            return
        await self._save(self.away_text.strip())

    async def come_back(self) -> None:
        await self._save(None)

    async def _save(self, away: str | None) -> None:
        account = self._account()
        hours = self.reply_within.strip()
        if not hours.isdigit():
            self.errors["reply_within"] = self._words("officer.away.hours_invalid")
            self.changed()
            return
        if account is None or self.busy:
            return
        self.busy = True
        self.notice = ""
        self.changed()
        try:
            profile = await account.set_availability(int(hours), away)
        except AccountError as exc:
            field: AvailabilityField = "reply_within" if "reply_within" in str(exc) else "away"
            self.errors[field] = self._trouble(exc)
        else:
            self._keep(profile)
            self.errors = {}
            self.notice = self._words(f"officer.away.saved.{str(away is not None).lower()}")
            if away is None:
                self.away_text = ""
        finally:
            self.busy = False
            self.changed()
