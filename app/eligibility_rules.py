"""The force admin's eligibility rules: the version in force, a form over it, and every version.
Supervisors read them; only admins save (the server refuses anyone else too)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from app.content import Words
from app.observable import Observable
from app.officer_ports import OfficerAccount, Rules, RulesVersion
from app.ports import AccountError

RulesField = Literal["invite", "officer", "pilot", "age"]
Exclusion = Literal["exclude_domestic_abuse", "exclude_sexual_offence", "exclude_phone_risk"]

# the server names the field its reason is about ("pilot_percent: ..."); a reason about the
# lists as a whole (none given, one twice) belongs beside the first list
_SERVER_FIELDS: tuple[tuple[str, RulesField], ...] = (
    ("officer_crime_types", "officer"),
    ("pilot_percent", "pilot"),
    ("minimum_age", "age"),
)


def _names(text: str) -> tuple[str, ...]:
    """Crime types as typed: one a line or separated by commas."""
    return tuple(name.strip() for name in re.split(r"[,\n]", text) if name.strip())


class EligibilityRulesState(Observable):
    def __init__(
        self,
        words: Words,
        account: Callable[[], OfficerAccount | None],
        can_save: Callable[[], bool],
        trouble: Callable[[AccountError], str],
    ) -> None:
        super().__init__()
        self._words = words
        self._account = account
        self._can_save = can_save
        self._trouble = trouble
        self.current: RulesVersion | None = None
        self.versions: list[RulesVersion] = []
        self.invite_text = ""
        self.officer_text = ""
        self.pilot_text = "100"
        self.age_text = "16"
        self.exclusions: Rules = Rules()  # only its exclude_* flags are the form's
        self.errors: dict[RulesField, str] = {}
        self.error = ""
        self.notice = ""
        self.busy = False
        self.loaded = False

    @property
    def can_save(self) -> bool:
        return self._can_save()

    async def load(self) -> None:
        account = self._account()
        if account is None:
            return
        self.busy = True
        self.changed()
        try:
            current = await account.eligibility_rules()
            self.versions = await account.eligibility_versions()
        except AccountError as exc:
            self.error = self._trouble(exc)
        else:
            self.error = ""
            self.loaded = True
            self._show(current)
        finally:
            self.busy = False
            self.changed()

    def type(self, field: RulesField, text: str) -> None:
        if field == "invite":
            self.invite_text = text
        elif field == "officer":
            self.officer_text = text
        elif field == "pilot":
            self.pilot_text = text
        else:
            self.age_text = text
        self.errors.pop(field, None)
        self.notice = ""
        self.changed()

    def exclude(self, which: Exclusion, on: bool) -> None:
        was = self.exclusions
        self.exclusions = replace(
            was,
            exclude_domestic_abuse=on if which == "exclude_domestic_abuse" else was.exclude_domestic_abuse,
            exclude_sexual_offence=on if which == "exclude_sexual_offence" else was.exclude_sexual_offence,
            exclude_phone_risk=on if which == "exclude_phone_risk" else was.exclude_phone_risk,
        )
        self.notice = ""
        self.changed()

    async def save(self) -> None:
        account = self._account()
        if account is None or self.busy or not self.can_save:
            return
        pilot, age = self.pilot_text.strip(), self.age_text.strip()
        if not pilot.isdigit():
            self.errors["pilot"] = self._words("officer.rules.number")
        if not age.isdigit():
            self.errors["age"] = self._words("officer.rules.number")
        if self.errors:
            self.changed()
            return
        rules = replace(
            self.exclusions,
            invite_crime_types=_names(self.invite_text),
            officer_crime_types=_names(self.officer_text),
            pilot_percent=int(pilot),
            minimum_age=int(age),
        )
        self.busy = True
        self.notice = self.error = ""
        self.changed()
        try:
            saved = await account.set_eligibility_rules(rules)
            self.versions = await account.eligibility_versions()
        except AccountError as exc:
            # what was typed stays; the reason goes beside the field it names
            reason = str(exc)
            if exc.code == "invalid_request":
                field: RulesField = next((f for name, f in _SERVER_FIELDS if name in reason), "invite")
                self.errors[field] = reason
            else:
                self.error = self._trouble(exc)
        else:
            self._show(saved)
            self.notice = self._words("officer.rules.saved", version=saved.version)
        finally:
            self.busy = False
            self.changed()

    def _show(self, version: RulesVersion | None) -> None:
        self.current = version
        self.errors = {}
        if version is None:
            return
        rules = version.rules
        self.invite_text = ", ".join(rules.invite_crime_types)
        self.officer_text = ", ".join(rules.officer_crime_types)
        self.pilot_text = str(rules.pilot_percent)
        self.age_text = str(rules.minimum_age)
        self.exclusions = rules
