"""An officer's caseload, as the encrypted store holds it (so it shows offline, as last synced):
every case of theirs with what needs doing, sorted by what needs attention first (overdue, then
due today, then unread, then the rest), a search by crime reference or victim name, and the
filters needs attention / all open / closed with their counts.

The sync runner keeps the store current through the same /v1/sync long-poll as the victim's app;
this state only reads it, and draws again whenever the portal says something changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.domain import Case, Message
from app.observable import Observable
from app.store.port import Store
from app.wording import local

View = Literal["attention", "open", "closed"]
VIEWS: tuple[View, ...] = ("attention", "open", "closed")
Urgency = Literal["overdue", "today", "unread", "rest", "closed"]
_ORDER: dict[Urgency, int] = {"overdue": 0, "today": 1, "unread": 2, "rest": 3, "closed": 4}


@dataclass(frozen=True)
class CaseRow:
    case: Case
    victim_name: str
    unread: int  # the victim's messages the officer has not read
    requests_due: tuple[datetime, ...]  # open update requests, soonest first
    due: datetime | None  # the next update owed under the Victims' Code (a request's due time counts)
    last_contact: datetime | None  # the newest message, either way
    urgency: Urgency

    @property
    def needs_attention(self) -> bool:
        return self.urgency in ("overdue", "today", "unread") or bool(self.requests_due)


def case_row(case: Case, messages: list[Message], now: datetime) -> CaseRow:
    unread = sum(1 for m in messages if m.author_kind == "victim" and (m.seq or 0) > case.officer_read_seq)
    dues = [d for d in (case.next_update_due, *case.requests_due) if d is not None]
    due = min(dues) if dues else None
    urgency: Urgency
    if case.status == "closed":
        urgency = "closed"
    elif due is not None and due < now:
        urgency = "overdue"
    elif due is not None and local(due).date() == local(now).date():
        urgency = "today"
    elif unread:
        urgency = "unread"
    else:
        urgency = "rest"
    last = max((m.created_at for m in messages), default=None)
    name = case.victim.name if case.victim is not None else ""
    return CaseRow(case, name, unread, case.requests_due, due, last, urgency)


def _sort_key(row: CaseRow) -> tuple[int, float, float, str]:
    due = row.due.timestamp() if row.due is not None else float("inf")
    # within a group: soonest due first (the most overdue at the top), then the latest contact
    last = -row.last_contact.timestamp() if row.last_contact is not None else 0.0
    return (_ORDER[row.urgency], due, last, row.case.crime_reference)


class Caseload(Observable):
    def __init__(self, store: Callable[[], Store], clock: Callable[[], datetime]) -> None:
        super().__init__()
        self._store = store
        self._clock = clock
        self.view: View = "attention"
        self.query = ""

    # ------------------------------------------------------------------ what the screen shows

    def all_rows(self) -> list[CaseRow]:
        store, now = self._store(), self._clock()
        return sorted((case_row(c, store.messages(c.id), now) for c in store.cases()), key=_sort_key)

    def rows(self) -> list[CaseRow]:
        """The cases in the chosen filter that match the search, what needs attention first."""
        return [r for r in self.all_rows() if _in_view(r, self.view) and _matches(r, self.query)]

    def counts(self) -> dict[View, int]:
        """How many cases each filter holds (matching the search, so the numbers agree with the list)."""
        rows = [r for r in self.all_rows() if _matches(r, self.query)]
        return {view: sum(1 for r in rows if _in_view(r, view)) for view in VIEWS}

    # ------------------------------------------------------------------ intents

    def search(self, text: str) -> None:
        self.query = text
        self.changed()

    def show(self, view: View) -> None:
        self.view = view
        self.changed()

    def find(self, crime_reference: str) -> CaseRow | None:
        """The case with exactly this crime reference, if it is in the caseload."""
        wanted = _normal(crime_reference)
        return next((r for r in self.all_rows() if _normal(r.case.crime_reference) == wanted), None)


def _normal(text: str) -> str:
    return "".join(text.split()).casefold()


def _in_view(row: CaseRow, view: View) -> bool:
    if view == "closed":
        return row.urgency == "closed"
    if view == "open":
        return row.urgency != "closed"
    return row.urgency != "closed" and row.needs_attention


def _matches(row: CaseRow, query: str) -> bool:
    """A crime reference (spaces and case ignored) or any part of the victim's name."""
    query = query.strip()
    if not query:
        return True
    return _normal(query) in _normal(row.case.crime_reference) or query.casefold() in row.victim_name.casefold()
