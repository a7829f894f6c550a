"""The updates an officer posts for the events the Victims' Code names (assets/content/
update-templates.json, each with its source and review date), and the deadline each meets:
the victim is told within so many working days of the event (fewer with Enhanced Rights)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from app.content import CONTENT


@dataclass(frozen=True)
class UpdateTemplate:
    id: str
    title: str
    status: str | None  # the case's status after this event, or None to leave it
    text: str
    working_days: int
    enhanced_working_days: int
    source: str
    reviewed: date

    def days(self, *, enhanced: bool) -> int:
        return self.enhanced_working_days if enhanced else self.working_days

    def deadline(self, event_day: date, *, enhanced: bool) -> date:
        """The last day the victim may be told of an event on ``event_day``."""
        return add_working_days(event_day, self.days(enhanced=enhanced))


def add_working_days(start: date, days: int) -> date:
    """Weekdays only (bank holidays are a force's own list, not modelled here)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def load(folder: Path = CONTENT) -> tuple[UpdateTemplate, ...]:
    raw = json.loads((folder / "update-templates.json").read_text(encoding="utf-8"))
    return tuple(
        UpdateTemplate(
            t["id"],
            t["title"],
            t.get("status"),
            t["text"],
            int(t["working_days"]),
            int(t["enhanced_working_days"]),
            t["source"],
            date.fromisoformat(t["reviewed"]),
        )
        for t in raw["templates"]
    )
