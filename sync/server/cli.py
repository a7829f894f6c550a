"""``portal-server``: run the backend, migrate its database, add forces and officers, end access
(deactivate officers, reset passwords, revoke and rotate integration keys), set a force's local
support services and its webhook, seed a demo."""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from sync.protocol import (
    EligibilityRules,
    OfficerCreate,
    Role,
    SetupCodePublic,
    SupportServicesPublic,
    WebhookCreate,
)
from sync.server import admin, demo
from sync.server.context import Context
from sync.server.db import Database, create_engine
from sync.server.errors import ApiError, BadRequest
from sync.server.migrate import upgrade
from sync.server.notify import Outbox
from sync.server.notify.configured import channel_from_settings
from sync.server.progress import Progress
from sync.server.services import case_import
from sync.server.settings import Settings


def _say(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _force_option(command: argparse.ArgumentParser) -> None:
    # force codes are kept in lower case (create-force); TVP and tvp name the same force
    command.add_argument("--force", required=True, dest="force_code", type=str.lower, help="the force's code, e.g. tvp")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal-server", description="The Victim's Portal backend.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="serve the API")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--workers", type=int, default=1)
    run.add_argument("--access-log", action="store_true", help="log every request (paths only, never bodies)")
    run.add_argument(
        "--no-migrate", action="store_true", help="on SQLite, do not bring the schema up to date before starting"
    )

    commands.add_parser("migrate", help="bring the database schema up to date")

    force = commands.add_parser("create-force", help="add a force; prints its integration key once")
    force.add_argument("code", help="short code, e.g. tvp")
    force.add_argument("name", help='full name, e.g. "Thames Valley Police"')

    officer = commands.add_parser(
        "create-officer", help="add an officer to a force; prints their one-time set-up code once"
    )
    _force_option(officer)
    officer.add_argument("--username", required=True)
    officer.add_argument("--name", required=True)
    officer.add_argument("--collar", required=True)
    officer.add_argument("--role", choices=[r.value for r in Role], default=Role.OFFICER.value)
    officer.add_argument("--email", required=True)
    officer.add_argument("--phone", required=True)

    def officer_by_username(name: str, help_text: str) -> None:
        command = commands.add_parser(name, help=help_text)
        _force_option(command)
        command.add_argument("--username", required=True)

    officer_by_username("deactivate-officer", "stop an officer signing in, and end every session of theirs at once")
    officer_by_username("reactivate-officer", "let a deactivated officer sign in again")
    officer_by_username("reset-password", "end an officer's password and sessions; prints a new set-up code once")

    victim = commands.add_parser("sign-out-victim", help="end every session of a victim at once (a lost phone)")
    _force_option(victim)
    victim.add_argument("--victim-id", required=True, type=uuid.UUID, help="the victim's id, from their case")

    list_keys = commands.add_parser("list-keys", help="list a force's integration keys (never the keys themselves)")
    _force_option(list_keys)
    for name, help_text in (
        ("revoke-key", "revoke an integration key: refused at once"),
        ("rotate-key", "replace an integration key with a new one (printed once); the old one is revoked"),
    ):
        command = commands.add_parser(name, help=help_text)
        _force_option(command)
        command.add_argument("--id", required=True, type=uuid.UUID, dest="key_id", help="the key's id, from list-keys")

    support = commands.add_parser(
        "support-services", help="set a force's own list of local support services from a JSON file"
    )
    _force_option(support)
    support.add_argument(
        "--file",
        required=True,
        type=Path,
        help='JSON: {"version": "2026-11-01", "services": [{"id", "name", "purpose", "phone", "website", '
        '"source", "reviewed"}, ...]}',
    )

    rules = commands.add_parser(
        "eligibility", help="set a force's eligibility rules (who is invited) from a JSON file: a new version"
    )
    _force_option(rules)
    rules.add_argument(
        "--file",
        required=True,
        type=Path,
        help='JSON: {"invite_crime_types": [...], "officer_crime_types": [...], "pilot_percent": 100, '
        '"pilot_by": "crime_type", "exclude_domestic_abuse": true, "exclude_sexual_offence": true, '
        '"exclude_phone_risk": true, "minimum_age": 16}',
    )

    cases_import = commands.add_parser(
        "import-cases", help="create and update cases from the record system's CSV or JSON Lines file"
    )
    cases_import.add_argument("file", type=Path, help="a .csv file with a header, or a .jsonl file")
    _force_option(cases_import)
    cases_import.add_argument("--dry-run", action="store_true", help="say what each row would do; change nothing")

    hook = commands.add_parser(
        "webhook", help="set a force's webhook address; prints the secret that signs each delivery, once"
    )
    _force_option(hook)
    hook.add_argument("--url", required=True, help="http:// or https:// address of the force's receiver")
    hook.add_argument(
        "--secret", help="32+ printable characters the receiver already holds (else one is made and printed)"
    )

    commands.add_parser("demo", help="seed two forces with officers and cases, and print how to sign in")
    return parser


def _parts(settings: Settings) -> tuple[Database, Context, Outbox]:
    db = Database(create_engine(settings.database_url, pool_size=2), concurrency=2)
    ctx = Context.from_settings(settings)
    return db, ctx, Outbox(db, channel_from_settings(settings), ctx.clock, ctx.secrets)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        _say(f"portal-server: the settings are not usable: {exc.errors()[0]['msg']}")
        return 2
    try:
        return _dispatch(args, settings)
    except ApiError as exc:
        _say(f"portal-server: {exc.message}")
        return 1


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "migrate":
        upgrade(settings.database_url)
        _say("The database schema is up to date.")
        return 0
    if args.command == "run":
        return _run(args, settings)
    db, ctx, outbox = _parts(settings)
    try:
        if args.command == "create-force":
            key = db.run_write(admin.create_force, ctx, args.code.lower(), args.name)
            _say(f"Added {args.name} ({args.code.lower()}).")
            _say(f"Integration key for its record system (shown once, keep it secret):\n{key}")
        elif args.command == "create-officer":
            body = OfficerCreate(
                username=args.username,
                name=args.name,
                collar_number=args.collar,
                role=Role(args.role),
                email=args.email,
                phone=args.phone,
            )
            created = db.run_write(admin.create_officer, ctx, args.force_code, body)
            _say(f"Added {created.name} ({created.role.value}, collar {created.collar_number}).")
            _say_setup_code(created.username, created.setup)
        elif args.command in ("deactivate-officer", "reactivate-officer"):
            active = args.command == "reactivate-officer"
            changed = db.run_write(admin.set_officer_active, ctx, args.force_code, args.username, active=active)
            if active:
                _say(f"{changed.name} can sign in again.")
            else:
                _say(f"{changed.name} is deactivated and signed out everywhere; their cases are unchanged.")
        elif args.command == "reset-password":
            setup = db.run_write(admin.reset_password, ctx, args.force_code, args.username)
            _say(f"The password of {args.username.lower()} no longer works and every session of theirs has ended.")
            _say_setup_code(args.username.lower(), setup)
        elif args.command == "sign-out-victim":
            ended = db.run_write(admin.sign_out_victim, ctx, args.force_code, args.victim_id)
            _say(f"Signed the victim out on {ended.signed_out} device{'' if ended.signed_out == 1 else 's'}.")
        elif args.command == "list-keys":
            for known_key in db.run_read(admin.list_integration_keys, args.force_code):
                state = f"revoked {known_key.revoked_at:%Y-%m-%d %H:%M}" if known_key.revoked_at else "live"
                _say(f"{known_key.id}  {known_key.label}  made {known_key.created_at:%Y-%m-%d %H:%M}  {state}")
        elif args.command == "revoke-key":
            revoked = db.run_write(admin.revoke_integration_key, ctx, args.force_code, args.key_id)
            _say(f"Revoked the key {revoked.label!r}: it is refused from now on.")
        elif args.command == "rotate-key":
            new_key = db.run_write(admin.rotate_integration_key, ctx, args.force_code, args.key_id)
            _say(f"Revoked the old key; its replacement {new_key.id} (shown once, keep it secret):\n{new_key.key}")
        elif args.command == "support-services":
            listed = read_support_services(args.file)
            code = args.force_code
            if db.run_write(admin.set_support_services, ctx, code, listed):
                _say(f"Stored {len(listed.services)} support services for {code} (version {listed.version}).")
            else:
                _say(f"{code} already has this list (version {listed.version}); nothing changed.")
        elif args.command == "eligibility":
            new_rules = read_eligibility_rules(args.file)
            code = args.force_code
            stored, added = db.run_write(admin.set_eligibility_rules, ctx, code, new_rules)
            if added:
                _say(
                    f"Stored version {stored.version} of the eligibility rules for {code}; "
                    "cases decided from now on use it."
                )
            else:
                _say(f"{code} already has these rules (version {stored.version}); nothing changed.")
        elif args.command == "import-cases":
            return import_cases(db, ctx, args.force_code, args.file, dry_run=args.dry_run)
        elif args.command == "webhook":
            hook = _webhook_body(args.url, args.secret)
            set_hook = db.run_write(admin.set_webhook, ctx, args.force_code, hook)
            _say(f"Events of {args.force_code} are posted to {set_hook.url}.")
            if args.secret is None:
                _say(f"Signing secret (shown once; give it to the receiver, keep it secret):\n{set_hook.secret}")
            else:
                _say("Each delivery is signed with the secret you gave.")
        elif args.command == "demo":
            _demo(db, ctx, outbox, settings)
        return 0
    finally:
        db.dispose()


def _say_setup_code(username: str, setup: SetupCodePublic) -> None:
    _say(f"Their one-time set-up code (shown once; valid until {setup.expires_at:%Y-%m-%d %H:%M} UTC):")
    _say(f"  {setup.setup_code}")
    _say(f"{username} sets their own password with it: POST /v1/auth/officer/setup.")


def read_support_services(path: Path) -> SupportServicesPublic:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadRequest(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    try:
        return SupportServicesPublic.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors()
        if any(error["type"] == "json_invalid" for error in errors):
            raise BadRequest(f"{path} is not valid JSON.") from exc
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in errors[:5])
        raise BadRequest(f"{path} is not a usable list of support services: {problems}") from exc


RULES_FILE_MAX_BYTES = 1024 * 1024


def read_eligibility_rules(path: Path) -> EligibilityRules:
    try:
        if path.stat().st_size > RULES_FILE_MAX_BYTES:
            raise BadRequest(f"{path} is larger than 1 MB: that is not a rules file.")
        raw = path.read_bytes()
    except OSError as exc:
        raise BadRequest(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    try:
        return EligibilityRules.model_validate_json(raw)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise BadRequest(f"{path} is not valid JSON.") from exc
        raise BadRequest(f"{path} is not usable eligibility rules: {case_import.describe(exc)}") from exc


def import_cases(db: Database, ctx: Context, code: str, path: Path, *, dry_run: bool) -> int:
    if not path.is_file():
        raise BadRequest(f"Cannot read {path}: there is no such file.")
    bar = None
    if sys.stdout.isatty():
        with path.open("rb") as file:
            bar = Progress(sum(1 for _ in file), sys.stdout)

    def report(result: case_import.RowResult) -> None:
        if result.action == "refused" or dry_run:
            line = f"line {result.line}: {result.action}"
            if result.crime_reference:
                line += f" {result.crime_reference}"
            if result.reason:
                line += f" ({result.reason})" if result.action != "refused" else f": {result.reason}"
            if bar:
                bar.clear()
            _say(line)
        if bar:
            bar.step(result.line)

    counts = case_import.run(db, ctx, code, path, dry_run=dry_run, report=report)
    if bar:
        bar.clear()
    verb = "would be" if dry_run else "were"
    _say(
        f"{'Dry run: nothing changed. ' if dry_run else ''}{sum(counts.values())} rows: "
        f"{counts['create']} {verb} created, {counts['update']} {verb} updated, "
        f"{counts['unchanged']} unchanged, {counts['refused']} refused."
    )
    return 1 if counts["refused"] else 0


def _webhook_body(url: str, secret: str | None) -> WebhookCreate:
    try:
        return WebhookCreate(url=url, secret=secret)
    except ValidationError as exc:
        # Where and what only: never the value given (it may be the secret).
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3])
        raise BadRequest(f"The webhook is not usable: {problems}") from exc


