"""Plain words for what the screens show: dates in UK style and local time, when the next
update is due, what a message's state means, how fresh the data is. Pure functions of their
arguments (the clock is passed in), so each rule is a unit test.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.domain import Case, MessageState, OfficerContact

LONDON = ZoneInfo("Europe/London")

MESSAGE_STATE_LABELS: dict[MessageState, str] = {
    "sending": "Sending",
    "sent": "Sent",
    "read": "Read",
    "failed": "Not sent — tap to retry",
}


def local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def day(value: date | datetime) -> str:
    """'Tuesday 3 December 2026'."""
    if isinstance(value, datetime):
        value = local(value).date()
    return f"{value:%A} {value.day} {value:%B %Y}"


def short_day(value: date | datetime) -> str:
    """'3 Dec 2026'."""
    if isinstance(value, datetime):
        value = local(value).date()
    return f"{value.day} {value:%b %Y}"


def clock_time(moment: datetime) -> str:
    """'2:05pm'."""
    moment = local(moment)
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


def when(moment: datetime, now: datetime) -> str:
    """'Today at 2:05pm', 'Yesterday at 9:00am', or '3 Dec 2026 at 2:05pm'."""
    days = (local(now).date() - local(moment).date()).days
    if days == 0:
        return f"Today at {clock_time(moment)}"
    if days == 1:
        return f"Yesterday at {clock_time(moment)}"
    return f"{short_day(moment)} at {clock_time(moment)}"


def next_update(case: Case, now: datetime) -> str:
    """When the Victims' Code says the next update is due, in a sentence."""
    if case.status == "closed":
        return "This investigation is closed, so there are no more regular updates."
    due = case.next_update_due
    if due is None:
        return "Your officer will agree with you how often you hear from them."
    if due < now:
        return f"An update was due by {day(due)}. You can ask for one below."
    if local(due).date() == local(now).date():
        return f"Your next update is due today, by {clock_time(due)}."
    return f"Your next update is due by {day(due)}."


def reply_expectation(officer: OfficerContact) -> str:
    """What to expect after sending a message: the away message wins while it is set."""
    if officer.away_message:
        return f"{officer.name} is away: {officer.away_message}"
    hours = officer.reply_within_hours
    span = f"{hours} hours" if hours < 48 or hours % 24 else f"{hours // 24} days"
    if hours == 1:
        span = "an hour"
    return f"{officer.name} usually replies within {span}."


def last_synced(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "Not yet updated from the police system."
    age = now - at
    if age < timedelta(minutes=1):
        return "Updated just now."
    if age < timedelta(hours=1):
        minutes = int(age.total_seconds() // 60)
        return f"Updated {minutes} minute{'s' if minutes != 1 else ''} ago."
    return f"Last updated {when(at, now).lower() if age < timedelta(days=2) else when(at, now)}."


def offline_banner(at: datetime | None, now: datetime) -> str:
    return f"You're offline. Showing what was saved on this device. {last_synced(at, now)}"


def phone_link(phone: str) -> str:
    """A tel: address from a number as people write it ('08 08 16 89 111' -> 'tel:08081689111')."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f"tel:{digits}"
