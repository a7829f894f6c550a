"""Backend settings, read once from ``PORTAL_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-secret-change-me"  # noqa: S105 - the placeholder production refuses


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    database_url: str = "sqlite:///var/portal.sqlite3"
    public_url: str = Field(default="http://127.0.0.1:8550", description="Where invitation links point.")
    db_pool_size: int = 20

    notify_channel: Literal["file", "notify", "smtp"] = "file"
    notify_file: Path = Path("var/notifications.jsonl")
    notify_api_key: SecretStr | None = None
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_sms_template_id: str = ""
    notify_email_template_id: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = Field(default=False, description="Required in production; the certificate is verified.")
    smtp_ca_file: Path | None = Field(
        default=None, description="The authority that signed the relay's certificate, if not a public one."
    )
    smtp_from: str = "portal@localhost"

    caller_cache_seconds: float = Field(
        default=30.0, description="How long a worker trusts a token it has checked before checking it again."
    )
    officer_token_hours: int = 12
    victim_token_days: int = 90
    officer_idle_hours: float = Field(default=4, description="An officer's session unused this long is ended.")
    victim_idle_days: float = Field(default=30, description="A victim's session unused this long is ended.")
    setup_code_hours: int = Field(default=72, description="How long an officer's one-time set-up code lasts.")
    invitation_days: int = 14
    code_minutes: int = 10
    code_attempts: int = 5
    prune_attempts_seconds: float = Field(
        default=600.0, description="How often each worker deletes failed attempts older than every limit's window."
    )
    max_body_bytes: int = 64 * 1024
    trusted_proxies: int = Field(default=0, description="How many proxies' X-Forwarded-For hops to trust.")
    api_docs: bool | None = Field(
        default=None, description="Serve /docs and /openapi.json: on in development, in production only if true."
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long a force's webhook receiver has to answer one delivery."
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a worker holds a delivery it took; a worker killed mid-delivery holds it no longer.",
    )
    webhook_retry_seconds: float = Field(
        default=5.0, gt=0, description="The first wait after a failed delivery; it doubles with each failure."
    )
    webhook_retry_max_seconds: float = Field(default=3600.0, gt=0, description="The longest wait between retries.")
    webhook_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often each worker looks for deliveries queued by the other workers."
    )
    webhook_batch: int = Field(default=50, ge=1, description="Deliveries (each to a different case) in flight at once.")
    password_hashing: Literal["strong", "fast"] = Field(
        default="strong", description="argon2id cost: 'fast' is for the test suite only; production refuses it."
    )

    @model_validator(mode="after")
    def _lease_outlasts_a_delivery(self) -> Settings:
        # A lease that ran out while its delivery was still waiting for an answer would let a
        # second worker send the same event.
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError("PORTAL_WEBHOOK_LEASE_SECONDS must be longer than PORTAL_WEBHOOK_TIMEOUT_SECONDS")
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_secret_in_production(self) -> Settings:
        if self.environment == "production":
            secret = self.secret_key.get_secret_value()
            if not secret or secret == DEVELOPMENT_SECRET or len(secret) < 32:
                raise ValueError(
                    "PORTAL_SECRET_KEY must be set to a random value of at least 32 characters in production"
                )
            if self.password_hashing != "strong":
                raise ValueError("PORTAL_PASSWORD_HASHING=fast is for tests; production hashes passwords strongly")
            if self.notify_channel == "file":
                raise ValueError("PORTAL_NOTIFY_CHANNEL=file is for development; use notify or smtp")
            if self.notify_channel == "smtp" and not self.smtp_starttls:
                raise ValueError("PORTAL_SMTP_STARTTLS=true is needed in production: links and codes go by email")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def environment_problem(self) -> str | None:
        """Why this server may not start: it does not say whether it is production. Left to the
        default, a production server (on PostgreSQL or on one machine's SQLite) would run with
        development's leniency and its placeholder secret. ``dev.py start`` says development."""
        if "environment" in self.model_fields_set:
            return None
        return (
            "PORTAL_ENVIRONMENT is not set. A server must say what it is: set "
            "PORTAL_ENVIRONMENT=production for real use (or development for a trial)."
        )
