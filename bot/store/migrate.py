"""Apply Alembic migrations from code (the CLI, `make run` and the tests use this)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from bot.settings import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and ``database_url``."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the schema of ``database_url`` up to ``revision``.

    ``heads`` rather than ``head``: features land as sibling migrations off one base
    and Alembic applies every branch; a merge revision can join them later.
    """
    command.upgrade(alembic_config(database_url), revision)
