"""Alembic environment: migrates the database named by the settings."""

from __future__ import annotations

from alembic import context

from bot.core.settings import load_settings
from bot.store.db import make_engine
from bot.store.models import Base

config = context.config


def run_migrations() -> None:
    """Run online migrations; the URL comes from the caller or the settings."""
    url = config.attributes.get("database_url") or load_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
