"""``import-cases``: a file of the record system's cases, row by row. Good rows go in, each bad
one is reported with its line and reason, a second run changes nothing, a dry run changes nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import import_rows
from sync.protocol import EligibilityRules, Role
from sync.server import admin, cli
from sync.server.models import audit_event, case, case_update, event, invitation, victim
from sync.server.services import case_import
from tests.support import Api

TABLES = (case, victim, case_update, event, audit_event, invitation)


def _snapshot(api: Api) -> list[int]:
    return [api.count(table) for table in TABLES]


async def test_ten_thousand_rows_with_one_in_a_hundred_bad(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_import, "STATISTICS_EVERY", 1_000)  # read again several times in this run
    api.create_force("tvp", "Thames Valley Police")
    collars = [api.create_officer("tvp", f"pc{n}").collar_number for n in range(3)]
    rules = EligibilityRules(invite_crime_types=["Burglary", "Theft"], officer_crime_types=["Fraud"])
    api.services.db.run_write(admin.set_eligibility_rules, api.services.ctx, "tvp", rules)
    made = import_rows.rows(10_000, collars)
    path = import_rows.write(tmp_path / "cases.csv", made)
    db, ctx = api.services.db, api.services.ctx
    before = _snapshot(api)

    def run(*, dry_run: bool) -> tuple[dict[str, int], list[case_import.RowResult]]:
        seen: list[case_import.RowResult] = []
        counts = case_import.run(db, ctx, "tvp", path, dry_run=dry_run, report=seen.append)
        return dict(counts), seen

    planned, dry_rows = run(dry_run=True)
    assert planned == {"create": 9_900, "refused": 100}
    assert _snapshot(api) == before  # a dry run changes nothing

    counts, applied = run(dry_run=False)
    assert counts == {"create": 9_900, "refused": 100}
    refused = {r.line: r.reason for r in applied if r.action == "refused"}
    # Line 1 is the header: row n is on line n + 1. Each bad row is reported, with why.
    expected = {n + 1: import_rows.SPOILERS[(n // 100) % len(import_rows.SPOILERS)][1] for n in range(100, 10_001, 100)}
    assert set(refused) == set(expected)
    for line, words in expected.items():
        assert words in refused[line], (line, refused[line])
    assert {r.line: r.reason for r in dry_rows if r.action == "refused"} == refused
    assert api.count(case) == 9_900
    stored = api.rows(case, case.c.crime_reference == "43/0000007/26")[0]
    assert (stored.crime_type, stored.decision_rule) == (made[6]["crime_type"], "crime_type_not_included")
    assert api.count(invitation) == api.count(
        case, case.c.invite_decision == "invite", case.c.auto_invited_at.is_not(None)
    )
    assert api.count(invitation) > 0
    if not db.is_sqlite:
        # PostgreSQL plans each batch's look-up by crime reference for the cases it believes
        # there are: the import read the table's statistics again as it grew it, rather than
        # leave them saying "empty" (which made each look-up scan every case of the force).
        assert db.run_read(_cases_planned_for) >= 8_000
    after = _snapshot(api)

    again, _ = run(dry_run=False)
    assert again == {"unchanged": 9_900, "refused": 100}
    assert _snapshot(api) == after  # running it again changes nothing
    if not db.is_sqlite:  # and as the run began: every case
        assert db.run_read(_cases_planned_for) == 9_900


def _cases_planned_for(conn: sa.Connection) -> float:
    return float(conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE relname = 'case'").scalar_one())


@pytest.fixture
def portal_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_NOTIFY_FILE", str(tmp_path / "notifications.jsonl"))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "test-secret-" + "x" * 32)
    monkeypatch.setenv("PORTAL_PASSWORD_HASHING", "fast")
    return database_url


def _cli(*args: str, tty: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    out.isatty = lambda: tty  # type: ignore[method-assign]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", out)
        code = cli.main(list(args))
    return code, out.getvalue()


def _count(url: str, table: sa.Table) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    finally:
        engine.dispose()


def test_import_and_eligibility_from_the_command_line(portal_env: str, tmp_path: Path) -> None:
    assert _cli("create-force", "tvp", "Thames Valley Police")[0] == 0
    officer = ("--username", "pc1", "--name", "PC One", "--collar", "101", "--role", Role.OFFICER.value)
    assert (
        _cli("create-officer", "--force", "tvp", *officer, "--email", "pc1@example.org", "--phone", "01632 960000")[0]
        == 0
    )

    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"invite_crime_types": ["Burglary"], "minimum_age": 18}))
    code, said = _cli("eligibility", "--force", "tvp", "--file", str(rules))
    assert (code, said) == (0, "Stored version 1 of the eligibility rules for tvp; cases decided from now on use it.\n")
    assert "already has these rules (version 1)" in _cli("eligibility", "--force", "tvp", "--file", str(rules))[1]
    hostile = {
        "not-json.json": ("{", "is not valid JSON"),
        "extra.json": ('{"invite_crime_types": ["Burglary"], "invite_everyone": true}', "invite_everyone"),
        "age.json": ('{"invite_crime_types": ["Burglary"], "minimum_age": 12}', "minimum_age"),
        "twice.json": ('{"invite_crime_types": ["Theft", "THEFT"]}', "only once"),
        "list.json": ('["Burglary"]', "not usable eligibility rules"),
        "huge.json": ('{"invite_crime_types": ["' + "x" * 1_100_000 + '"]}', "larger than 1 MB"),
    }
    for name, (text, words) in hostile.items():
        (tmp_path / name).write_text(text)
        code, said = _cli("eligibility", "--force", "tvp", "--file", str(tmp_path / name))
        assert code == 1, name
        assert words in said, (name, said)
    assert "Cannot read" in _cli("eligibility", "--force", "tvp", "--file", str(tmp_path / "missing.json"))[1]
    assert "No force with code 'nope'" in _cli("eligibility", "--force", "nope", "--file", str(rules))[1]

    made = import_rows.rows(30, ["101"], bad_every=10)
    path = import_rows.write(tmp_path / "cases.jsonl", made)
    code, said = _cli("import-cases", str(path), "--force", "tvp", "--dry-run")
    lines = said.splitlines()
    assert code == 1  # some rows were refused
    assert len(lines) == 31
    assert lines[0] == "line 1: create 43/0000001/26"
    assert lines[9].startswith("line 10: refused: reported_on: ")
    assert (
        lines[-1]
        == "Dry run: nothing changed. 30 rows: 27 would be created, 0 would be updated, 0 unchanged, 3 refused."
    )
    assert _count(portal_env, case) == 0

    code, said = _cli("import-cases", str(path), "--force", "tvp", tty=True)
    assert "\r[" in said  # a progress bar, on a terminal only
    shown = [line.split("\r")[-1] for line in said.splitlines()]
    assert [line for line in shown if line.startswith("line ")] == [
        lines[9].replace(" refused ", " refused ", 1),
        lines[19],
        lines[29],
    ]
    assert shown[-1] == "30 rows: 27 were created, 0 were updated, 0 unchanged, 3 refused."
    made[0]["status"] = "investigating"
    import_rows.write(path, made)
    code, said = _cli("import-cases", str(path), "--force", "tvp")
    assert "\r" not in said
    assert said.splitlines()[-1] == "30 rows: 0 were created, 1 were updated, 26 unchanged, 3 refused."
    assert _count(portal_env, case) == 27
    assert _count(portal_env, case_update) == 1

    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("reference,type\nA1,Theft\n")
    code, said = _cli("import-cases", str(bad_header), "--force", "tvp")
    assert code == 1
    assert "the header must name columns" in said
