"""``portal-server``: run the backend, migrate its database, add forces and officers, set a force's
local support services, seed a demo."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from sync.protocol import OfficerCreate, Role, SupportServicesPublic
from sync.server import admin, demo
from sync.server.app import channel_from_settings
from sync.server.context import Context
from sync.server.db import Database, create_engine
from sync.server.errors import ApiError, BadRequest
from sync.server.migrate import upgrade
from sync.server.notify import Outbox
from sync.server.settings import Settings


def _say(text: str = "") -> None:
    sys.stdout.write(text + "\n")


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

    officer = commands.add_parser("create-officer", help="add an officer to a force")
    officer.add_argument("--force", required=True, dest="force_code")
    officer.add_argument("--username", required=True)
    officer.add_argument("--name", required=True)
    officer.add_argument("--collar", required=True)
    officer.add_argument("--role", choices=[r.value for r in Role], default=Role.OFFICER.value)
    officer.add_argument("--email", required=True)
    officer.add_argument("--phone", required=True)
    officer.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input (else one is made up)"
    )

    support = commands.add_parser(
        "support-services", help="set a force's own list of local support services from a JSON file"
    )
    support.add_argument("--force", required=True, dest="force_code")
    support.add_argument(
        "--file",
        required=True,
        type=Path,
        help='JSON: {"version": "2026-11-01", "services": [{"id", "name", "purpose", "phone", "website", '
        '"source", "reviewed"}, ...]}',
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
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin else admin.new_password()
            body = OfficerCreate(
                username=args.username,
                name=args.name,
                collar_number=args.collar,
                role=Role(args.role),
                email=args.email,
                phone=args.phone,
                password=password,
            )
            created = db.run_write(admin.create_officer, ctx, args.force_code.lower(), body)
            _say(f"Added {created.name} ({created.role.value}, collar {created.collar_number}).")
            if not args.password_stdin:
                _say(f"Their first password (shown once): {password}")
        elif args.command == "support-services":
            listed = read_support_services(args.file)
            code = args.force_code.lower()
            if db.run_write(admin.set_support_services, ctx, code, listed):
                _say(f"Stored {len(listed.services)} support services for {code} (version {listed.version}).")
            else:
                _say(f"{code} already has this list (version {listed.version}); nothing changed.")
        elif args.command == "demo":
            _demo(db, ctx, outbox, settings)
        return 0
    finally:
        db.dispose()


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
        log_level=os.environ.get("PORTAL_LOG_LEVEL", "info"),
    )
    return 0


def _demo(db: Database, ctx: Context, outbox: Outbox, settings: Settings) -> None:
    upgrade(settings.database_url)
    result = demo.seed(db, ctx, outbox)
    _say("Demo data " + ("added." if result.created else "was already there; made fresh invitation links."))
    for code, key in result.integration_keys.items():
        _say(f"  integration key for {code}: {key}")
    _say("\nOfficers sign in with force code, username and password " + repr(demo.DEMO_PASSWORD) + ":")
    for demo_force in demo.FORCES:
        people = ", ".join(f"{o.username} ({o.role.value})" for o in demo_force.officers)
        _say(f"  {demo_force.code} ({demo_force.name}): {people}")
    _say("\nVictims open their invitation link; the 6-digit code is written to " + str(settings.notify_file) + ":")
    for force_name, reference, victim_name, link in result.invitations:
        _say(f"  {victim_name} ({force_name}, {reference}): {link}")


if __name__ == "__main__":
    raise SystemExit(main())
