"""How long an officer's caseload takes to appear from a cold start with a warm cache.

Each run starts a new Python process for the app over a device store that already holds an
officer's 40 cases (with their victims) and 2,000 messages, with no backend reachable, and
times from the process starting until Chromium shows the caseload's first row. The baseline,
measured the same way in the same run, is a bare Flet page that shows one word.

    python -m bench.officer_cold_start   (python3 dev.py's D-Bus session gives it the real keyring)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.domain import Case, Identity, Message, OfficerContact, VictimDetails
from app.store.device import open_device_store
from app.store.keys import KeyProvider
from bench.cold_start import Subject, run

CASES = 40
MESSAGES = 2000
FIRST = "Victim Number 00"  # overdue: the caseload's first row
ACCOUNT = "bench-officer-cold-start"


def warm_cache(folder: Path, keys: KeyProvider) -> None:
    """The device store as an officer's laptop has it at the start of a shift."""
    now = datetime.now(UTC)
    me = OfficerContact("o1", "DC Grace Okafor", "4417", "+441632960102", "grace.okafor@tvp.police.example")
    cases = [
        Case(
            f"c{n:02d}",
            f"43/{10000 + n}/26",
            "Burglary (home)",
            "investigating",
            "",
            date(2026, 10, 1) + timedelta(days=n),
            me,
            now + timedelta(days=n - 1, hours=-1),  # the first is overdue, then one a day
            victim=VictimDetails(f"Victim Number {n:02d}", "+447700900123", None, "", n % 7 == 0, ("sms",)),
        )
        for n in range(CASES)
    ]
    per_case = MESSAGES // CASES
    messages = [
        Message(
            f"m{n}",
            f"c{n % CASES:02d}",
            "victim" if n % 2 else "officer",
            "x",
            f"Message {n}",
            now - timedelta(minutes=MESSAGES - n),
            seq=100 + n,
        )
        for n in range(per_case * CASES)
    ]
    store = open_device_store(folder, keys)
    with store.transaction():
        officer = Identity("officer", "http://127.0.0.1:9", "t" * 43, "DC Grace Okafor", force_code="tvp")
        store.set_identity(replace(officer, role="officer", collar_number="4417"))
        store.put_cases(cases)
        store.put_messages(messages)
        store.set_cursor("c1:4000")
    store.close()


OFFICER = Subject(
    mode="officer",
    shows="the officer's caseload",
    expected=FIRST,
    account=ACCOUNT,
    viewport={"width": 1280, "height": 800},
    warm_cache=warm_cache,
    cache=f"{CASES} cases, {MESSAGES:,} messages",
)


def main() -> None:
    run(OFFICER)


if __name__ == "__main__":
    main()
