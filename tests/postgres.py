"""A throw-away PostgreSQL database for tests that must also run on PostgreSQL.

The server is expected at ``TEST_POSTGRES_URL`` (default 127.0.0.1:5432, database
``test``, trust auth). With ``CI=true`` its absence fails the test; elsewhere the
test is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store.db import Database
from bot.store.migrate import upgrade
from tests.required import missing

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test"
)


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database for one test module, dropped afterwards."""
    import psycopg

    admin = POSTGRES_ADMIN_URL
    name = f"bpu_test_{uuid.uuid4().hex[:10]}"
    try:
        connection = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL not reachable at {admin}: {exc}"
        missing(reason)
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(params=["sqlite", "postgres"], name="db")
def db_on_both_engines(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    """A migrated store, once on SQLite and once on PostgreSQL (import it into a
    test module to replace the SQLite-only ``db`` of tests/conftest.py)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bpu.sqlite3'}"
        upgrade(url)
        database = Database(url)
        yield database
        database.dispose()
        return
    with postgres_database() as url:
        upgrade(url)
        database = Database(url)
        yield database
        database.dispose()
