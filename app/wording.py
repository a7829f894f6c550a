"""Plain words for what the screens show: dates in UK style and local time, when the next
update is due, what a message's state means, how fresh the data is. Pure functions of their
arguments (the clock and the words are passed in), so each rule is a unit test; the sentences
themselves are in assets/content/words.en.json.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers

from app.content import Words
from app.domain import Case, MessageState, OfficerContact

LONDON = ZoneInfo("Europe/London")


def local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def _date(value: date | datetime) -> date:
    return local(value).date() if isinstance(value, datetime) else value


def day(words: Words, value: date | datetime) -> str:
    """'Tuesday 3 December 2026'."""
    d = _date(value)
    return words(
        "date.long", weekday=words(f"weekday.{d.weekday()}"), day=d.day, month=words(f"month.{d.month}"), year=d.year
    )


def day_month(words: Words, value: date) -> str:
    """'Monday 7 December': for a date within the coming year, such as when an officer is back."""
    return words(
        "date.day_month",
        weekday=words(f"weekday.{value.weekday()}"),
        day=value.day,
        month=words(f"month.{value.month}"),
    )


def short_day(words: Words, value: date | datetime) -> str:
    """'3 Dec 2026'."""
    d = _date(value)
    return words("date.short", day=d.day, month=words(f"month.short.{d.month}"), year=d.year)


def clock_time(words: Words, moment: datetime) -> str:
    """'2:05pm'."""
    moment = local(moment)
    hour = moment.hour % 12 or 12
    return words(f"time.{'am' if moment.hour < 12 else 'pm'}", hour=hour, minute=f"{moment.minute:02d}")


def when(words: Words, moment: datetime, now: datetime) -> str:
    """'Today at 2:05pm', 'Yesterday at 9:00am', or '3 Dec 2026 at 2:05pm'."""
    days = (local(now).date() - local(moment).date()).days
    time = clock_time(words, moment)
    if days == 0:
        return words("when.today", time=time)
    if days == 1:
        return words("when.yesterday", time=time)
    return words("when.date", date=short_day(words, moment), time=time)


def next_update(words: Words, case: Case, now: datetime) -> str:
    """When the Victims' Code says the next update is due, in a sentence."""
    if case.status == "closed":
        return words("due.closed")
    due = case.next_update_due
    if due is None:
        return words("due.agreed")
    if due < now:
        return words("due.overdue", date=day(words, due))
    if local(due).date() == local(now).date():
        return words("due.today", time=clock_time(words, due))
    return words("due.by", date=day(words, due))


def reply_expectation(words: Words, officer: OfficerContact, now: datetime) -> str:
    """What to expect after sending a message: the away message wins while it holds."""
    if officer.away_message and officer.away_on(local(now).date()):
        if officer.back_on:
            back = day_month(words, officer.back_on)
            return words("reply.away_back", name=officer.name, message=officer.away_message, date=back)
        return words("reply.away", name=officer.name, message=officer.away_message)
    hours = officer.reply_within_hours
    if hours >= 48 and hours % 24 == 0:
        span = words.plural("reply.days", hours // 24)
    else:
        span = words.plural("reply.hours", hours)
    return words("reply.usually", name=officer.name, span=span)


def message_state(words: Words, state: MessageState) -> str:
    return words(f"message.{state}")


def last_synced(words: Words, at: datetime | None, now: datetime) -> str:
    if at is None:
        return words("synced.never")
    age = now - at
    if age < timedelta(minutes=1):
        return words("synced.now")
    if age < timedelta(hours=1):
        return words.plural("synced.minutes", int(age.total_seconds() // 60))
    return words("synced.at", when=when(words, at, now))


def offline_banner(words: Words, at: datetime | None, now: datetime) -> str:
    return words("offline.banner", synced=last_synced(words, at, now))


def sources(words: Words, source: str, also: tuple[str, ...], reviewed: date) -> str:
    """'Source: the Victims' Code. Also read: a summary. Checked 28 Nov 2026.'"""
    cited = words("source", source=source, date=short_day(words, reviewed))
    return (
        cited
        if not also
        else words("source.also", source=source, also="; ".join(also), date=short_day(words, reviewed))
    )


UK = 44


def phone_number(phone: str) -> str:
    """An officer's number (E.164 on the wire) as people here read it: a UK number in national
    format ('+441632960102' -> '01632 960102'), any other in international format. Only for
    numbers the server holds; a support service's number is shown as the service writes it."""
    try:
        number = phonenumbers.parse(phone, "GB")
    except phonenumbers.NumberParseException:
        return phone
    style = phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == UK else None
    return phonenumbers.format_number(number, style or phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_link(phone: str) -> str:
    """A tel: address from a number as people write it ('08 08 16 89 111' -> 'tel:08081689111')."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f"tel:{digits}"
