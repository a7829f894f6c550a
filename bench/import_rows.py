"""Files of cases as a force's record system exports them, for the import tests and benchmark:
``count`` rows, of which every ``bad_every``-th is one the import must refuse (each for a
different reason, in turn)."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sync.server.services.case_import import CSV_COLUMNS, csv_line

CRIME_TYPES = ("Burglary", "Theft", "Criminal damage", "Fraud", "Vehicle crime")

# Each spoils a good row in its own way; the reason the import gives contains the words after it.
SPOILERS: list[tuple[dict[str, Any], str]] = [
    ({"crime_type": ""}, "crime_type"),
    ({"reported_on": "31/02/2026"}, "reported_on"),
    ({"officer_collar_number": "ZZ999"}, "No active officer"),
    ({"victim": {"phone": "", "email": ""}}, "mobile number or email"),
    ({"status": "closed"}, "cannot start closed"),
    ({"victim": {"age": "old"}}, "victim.age"),
    ({"crime_reference": "REF\x07BAD"}, "crime_reference"),
]


def good_row(n: int, collars: list[str], today: date) -> dict[str, Any]:
    return {
        "crime_reference": f"43/{n:07d}/26",
        "crime_type": CRIME_TYPES[n % len(CRIME_TYPES)],
        "summary": f"Reported by phone, case {n}.",
        "reported_on": (today - timedelta(days=1 + n % 20)).isoformat(),
        "officer_collar_number": collars[n % len(collars)],
        "domestic_abuse": n % 17 == 0,
        "victim": {
            "name": f"Victim {n}",
            "phone": f"07700 9{n % 100000:05d}",
            "email": f"victim{n}@example.org",
            "preferred_channel": "sms" if n % 3 else "email",
            "age": 16 + n % 60,
            # Most victims have not been asked about the portal when the record is made.
            "portal_consent": True if n % 10 == 0 else None,
        },
    }


def rows(count: int, collars: list[str], *, bad_every: int = 100, today: date | None = None) -> list[dict[str, Any]]:
    today = today or date.today()
    made = []
    for n in range(1, count + 1):
        row = good_row(n, collars, today)
        if bad_every and n % bad_every == 0:
            spoil, _ = SPOILERS[(n // bad_every) % len(SPOILERS)]
            row = {**row, **{k: v for k, v in spoil.items() if k != "victim"}}
            row["victim"] = {**row["victim"], **spoil.get("victim", {})}
        made.append(row)
    return made


def write(path: Path, made: list[dict[str, Any]]) -> Path:
    """As CSV (a header, then one line per row) or JSON Lines, by the file's suffix."""
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(row) + "\n" for row in made))
        return path
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(CSV_COLUMNS))
        writer.writeheader()
        for row in made:
            writer.writerow(csv_line(row))
    return path
