"""The command line, settings, and the migrations, as the people running the server meet them."""

from __future__ import annotations

import os
import subprocess
import sys
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
from sync.server.models import metadata
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
    password = officer.stdout.strip().split()[-1]

    async with open_api(f"sqlite:///{tmp_path / 'portal.sqlite3'}", tmp_path, FakeClock()) as api:
        token = await api.login("tvp", "admin", password)
        assert (await api.client.get("/officers/me", headers=bearer(token))).json()["role"] == "admin"
        by_key = await api.client.post(
            "/officers",
            json={"username": "pc1", "name": "PC One", "collar_number": "101", "email": "pc1@example.org",
                  "phone": "01632 960001", "password": "long-enough-pass"},
            headers=bearer(key),
        )  # fmt: skip
        assert by_key.status_code == 201


def test_the_demo_seeds_two_forces_and_says_how_to_sign_in(tmp_path: Path) -> None:
    first = portal_server(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "Thames Valley Police" in first.stdout
    assert "Hampshire & Isle of Wight Constabulary" in first.stdout
    assert first.stdout.count("/i/") >= 3
    invitations = (tmp_path / "notifications.jsonl").read_text().count('"purpose": "invitation"')
    second = portal_server(tmp_path, "demo")
    assert second.returncode == 0
    assert "already there" in second.stdout
    assert (tmp_path / "notifications.jsonl").read_text().count('"purpose": "invitation"') > invitations


def test_production_refuses_to_start_without_a_real_secret(tmp_path: Path) -> None:
    result = portal_server(tmp_path, "run", PORTAL_ENVIRONMENT="production", PORTAL_SECRET_KEY="")
    assert result.returncode == 2
    assert "PORTAL_SECRET_KEY" in result.stdout


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql+psycopg://db.example/portal")
    monkeypatch.setenv("PORTAL_INVITATION_DAYS", "7")
    settings = Settings()
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


def test_a_server_on_a_real_database_must_be_told_its_environment(tmp_path: Path) -> None:
    """Production is whatever runs on PostgreSQL: it must say so, or it would run as development."""
    url = "postgresql+psycopg://postgres@127.0.0.1:9/portal"  # never reached: it refuses first
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
