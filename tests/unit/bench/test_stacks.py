"""Which stores the bench's Rasa server uses on each profile (bench/stacks.py)."""

from __future__ import annotations

from pathlib import Path

from bench.stacks import REDIS_URL, rasa_stores
from tests.integration.processes import write_rasa_endpoints

PG = "postgresql://127.0.0.1:5432/bench"


def test_postgres_profile_puts_the_tracker_on_postgres_and_locks_in_redis(
    tmp_path: Path,
) -> None:
    stores = rasa_stores("postgres", PG)
    assert stores == {"TRACKER_STORE_URL": PG, "REDIS_URL": REDIS_URL}
    endpoints = write_rasa_endpoints(tmp_path, stores).read_text()
    assert f"url: {PG}" in endpoints
    assert "type: redis" in endpoints


def test_embedded_default_keeps_the_launchers_sqlite_tracker() -> None:
    assert rasa_stores("sqlite", "sqlite:////tmp/x.sqlite3") == {}
