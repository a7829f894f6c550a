"""The command line, settings, and the migrations, as the people running the server meet them."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from argon2 import profiles
from pydantic import ValidationError

from sync.server.context import Context
from sync.server.migrate import upgrade
from sync.server.models import device_session, force, metadata, officer
from sync.server.settings import Settings
from tests.support import FakeClock, bearer, open_api

ROOT = Path(__file__).resolve().parents[2]


def portal_server(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "PORTAL_NOTIFY_FILE": str(tmp_path / "notifications.jsonl"),
            "PORTAL_SECRET_KEY": "test-secret-" + "x" * 32,
            "PORTAL_PASSWORD_HASHING": "fast",  # as the rest of the suite; production's is tested apart
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_a_force_and_its_first_officer_from_the_command_line(tmp_path: Path) -> None:
    assert portal_server(tmp_path, "migrate").returncode == 0
    created = portal_server(tmp_path, "create-force", "tvp", "Thames Valley Police")
    assert created.returncode == 0, created.stderr
    key = created.stdout.split()[-1]
    assert key.startswith("vpk_")
    again = portal_server(tmp_path, "create-force", "tvp", "Thames Valley Police")
    assert again.returncode == 1
    assert "already exists" in again.stdout

    officer = portal_server(
        tmp_path, "create-officer", "--force", "tvp", "--username", "admin", "--name", "Priya Shah",
        "--collar", "A1", "--role", "admin", "--email", "admin@example.org", "--phone", "01632 960000",
    )  # fmt: skip
    assert officer.returncode == 0, officer.stdout + officer.stderr
    setup_code = printed_setup_code(officer.stdout)

    async with open_api(f"sqlite:///{tmp_path / 'portal.sqlite3'}", tmp_path, FakeClock()) as api:
        await api.set_up("tvp", "admin", setup_code, "the-admins-own-password")
        token = await api.login("tvp", "admin", "the-admins-own-password")
        assert (await api.client.get("/officers/me", headers=bearer(token))).json()["role"] == "admin"
        by_key = await api.client.post(
            "/officers",
            json={"username": "pc1", "name": "PC One", "collar_number": "101", "email": "pc1@example.org",
                  "phone": "01632 960001"},
            headers=bearer(key),
        )  # fmt: skip
        assert by_key.status_code == 201
        assert by_key.json()["setup"]["setup_code"]


def printed_setup_code(stdout: str) -> str:
    lines = stdout.splitlines()
    at = next(n for n, line in enumerate(lines) if "set-up code" in line)
    return lines[at + 1].strip()


def test_the_demo_seeds_two_forces_and_says_how_to_sign_in(tmp_path: Path) -> None:
    first = portal_server(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "Thames Valley Police" in first.stdout
    assert "Hampshire & Isle of Wight Constabulary" in first.stdout
    assert first.stdout.count("/i/") >= 3
    assert "set up an authenticator app on first sign-in" in first.stdout
    invitations = (tmp_path / "notifications.jsonl").read_text().count('"purpose": "invitation"')
    second = portal_server(tmp_path, "demo")
    assert second.returncode == 0
    assert "already there" in second.stdout
    assert (tmp_path / "notifications.jsonl").read_text().count('"purpose": "invitation"') > invitations


def test_production_refuses_to_start_without_a_real_secret(tmp_path: Path) -> None:
    result = portal_server(
        tmp_path, "run", PORTAL_ENVIRONMENT="production", PORTAL_SECRET_KEY="", PORTAL_PASSWORD_HASHING="strong"
    )
    assert result.returncode == 2
    assert "PORTAL_SECRET_KEY" in result.stdout


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql+psycopg://db.example/portal")
    monkeypatch.setenv("PORTAL_INVITATION_DAYS", "7")
    monkeypatch.setenv("PORTAL_OFFICER_IDLE_HOURS", "2")
    monkeypatch.setenv("PORTAL_VICTIM_IDLE_DAYS", "14")
    settings = Settings()
    assert (settings.officer_idle_hours, settings.victim_idle_days) == (2, 14)
    assert settings.database_url == "postgresql+psycopg://db.example/portal"
    assert settings.invitation_days == 7
    assert not settings.is_sqlite


@pytest.mark.parametrize("secret", [None, "development-secret-change-me", "short"])
def test_production_needs_a_long_random_secret(secret: str | None) -> None:
    values = {"environment": "production", "notify_channel": "smtp"}
    if secret is not None:
        values["secret_key"] = secret
    with pytest.raises(ValidationError, match="PORTAL_SECRET_KEY"):
        Settings(**values)  # type: ignore[arg-type]
    assert Settings(environment="production", notify_channel="smtp", smtp_starttls=True, secret_key="s" * 40)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="development"):
        Settings(environment="production", notify_channel="file", secret_key="s" * 40)  # type: ignore[arg-type]


def test_the_migrations_build_exactly_the_models(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert differences == []
    upgrade(database_url)  # already at head: nothing to do, nothing breaks


def test_production_hashes_passwords_with_argon2s_recommended_strength() -> None:
    """The suite hashes with argon2's cheapest parameters; a real server never does."""
    production: dict[str, Any] = {"notify_channel": "smtp", "smtp_starttls": True, "secret_key": "s" * 40}
    strong = Context.from_settings(Settings(environment="production", **production))
    assert strong.passwords.parameters == profiles.RFC_9106_LOW_MEMORY
    assert strong.passwords.parameters.memory_cost >= 64 * 1024
    assert strong.passwords.parameters.time_cost >= 3
    stored = strong.passwords.hash("correct-horse-battery")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert strong.passwords.verify(stored, "correct-horse-battery")
    assert not strong.passwords.verify(stored, "wrong-horse-battery")
    assert Context.from_settings(Settings()).passwords.parameters == profiles.RFC_9106_LOW_MEMORY
    with pytest.raises(ValidationError, match="PORTAL_PASSWORD_HASHING"):
        Settings(environment="production", notify_channel="smtp", secret_key="s" * 40, password_hashing="fast")  # type: ignore[arg-type]