def _run(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if problem := settings.environment_problem():
        _say(f"portal-server: {problem}")
        return 2
    if settings.is_sqlite and not args.no_migrate:
        upgrade(settings.database_url)
    uvicorn.run(
        "sync.server.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=False,
        access_log=args.access_log,
        server_header=False,
        # Long-polls end as soon as a stop is asked for (sync.server.shutdown); whatever is
        # still open a second later is cut off, so stopping never takes long.
        timeout_graceful_shutdown=1,
        log_level=os.environ.get("PORTAL_LOG_LEVEL", "info"),
    )
    return 0


def _demo(db: Database, ctx: Context, outbox: Outbox, settings: Settings) -> None:
    upgrade(settings.database_url)
    result = demo.seed(db, ctx, outbox)
    _say("Demo data " + ("added." if result.created else "was already there; made fresh invitation links."))
    for code, key in result.integration_keys.items():
        _say(f"  integration key for {code}: {key}")
    _say(
        "\nOfficers sign in with force code, username and password "
        + repr(demo.DEMO_PASSWORD)
        + ", then set up an authenticator app on first sign-in (they can read cases only once it is set up):"
    )
    for demo_force in demo.FORCES:
        people = ", ".join(f"{o.username} ({o.role.value})" for o in demo_force.officers)
        _say(f"  {demo_force.code} ({demo_force.name}): {people}")
    _say("\nVictims open their invitation link; the 6-digit code is written to " + str(settings.notify_file) + ":")
    for force_name, reference, victim_name, link in result.invitations:
        _say(f"  {victim_name} ({force_name}, {reference}): {link}")


if __name__ == "__main__":
    raise SystemExit(main())
