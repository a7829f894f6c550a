"""Running Alembic migrations from code (``portal-server migrate``), with no alembic.ini needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from sync.server.db import create_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    engine = create_engine(database_url, pool_size=1)
    try:
        command.upgrade(alembic_config(engine), revision)
    finally:
        engine.dispose()