async def test_access_is_ended_from_the_command_line(tmp_path: Path) -> None:
    """Deactivate and reactivate an officer, reset their password, list, rotate and revoke keys."""
    assert portal_server(tmp_path, "migrate").returncode == 0
    first_key = portal_server(tmp_path, "create-force", "tvp", "Thames Valley Police").stdout.split()[-1]
    made = portal_server(
        tmp_path, "create-officer", "--force", "tvp", "--username", "pc1", "--name", "PC One",
        "--collar", "101", "--email", "pc1@example.org", "--phone", "01632 960001",
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    async with open_api(url, tmp_path, FakeClock()) as api:
        await api.set_up("tvp", "pc1", printed_setup_code(made.stdout))
        token = await api.login("tvp", "pc1")
        assert (await api.client.get("/officers/me", headers=bearer(token))).status_code == 200

        off = portal_server(tmp_path, "deactivate-officer", "--force", "tvp", "--username", "pc1")
        assert off.returncode == 0, off.stdout + off.stderr
        assert "signed out everywhere" in off.stdout
        api.services.ctx.callers.clear()  # another process ended it; this worker's short cache aside
        assert (await api.client.get("/officers/me", headers=bearer(token))).status_code == 401
        assert portal_server(tmp_path, "reactivate-officer", "--force", "tvp", "--username", "pc1").returncode == 0
        token = await api.login("tvp", "pc1")

        reset = portal_server(tmp_path, "reset-password", "--force", "tvp", "--username", "pc1")
        assert reset.returncode == 0, reset.stdout + reset.stderr
        api.services.ctx.callers.clear()
        assert (await api.client.get("/officers/me", headers=bearer(token))).status_code == 401
        await api.set_up("tvp", "pc1", printed_setup_code(reset.stdout), "after-the-reset-password")
        await api.login("tvp", "pc1", "after-the-reset-password")
        unknown = portal_server(tmp_path, "deactivate-officer", "--force", "tvp", "--username", "nobody")
        assert unknown.returncode == 1
        assert "No officer" in unknown.stdout

        listed = portal_server(tmp_path, "list-keys", "--force", "tvp")
        assert listed.returncode == 0
        assert first_key not in listed.stdout
        key_id = listed.stdout.split()[0]
        rotated = portal_server(tmp_path, "rotate-key", "--force", "tvp", "--id", key_id)
        assert rotated.returncode == 0, rotated.stdout + rotated.stderr
        second_key = rotated.stdout.split()[-1]
        assert second_key.startswith("vpk_")
        assert (await api.client.get("/officers/me", headers=bearer(first_key))).status_code == 401
        assert (await api.client.get("/officers/me", headers=bearer(second_key))).status_code == 403
        second_id = portal_server(tmp_path, "list-keys", "--force", "tvp").stdout.splitlines()[1].split()[0]
        assert portal_server(tmp_path, "revoke-key", "--force", "tvp", "--id", second_id).returncode == 0
        api.services.ctx.callers.clear()
        assert (await api.client.get("/officers/me", headers=bearer(second_key))).status_code == 401
        assert "live" not in portal_server(tmp_path, "list-keys", "--force", "tvp").stdout


def test_upgrading_signs_no_one_out_for_being_idle(tmp_path: Path) -> None:
    """Sessions older than the idle limits when migration 0004 arrives count as used at the upgrade."""
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    upgrade(url, "0002")
    signed_in = datetime.now(UTC) - timedelta(days=60)
    force_id, session_id = uuid.uuid4(), uuid.uuid4()
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(force).values(id=force_id, code="tvp", name="TVP", settings={}, created_at=signed_in)
            )
            conn.execute(
                sa.insert(device_session).values(
                    id=session_id, force_id=force_id, token_hash="x" * 64, kind="victim", device_name="Phone",
                    created_at=signed_in, expires_at=signed_in + timedelta(days=90),
                )
            )  # fmt: skip
        upgrade(url)
        with engine.connect() as conn:
            last_used = conn.execute(sa.select(device_session.c.last_used_at)).scalar_one()
    finally:
        engine.dispose()
    assert last_used is not None
    assert datetime.now(UTC) - last_used < timedelta(minutes=5)


