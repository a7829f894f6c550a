"""``portal-server import-cases``: cases from a file of the force's record system, each row
submitted as the record system would (``services.record_cases``).

    rows(path)                    -> (line, CaseCreate | the reason it cannot be read), in order
    run(db, ctx, force, path,...) -> one RowResult per row to ``report``; the counts at the end

A dry run plans every row (create, update, unchanged, refused with the reason) and writes
nothing. A real run applies each row all or nothing in a savepoint of its own, so a bad row is
reported and rolled back while the rows around it go on; rows commit a batch at a time (a
stopped run is simply run again: a row already applied is unchanged). The file may be CSV with
a header (``CSV_COLUMNS``; empty cells are left out) or JSON Lines of ``CaseCreate`` bodies.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from sync.protocol import PATTERN_WORDS, CaseCreate
from sync.server.context import Caller, Context
from sync.server.db import Database
from sync.server.errors import ApiError, BadRequest, NotFound
from sync.server.models import case, force
from sync.server.services import invite_decisions, record_cases
from sync.server.services.visibility import CaseRow, case_query
from sync.server.victims_code import force_settings

Action = Literal["create", "update", "unchanged", "refused"]
BATCH = 250
# PostgreSQL plans each batch's look-up by crime reference from its statistics of the tables.
# A force's first import grows them far faster than autovacuum reads them again, and statistics
# that still say "a handful of cases" make every look-up scan all the force's cases: a 100,000-row
# file then took minutes more than it should, and running it again longer still. So they are
# read again as an import starts and after each STATISTICS_EVERY rows it writes.
STATISTICS_EVERY = 10_000
MAX_LINE_BYTES = 64 * 1024

CSV_COLUMNS = (
    "crime_reference", "crime_type", "summary", "reported_on", "status", "closed_outcome",
    "officer_collar_number", "officer_id", "domestic_abuse", "sexual_offence", "phone_risk",
    "victim_name", "victim_phone", "victim_email", "victim_preferred_channel", "victim_safe_contact_notes",
    "victim_enhanced_rights", "victim_date_of_birth", "victim_age", "victim_portal_consent",
)  # fmt: skip


@dataclass(frozen=True)
class RowResult:
    line: int
    crime_reference: str | None
    action: Action
    reason: str = ""


def describe(exc: ValidationError) -> str:
    """A validation error as one line a person can act on (never quoting the value)."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "row"
        pattern = (error.get("ctx") or {}).get("pattern")
        parts.append(f"{where}: {PATTERN_WORDS.get(pattern, error['msg']) if pattern else error['msg']}")
    return "; ".join(parts)


