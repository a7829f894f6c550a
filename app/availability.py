"""Away: the officer says they are off duty (and when they are back) and how soon they usually
reply. Victims read it beside their conversation; the officer's own screen shows it is on."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Literal

from app.content import Words
from app.observable import Observable
from app.officer_ports import OfficerAccount, OfficerProfile
from app.ports import AccountError

AvailabilityField = Literal["away", "back_on", "reply_within"]

# 7/12/2026 (the UK's order) or 2026-12-07; the server judges whether the date itself is allowed.
_UK_DATE = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*")


def typed_date(text: str) -> date | None:
    """The date an officer typed, or None when it is not one."""
    try:
        found = _UK_DATE.fullmatch(text)
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


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
        self.back_text = _shown(current.back_on) if current else ""
        self.reply_within = str(current.reply_within_hours) if current else "48"
        self.errors: dict[AvailabilityField, str] = {}
        self.notice = ""
        self.busy = False

    @property
    def away_message(self) -> str | None:
        """What victims read now (None while working)."""
        profile = self._profile()
        return profile.away_message if profile else None

    @property
    def back_on(self) -> date | None:
        """The date back that victims read now (None when not given or working)."""
        profile = self._profile()
        return profile.back_on if profile else None

    def type_back_on(self, text: str) -> None:
        self.back_text = text
        self.errors.pop("back_on", None)

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
        back_on = typed_date(self.back_text) if self.back_text.strip() else None
        if self.back_text.strip() and back_on is None:
            self.errors["back_on"] = self._words("officer.away.back_on_invalid")
            self.changed()
            return
        await self._save(self.away_text.strip(), back_on)

    async def come_back(self) -> None:
        await self._save(None, None)

    async def _save(self, away: str | None, back_on: date | None) -> None:
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
            profile = await account.set_availability(int(hours), away, back_on)
        except AccountError as exc:
            # the server names the field its reason is about; what was typed stays as it was
            reason = str(exc)
            field: AvailabilityField = (
                "back_on" if "back_on" in reason else "reply_within" if "reply_within" in reason else "away"
            )
            self.errors[field] = self._trouble(exc)
        else:
            self._keep(profile)
            self.errors = {}
            self.notice = self._words(f"officer.away.saved.{str(away is not None).lower()}")
            if away is None:
                self.away_text = ""
            self.back_text = _shown(profile.back_on)
        finally:
            self.busy = False
            self.changed()


def _shown(back_on: date | None) -> str:
    return f"{back_on.day}/{back_on.month}/{back_on.year}" if back_on else ""