def test_upgrading_ends_passwords_someone_else_chose_for_officers_with_no_authenticator(tmp_path: Path) -> None:
    """Whoever chose such a password could set up their own authenticator on the account."""
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    upgrade(url, "0002")
    now = datetime.now(UTC)
    force_id = uuid.uuid4()
    chosen = "$argon2id$chosen-by-an-admin"
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(force).values(id=force_id, code="tvp", name="TVP", settings={}, created_at=now))
            for username, enrolled in (("no.authenticator", False), ("enrolled", True)):
                conn.execute(
                    sa.insert(officer).values(
                        id=uuid.uuid4(), force_id=force_id, username=username, password_hash=chosen,
                        name=username, collar_number=username[:5], phone="+441632960000", email=f"{username}@x.org",
                        role="supervisor", active=True, totp_enabled=enrolled, created_at=now,
                    )
                )  # fmt: skip
        upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(officer.c.username, officer.c.password_hash)).all()
            passwords = {row.username: row.password_hash for row in rows}
    finally:
        engine.dispose()
    assert passwords == {"no.authenticator": None, "enrolled": chosen}


async def test_a_victim_is_signed_out_everywhere_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    upgrade(url)
    async with open_api(url, tmp_path, FakeClock()) as api:
        api.create_force("tvp", "Thames Valley Police")
        officer = await api.add_officer("tvp", "pc1")
        victim = await api.victim_with_case(officer)
        victim_id = api.rows(device_session, device_session.c.kind == "victim")[0].victim_id
        signed_out = portal_server(tmp_path, "sign-out-victim", "--force", "tvp", "--victim-id", str(victim_id))
        assert signed_out.returncode == 0, signed_out.stdout + signed_out.stderr
        assert "1 device." in signed_out.stdout
        api.services.ctx.callers.clear()
        assert (await api.client.get(f"/cases/{victim.case_id}", headers=victim.auth)).status_code == 401
        unknown = portal_server(tmp_path, "sign-out-victim", "--force", "tvp", "--victim-id", str(uuid.uuid4()))
        assert unknown.returncode == 1
        assert "No victim" in unknown.stdout


@pytest.mark.parametrize("database", ["postgresql", "sqlite"])
def test_a_server_must_be_told_its_environment(tmp_path: Path, database: str) -> None:
    """A production server must say so, or it would run as development, on either database."""
    url = {  # never reached: it refuses first
        "postgresql": "postgresql+psycopg://postgres@127.0.0.1:9/portal",
        "sqlite": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
    }[database]
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_ENVIRONMENT"}
    result = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "run", "--port", "9"],
        cwd=ROOT,
        env={**env, "PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "s" * 40},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "PORTAL_ENVIRONMENT" in result.stdout


def test_production_sends_email_only_over_verified_tls() -> None:
    production: dict[str, Any] = {"environment": "production", "notify_channel": "smtp", "secret_key": "s" * 40}
    with pytest.raises(ValidationError, match="PORTAL_SMTP_STARTTLS"):
        Settings(**production)
    assert Settings(**production, smtp_starttls=True).smtp_starttls
