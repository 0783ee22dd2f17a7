"""The migration history is one line, and it builds the tables the models declare."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.store.db import Database
from bot.store.migrate import alembic_config, upgrade
from bot.store.models import Base


def test_the_history_has_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_every_revision_but_the_first_has_a_parent() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    bases = script.get_bases()
    assert len(bases) == 1


def test_upgrading_a_fresh_database_creates_every_declared_table(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_upgrading_twice_changes_nothing(db: Database) -> None:
    url = str(db.engine.url)
    before = set(inspect(db.engine).get_table_names())
    upgrade(url)
    assert set(inspect(db.engine).get_table_names()) == before
