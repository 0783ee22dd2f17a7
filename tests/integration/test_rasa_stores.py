"""The stores ``python -m bot rasa-endpoints`` names open in Rasa's environment.

PostgreSQL with Redis (production): the tracker store is the project's own
database (Rasa creates its ``events`` table there) and the locks are in Redis. The
embedded default: a SQLite file of Rasa's own and in-memory locks. A tracker saved
by one process is read back by another, as after a restart.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

from tests.integration.processes import (
    TEST_DATA_KEY,
    postgres_database,
    run_rasa_probe,
    write_rasa_endpoints,
)
from tests.required import missing

PROBE = Path(__file__).with_name("rasa_stores_probe.py")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def redis_url() -> str:
    """Redis, required when ``CI=true``; elsewhere a missing server skips."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except redis.RedisError as exc:
        reason = f"Redis not reachable at {REDIS_URL}: {exc}"
        missing(reason)
    return REDIS_URL


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


def _probe(endpoints: Path, mode: str, sender: str) -> dict[str, Any]:
    return run_rasa_probe(PROBE, str(endpoints), mode, sender)


def test_postgres_tracker_store_and_redis_locks(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    endpoints = write_rasa_endpoints(
        tmp_path,
        {
            "DATABASE_URL": pg_url.replace("postgresql://", "postgresql+psycopg://"),
            "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
            "REDIS_URL": redis_url,
        },
    )
    assert endpoints.stat().st_mode & 0o077 == 0
    sender = f"telegram:{uuid.uuid4().int % 10**9}"
    saved = _probe(endpoints, "save", sender)
    assert saved["tracker_store"] == "PatientSQLTrackerStore"
    assert saved["lock_store"] == "RedisLockStore"
    assert saved["locked"] is True
    assert _probe(endpoints, "load", sender)["kpj"] == "kpjtok123"
    with psycopg.connect(pg_url) as connection:
        count = connection.execute(
            "SELECT count(*) FROM events WHERE sender_id = %s", (sender,)
        ).fetchone()
    assert count is not None and count[0] >= 2


def test_embedded_default_keeps_its_own_sqlite_file(tmp_path: Path) -> None:
    env = {key: "" for key in ("DATABASE_URL", "REDIS_URL", "TRACKER_STORE_URL")}
    endpoints = write_rasa_endpoints(tmp_path, env)
    sender = "webchat:probe"
    saved = _probe(endpoints, "save", sender)
    assert saved["lock_store"] == "InMemoryLockStore"
    assert (tmp_path / "rasa_tracker.db").is_file()
    assert not (tmp_path / "bpu.sqlite3").exists()  # not the gateway's file
    assert _probe(endpoints, "load", sender)["kpj"] == "kpjtok123"