def _from_csv_record(record: dict[str, str | None]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    victim: dict[str, Any] = {}
    for column, value in record.items():
        if column is None:
            raise ValueError("more cells than columns")
        if value is None or value.strip() == "":
            continue
        if column.startswith("victim_"):
            victim[column.removeprefix("victim_")] = value
        else:
            body[column] = value
    body["victim"] = victim
    return body


def rows(path: Path) -> Iterator[tuple[int, CaseCreate | str]]:
    """Each row of the file with its line number: the case, or why it cannot be read."""
    if path.suffix.lower() == ".jsonl":
        yield from _jsonl_rows(path)
    elif path.suffix.lower() == ".csv":
        yield from _csv_rows(path)
    else:
        raise BadRequest(f"{path.name}: give a .csv or .jsonl file.")


def _jsonl_rows(path: Path) -> Iterator[tuple[int, CaseCreate | str]]:
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            if not raw.strip():
                continue
            if len(raw) > MAX_LINE_BYTES:
                yield number, f"the line is longer than {MAX_LINE_BYTES // 1024} KB"
                continue
            try:
                yield number, CaseCreate.model_validate_json(raw)
            except ValidationError as exc:
                if any(error["type"] == "json_invalid" for error in exc.errors()):
                    yield number, "not valid JSON"
                else:
                    yield number, describe(exc)


def _csv_rows(path: Path) -> Iterator[tuple[int, CaseCreate | str]]:
    csv.field_size_limit(MAX_LINE_BYTES)
    with path.open(newline="", encoding="utf-8-sig", errors="strict") as file:
        reader = csv.DictReader(file)
        try:
            header = reader.fieldnames or []
        except (csv.Error, UnicodeDecodeError) as exc:
            raise BadRequest(f"{path.name}: the header cannot be read ({exc}).") from exc
        unknown = [name for name in header if name not in CSV_COLUMNS]
        if unknown or "crime_reference" not in header:
            raise BadRequest(
                f"{path.name}: the header must name columns from: {', '.join(CSV_COLUMNS)}"
                + (f" (unknown: {', '.join(unknown[:5])})" if unknown else " (crime_reference is missing)")
            )
        start = reader.line_num + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                yield start, f"the row cannot be read as CSV ({exc})"
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            try:
                yield line, CaseCreate.model_validate(_from_csv_record(record))
            except ValidationError as exc:
                yield line, describe(exc)
            except ValueError as exc:
                yield line, str(exc)


def importer_for(conn: Connection, code: str) -> Caller:
    """The record system as the command line stands in for it."""
    found = conn.execute(sa.select(force.c.id, force.c.settings).where(force.c.code == code)).one_or_none()
    if found is None:
        raise NotFound(f"No force with code {code!r}.")
    return Caller(
        kind="integration",
        id=uuid.UUID(int=0),
        force_id=found.id,
        force_code=code,
        name="Record system (import)",
        force_settings=force_settings(found.settings),
    )


def run(
    db: Database,
    ctx: Context,
    code: str,
    path: Path,
    *,
    dry_run: bool,
    report: Callable[[RowResult], None],
    batch: int = BATCH,
) -> Counter[str]:
    counts: Counter[str] = Counter()
    caller = db.run_read(importer_for, code)
    first_line: dict[str, int] = {}
    pending: list[tuple[int, CaseCreate]] = []

    def done(result: RowResult) -> None:
        counts[result.action] += 1
        report(result)

    written_since_statistics = 0

    def flush() -> None:
        nonlocal written_since_statistics
        if pending:
            work = _plan_batch if dry_run else _apply_batch
            for result in (db.run_read if dry_run else db.run_write)(work, ctx, caller, list(pending)):
                done(result)
                written_since_statistics += not dry_run and result.action in ("create", "update")
            pending.clear()
        if written_since_statistics >= STATISTICS_EVERY:
            read_statistics()
            written_since_statistics = 0

    def read_statistics() -> None:
        if not db.is_sqlite:  # SQLite's planner finds each reference by its unique index anyway
            db.run_write(_read_statistics)

    read_statistics()  # a dry run's look-ups too: it may follow a large import

    for line, parsed in rows(path):
        if isinstance(parsed, str):
            flush()  # reports stay in line order
            done(RowResult(line, None, "refused", parsed))
            continue
        reference = parsed.crime_reference
        if reference in first_line:
            flush()
            done(RowResult(line, reference, "refused", f"crime reference already on line {first_line[reference]}"))
            continue
        first_line[reference] = line
        pending.append((line, parsed))
        if len(pending) >= batch:
            flush()
    flush()
    return counts


def _read_statistics(conn: Connection) -> None:
    conn.exec_driver_sql('ANALYZE "case", victim')


def _known(conn: Connection, caller: Caller, items: list[tuple[int, CaseCreate]]) -> dict[str, CaseRow]:
    references = [body.crime_reference for _, body in items]
    found = conn.execute(
        case_query.where(case.c.force_id == caller.force_id, case.c.crime_reference.in_(references))
    ).all()
    return {row.crime_reference: row for row in found}


def _plan_batch(conn: Connection, ctx: Context, caller: Caller, items: list[tuple[int, CaseCreate]]) -> list[RowResult]:
    known = _known(conn, caller, items)
    officers = record_cases.active_officers(conn, caller.force_id)
    results = []
    for line, body in items:
        try:
            todo = record_cases.plan(ctx, body, known.get(body.crime_reference), officers)
        except ApiError as exc:
            results.append(RowResult(line, body.crime_reference, "refused", exc.message))
            continue
        reason = ", ".join(todo.changed)
        results.append(RowResult(line, body.crime_reference, todo.action, reason))
    return results


def _apply_batch(
    conn: Connection, ctx: Context, caller: Caller, items: list[tuple[int, CaseCreate]]
) -> list[RowResult]:
    known = _known(conn, caller, items)
    officers = record_cases.active_officers(conn, caller.force_id)
    rules = invite_decisions.rules_now(conn, caller.force_id)
    results: dict[int, RowResult] = {}
    new: list[tuple[int, CaseCreate, record_cases.Plan]] = []
    changed: list[tuple[int, CaseCreate]] = []
    for line, body in items:
        try:
            todo = record_cases.plan(ctx, body, known.get(body.crime_reference), officers)
        except ApiError as exc:
            results[line] = RowResult(line, body.crime_reference, "refused", exc.message)
            continue
        if todo.action == "unchanged":
            results[line] = RowResult(line, body.crime_reference, "unchanged")
        elif todo.action == "create":
            new.append((line, body, todo))
        else:
            changed.append((line, body))
    # New cases go in together; should the database refuse any, each goes in on its own instead.
    try:
        with conn.begin_nested():
            record_cases.create_many(conn, ctx, caller, [(body, todo) for _, body, todo in new], rules)
        results.update({line: RowResult(line, body.crime_reference, "create") for line, body, _ in new})
    except sa.exc.DBAPIError:
        changed.extend((line, body) for line, body, _ in new)
    for line, body in changed:
        try:
            with conn.begin_nested():
                action, _ = record_cases.submit(conn, ctx, caller, body, officers=officers, rules=rules)
        except (ApiError, sa.exc.DBAPIError) as exc:
            reason = exc.message if isinstance(exc, ApiError) else "the database refused this row"
            results[line] = RowResult(line, body.crime_reference, "refused", reason)
            continue
        results[line] = RowResult(line, body.crime_reference, action)
    return [results[line] for line, _ in items]


def csv_line(body: dict[str, Any]) -> dict[str, str]:
    """A ``CaseCreate`` body as a CSV record (for tests and benchmarks writing files)."""
    flat = {key: value for key, value in body.items() if key != "victim"}
    flat.update({f"victim_{key}": value for key, value in body.get("victim", {}).items()})
    return {
        key: "" if value is None else json.dumps(value) if isinstance(value, bool) else str(value)
        for key, value in flat.items()
    }
