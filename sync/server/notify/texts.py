"""What notifications say. Nothing here names a crime, a case or an officer: someone else may
read the victim's phone, so an alert only says there is something to read in the app."""

from __future__ import annotations

from sync.server.notify.channel import Purpose

SUBJECTS: dict[Purpose, str] = {
    "invitation": "Follow your report online",
    "code": "Your sign-in code",
    "alert": "You have a new update",
}


def invitation(force_name: str, url: str, days: int) -> str:
    return (
        f"{force_name}: you can follow your report and message the officer online at {url} "
        f"The link works once and for {days} days. If you were not expecting this, ignore it."
    )


def code(code: str, minutes: int) -> str:
    return f"Your sign-in code is {code}. It expires in {minutes} minutes. Do not share it with anyone."
