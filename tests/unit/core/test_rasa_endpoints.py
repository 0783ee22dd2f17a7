"""Rasa's endpoints file follows the settings: tracker store, lock store, actions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.rasa_endpoints import endpoints, lock_store, write_endpoints
from bot.core.settings import SettingsError, load_settings

KEY = {"DATA_ENCRYPTION_KEY": "k" * 40}


def test_embedded_default_has_its_own_tracker_file_and_memory_locks(
    tmp_path: Path,
) -> None:
    settings = load_settings({"BPU_VAR_DIR": str(tmp_path)})
    config = endpoints(settings)
    assert config["tracker_store"] == {
        "type": "addons.tracker_store.PatientSQLTrackerStore",
        "url": f"sqlite:///{tmp_path.resolve() / 'rasa_tracker.db'}",
    }
    assert settings.database_url != config["tracker_store"]["url"]
    assert config["lock_store"] == {"type": "in_memory"}
    assert config["action_endpoint"] == {"url": "http://127.0.0.1:5055/webhook"}


def test_postgres_is_shared_and_opened_with_rasas_driver() -> None:
    settings = load_settings(
        {"DATABASE_URL": "postgresql+psycopg://bpu:s%40cret@db:5433/bpu", **KEY}
    )
    url = endpoints(settings)["tracker_store"]["url"]
    assert url == "postgresql://bpu:s%40cret@db:5433/bpu"


def test_tracker_store_url_overrides_the_choice() -> None:
    settings = load_settings({"TRACKER_STORE_URL": "sqlite:////srv/rasa.db"})
    assert endpoints(settings)["tracker_store"]["url"] == "sqlite:////srv/rasa.db"


def test_malformed_tracker_url_is_named() -> None:
    with pytest.raises(SettingsError, match="TRACKER_STORE_URL"):
        load_settings({"TRACKER_STORE_URL": "not a url"})


def test_redis_url_becomes_a_redis_lock_store() -> None:
    assert lock_store("redis://:pa%3Ass@cache:6380/3") == {
        "type": "redis",
        "url": "cache",
        "port": 6380,
        "db": 3,
        "key_prefix": "bpu",
        "socket_timeout": 10,
        "use_ssl": False,
        "password": "pa:ss",
    }
    assert lock_store("rediss://cache")["use_ssl"] is True
    assert lock_store("redis://cache")["db"] == 0


def test_a_redis_url_of_another_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="REDIS_URL"):
        lock_store("http://cache:6379")


def test_the_file_is_private_and_rasa_readable(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://bpu:secret@db/bpu",
            "REDIS_URL": "redis://127.0.0.1:6379/1",
            "ACTION_ENDPOINT_URL": "http://10.0.0.5:5055/webhook",
            **KEY,
        }
    )
    path = write_endpoints(settings, tmp_path / "rasa" / "endpoints.yml")
    assert path.stat().st_mode & 0o077 == 0
    written = yaml.safe_load(path.read_text("utf-8"))
    assert written["action_endpoint"]["url"] == "http://10.0.0.5:5055/webhook"
    assert written["lock_store"]["type"] == "redis"
    assert settings.durable.action_health_url == "http://10.0.0.5:5055/health"
