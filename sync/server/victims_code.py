"""When the next update is due under the Victims' Code (Right 6), as pure functions.

A force agrees with each victim how often they hear from the police; until then its
standard applies. The defaults follow a published force standard (Hertfordshire
Constabulary, "What to expect from us"): a first update within 5 days, then every 28
days; for victims entitled to Enhanced Rights within 24 hours, then after 10 days, then
every 28 days. A victim's request for an update is due within the Right 6 limits: 5
working days, or 1 for Enhanced Rights. Forces override any of these in their settings.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sync.protocol import ClosedOutcome

DEFAULT_FORCE_SETTINGS: dict[str, Any] = {
    "first_update_days": 5,
    "enhanced_first_update_hours": 24,
    "enhanced_second_update_days": 10,
    "update_interval_days": 28,
    "update_request_working_days": 5,
    "enhanced_update_request_working_days": 1,
    # Right 6: told of an arrest, interview, release, charge or decision within these limits.
    "event_update_working_days": 5,
    "enhanced_event_update_working_days": 1,
    "alert_text": "You have a new update. Open the app to read it.",
    "alert_min_gap_minutes": 60,
}


UK = ZoneInfo("Europe/London")


def uk_day_end(now: datetime) -> datetime:
    """The end of ``now``'s day in the UK (midnight London time), in UTC: "due today" means before it."""
    tomorrow = now.astimezone(UK).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), UK).astimezone(UTC)


def force_settings(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    return {**DEFAULT_FORCE_SETTINGS, **(stored or {})}


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` moved on by ``days`` weekdays (bank holidays are not counted out)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def update_request_due(requested_at: datetime, *, enhanced: bool, settings: Mapping[str, Any]) -> datetime:
    key = "enhanced_update_request_working_days" if enhanced else "update_request_working_days"
    return add_working_days(requested_at, int(settings[key]))


def event_update_working_days(*, enhanced: bool, settings: Mapping[str, Any]) -> int:
    """Right 6: how many working days the police have to tell the victim of an event."""
    return int(settings["enhanced_event_update_working_days" if enhanced else "event_update_working_days"])


def scheduled_update_due(
    *,
    reported_on: date,
    enhanced: bool,
    officer_updates: int,
    last_officer_update_at: datetime | None,
    settings: Mapping[str, Any],
) -> datetime:
    if officer_updates == 0 or last_officer_update_at is None:
        start = datetime.combine(reported_on, time(0), UTC)
        if enhanced:
            return start + timedelta(hours=int(settings["enhanced_first_update_hours"]))
        return start + timedelta(days=int(settings["first_update_days"]))
    if enhanced and officer_updates == 1:
        return last_officer_update_at + timedelta(days=int(settings["enhanced_second_update_days"]))
    return last_officer_update_at + timedelta(days=int(settings["update_interval_days"]))


def next_update_due(
    *,
    closed: bool,
    reported_on: date,
    enhanced: bool,
    officer_updates: int,
    last_officer_update_at: datetime | None,
    open_request_dues: Iterable[datetime],
    settings: Mapping[str, Any],
) -> datetime | None:
    if closed:
        return None
    scheduled = scheduled_update_due(
        reported_on=reported_on,
        enhanced=enhanced,
        officer_updates=officer_updates,
        last_officer_update_at=last_officer_update_at,
        settings=settings,
    )
    return min([scheduled, *open_request_dues])


# Victims' Right to Review: a decision not to charge (no further action) or to stop looking for
# a suspect may be reviewed when the victim asks within 3 months of being told of it (West
# Midlands Police, "victims right to review"). The words are in assets/content/outcomes.json,
# whose ``right_to_review`` flags must name exactly these outcomes.
RIGHT_TO_REVIEW_OUTCOMES = frozenset({ClosedOutcome.NO_FURTHER_ACTION, ClosedOutcome.NO_SUSPECT})
RIGHT_TO_REVIEW_MONTHS = 3


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def right_to_review_until(outcome: ClosedOutcome | None, told_at: datetime | None) -> date | None:
    """The last day (UK date) a victim told of ``outcome`` at ``told_at`` may ask for a review;
    None when the outcome allows no review."""
    if outcome not in RIGHT_TO_REVIEW_OUTCOMES or told_at is None:
        return None
    return add_months(told_at.astimezone(UK).date(), RIGHT_TO_REVIEW_MONTHS)
