"""Plain-words rules: due dates, reply times, message states, freshness, UK dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from app import wording
from app.content import load
from app.domain import MessageState, OfficerContact
from app.officer_ports import OfficerProfile
from tests.store.conftest import a_case

NOW = datetime(2026, 11, 29, 10, tzinfo=UTC)
W = load().words
OFFICER = OfficerContact("o1", "PC Grace Okafor", "4417", "+441632960102", "g@tvp.police.example")


def test_next_update_in_plain_words() -> None:
    case = a_case()
    assert wording.next_update(W, replace(case, next_update_due=None), NOW).startswith("Your officer will agree")
    due = datetime(2026, 12, 3, 17, tzinfo=UTC)
    assert wording.next_update(W, replace(case, next_update_due=due), NOW) == (
        "Your next update is due by Thursday 3 December 2026."
    )
    assert wording.next_update(W, replace(case, next_update_due=NOW + timedelta(hours=2)), NOW) == (
        "Your next update is due today, by 12:00pm."
    )
    overdue = wording.next_update(W, replace(case, next_update_due=NOW - timedelta(days=1)), NOW)
    assert overdue.startswith("An update was due by Saturday 28 November 2026")
    assert "closed" in wording.next_update(W, replace(case, status="closed", next_update_due=due), NOW)


def test_dates_are_shown_in_uk_time_across_the_clock_change() -> None:
    late_summer_night = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London
    assert wording.day(W, late_summer_night) == "Wednesday 1 July 2026"
    assert wording.clock_time(W, late_summer_night) == "12:30am"
    assert wording.day(W, date(2026, 11, 29)) == "Sunday 29 November 2026"


def test_when_says_today_and_yesterday() -> None:
    assert wording.when(W, NOW - timedelta(hours=1), NOW) == "Today at 9:00am"
    assert wording.when(W, NOW - timedelta(days=1), NOW) == "Yesterday at 10:00am"
    assert wording.when(W, NOW - timedelta(days=5), NOW) == "24 Nov 2026 at 10:00am"


def test_reply_expectation_and_away_message() -> None:
    assert wording.reply_expectation(W, OFFICER, NOW) == "PC Grace Okafor usually replies within 2 days."
    assert wording.reply_expectation(W, replace(OFFICER, reply_within_hours=4), NOW).endswith("within 4 hours.")
    assert wording.reply_expectation(W, replace(OFFICER, reply_within_hours=1), NOW).endswith("within an hour.")
    assert wording.reply_expectation(W, replace(OFFICER, reply_within_hours=36), NOW).endswith("within 36 hours.")
    assert wording.reply_expectation(W, replace(OFFICER, reply_within_hours=168), NOW).endswith("within 7 days.")
    away = replace(OFFICER, away_message="On leave until Monday; PC Walsh is covering.")
    assert wording.reply_expectation(W, away, NOW) == (
        "PC Grace Okafor is away: On leave until Monday; PC Walsh is covering."
    )
    back = replace(away, away_message="On leave. PC Walsh is covering.", back_on=date(2026, 12, 7))
    assert wording.reply_expectation(W, back, NOW) == (
        "PC Grace Okafor is away, back on Monday 7 December: On leave. PC Walsh is covering."
    )
    assert wording.reply_expectation(W, replace(OFFICER, back_on=date(2026, 12, 7)), NOW).endswith("within 2 days.")


def test_an_away_message_ends_on_the_day_the_officer_said_they_are_back() -> None:
    """An officer who forgets to clear their away message is not shown as away for ever: from
    the (UK) day they gave, the victim is told when to expect a reply again."""
    back = replace(OFFICER, away_message="On leave. PC Walsh is covering.", back_on=date(2026, 12, 7))
    sunday_night = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # 23:30 in London: still away
    monday_morning = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
    assert wording.reply_expectation(W, back, sunday_night).startswith("PC Grace Okafor is away, back on Monday")
    assert wording.reply_expectation(W, back, monday_morning) == "PC Grace Okafor usually replies within 2 days."
    assert wording.reply_expectation(W, back, monday_morning + timedelta(days=30)).endswith("within 2 days.")
    open_ended = replace(back, back_on=None)  # no day given: away until they clear it
    assert wording.reply_expectation(W, open_ended, monday_morning + timedelta(days=30)).startswith(
        "PC Grace Okafor is away:"
    )
    # the day is the UK's: in summer Monday begins at 23:00 on Sunday, UTC
    summer = replace(back, back_on=date(2026, 7, 6))
    assert wording.reply_expectation(W, summer, datetime(2026, 7, 5, 22, 30, tzinfo=UTC)).startswith(
        "PC Grace Okafor is away, back on Monday 6 July"
    )
    assert wording.reply_expectation(W, summer, datetime(2026, 7, 5, 23, 30, tzinfo=UTC)).endswith("within 2 days.")
    # the officer's own screens go by the same rule: their banner ends the day victims stop seeing it
    profile = OfficerProfile("o1", "PC Grace Okafor", "4417", "officer", True, 48, back.away_message, back.back_on)
    assert profile.away_on(date(2026, 12, 6))
    assert not profile.away_on(date(2026, 12, 7))
    assert wording.day_month(W, date(2027, 1, 1)) == "Friday 1 January"


def test_message_states_in_words() -> None:
    states: tuple[MessageState, ...] = ("sending", "sent", "read", "failed")
    assert [wording.message_state(W, s) for s in states] == ["Sending", "Sent", "Read", "Not sent — tap to retry"]


def test_how_fresh_the_saved_data_is() -> None:
    assert wording.last_synced(W, None, NOW) == "Not yet updated from the police system."
    assert wording.last_synced(W, NOW - timedelta(seconds=20), NOW) == "Updated just now."
    assert wording.last_synced(W, NOW - timedelta(minutes=1), NOW) == "Updated 1 minute ago."
    assert wording.last_synced(W, NOW - timedelta(minutes=42), NOW) == "Updated 42 minutes ago."
    assert wording.last_synced(W, NOW - timedelta(hours=3), NOW) == "Last updated: Today at 7:00am."
    assert wording.last_synced(W, NOW - timedelta(days=4), NOW) == "Last updated: 25 Nov 2026 at 10:00am."
    assert wording.offline_banner(W, None, NOW).startswith("You're offline.")


def test_phone_links_keep_only_what_dials() -> None:
    assert wording.phone_link("08 08 16 89 111") == "tel:08081689111"
    assert wording.phone_link("+44 1632 960102") == "tel:+441632960102"


def test_officers_numbers_read_as_people_here_write_them_and_dial_in_full() -> None:
    assert wording.phone_number("+441632960102") == "01632 960102"
    assert wording.phone_number("+447700900123") == "07700 900123"
    assert wording.phone_number("+33123456789") == "+33 1 23 45 67 89"
    assert wording.phone_number("not a number") == "not a number"
    assert wording.phone_link("+441632960102") == "tel:+441632960102"


def test_sources_cite_the_first_and_then_what_else_was_read() -> None:
    checked = date(2026, 11, 28)
    assert wording.sources(W, "The Code", (), checked) == "Source: The Code. Checked 28 Nov 2026."
    assert wording.sources(W, "The Code", ("a.uk", "b.uk"), checked) == (
        "Source: The Code. Also read: a.uk; b.uk. Checked 28 Nov 2026."
    )
