from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sync.server.victims_code import (
    DEFAULT_FORCE_SETTINGS,
    add_working_days,
    next_update_due,
    scheduled_update_due,
    update_request_due,
)

SETTINGS = DEFAULT_FORCE_SETTINGS
FRIDAY = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def test_working_days_skip_weekends() -> None:
    assert add_working_days(FRIDAY, 1) == FRIDAY + timedelta(days=3)
    assert add_working_days(FRIDAY, 5) == FRIDAY + timedelta(days=7)
    assert add_working_days(FRIDAY, 0) == FRIDAY


def test_update_requests_are_due_within_right_6_limits() -> None:
    assert update_request_due(FRIDAY, enhanced=False, settings=SETTINGS) == FRIDAY + timedelta(days=7)
    assert update_request_due(FRIDAY, enhanced=True, settings=SETTINGS) == FRIDAY + timedelta(days=3)


def test_first_update_is_due_5_days_after_report_or_24_hours_for_enhanced_rights() -> None:
    reported = date(2026, 11, 20)
    start = datetime(2026, 11, 20, tzinfo=UTC)
    standard = scheduled_update_due(
        reported_on=reported, enhanced=False, officer_updates=0, last_officer_update_at=None, settings=SETTINGS
    )
    enhanced = scheduled_update_due(
        reported_on=reported, enhanced=True, officer_updates=0, last_officer_update_at=None, settings=SETTINGS
    )
    assert standard == start + timedelta(days=5)
    assert enhanced == start + timedelta(hours=24)


def test_later_updates_follow_the_force_standard() -> None:
    last = datetime(2026, 11, 25, 9, tzinfo=UTC)
    common = {"reported_on": date(2026, 11, 20), "last_officer_update_at": last, "settings": SETTINGS}
    assert scheduled_update_due(enhanced=False, officer_updates=1, **common) == last + timedelta(days=28)  # type: ignore[arg-type]
    assert scheduled_update_due(enhanced=True, officer_updates=1, **common) == last + timedelta(days=10)  # type: ignore[arg-type]
    assert scheduled_update_due(enhanced=True, officer_updates=2, **common) == last + timedelta(days=28)  # type: ignore[arg-type]


def test_the_next_update_is_the_earliest_promise_and_none_once_closed() -> None:
    request_due = datetime(2026, 11, 22, tzinfo=UTC)
    common = {
        "reported_on": date(2026, 11, 20),
        "enhanced": False,
        "officer_updates": 0,
        "last_officer_update_at": None,
        "settings": SETTINGS,
    }
    assert next_update_due(closed=False, open_request_dues=[request_due], **common) == request_due  # type: ignore[arg-type]
    assert next_update_due(closed=False, open_request_dues=[], **common) == datetime(2026, 11, 25, tzinfo=UTC)  # type: ignore[arg-type]
    assert next_update_due(closed=True, open_request_dues=[request_due], **common) is None  # type: ignore[arg-type]


def test_forces_can_set_their_own_standard() -> None:
    custom = {**SETTINGS, "first_update_days": 2}
    due = scheduled_update_due(
        reported_on=date(2026, 11, 20), enhanced=False, officer_updates=0, last_officer_update_at=None, settings=custom
    )
    assert due == datetime(2026, 11, 22, tzinfo=UTC)


def test_a_right_to_review_window_ends_3_months_after_being_told_uk_date() -> None:
    from sync.protocol import ClosedOutcome
    from sync.server.victims_code import add_months, right_to_review_until

    assert add_months(date(2026, 11, 29), 3) == date(2027, 2, 28)  # no 29 February in 2027
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 10, 31), 3) == date(2027, 1, 31)
    told = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # already 1 July in London (BST)
    assert right_to_review_until(ClosedOutcome.NO_FURTHER_ACTION, told) == date(2026, 10, 1)
    assert right_to_review_until(ClosedOutcome.NO_SUSPECT, FRIDAY) == date(2027, 2, 27)
    for outcome in (ClosedOutcome.CHARGED, ClosedOutcome.CONVICTED, ClosedOutcome.OUT_OF_COURT, None):
        assert right_to_review_until(outcome, FRIDAY) is None
    assert right_to_review_until(ClosedOutcome.NO_FURTHER_ACTION, None) is None
