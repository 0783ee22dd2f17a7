"""Rasa's ``endpoints.yml``, written at start-up from the settings.

One source of truth: the Rasa server reads the same settings as the gateway and the
action server, through this file, instead of a hand-kept copy that could disagree.
It is written under ``var/`` readable by its owner only, because the tracker store's
URL may carry the database password, which must never go on a command line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from bot.core.private_files import private_dir
from bot.core.settings import Settings

# Loaded by the Rasa server from the project's root (Rasa's own environment).
TRACKER_STORE_CLASS = "addons.tracker_store.PatientSQLTrackerStore"
# Rasa's lock keys in Redis; alphanumeric, as RedisLockStore requires.
LOCK_KEY_PREFIX = "bpu"
LOCK_SOCKET_TIMEOUT_SECONDS = 10


def lock_store(
    redis_url: str | None, key_prefix: str = LOCK_KEY_PREFIX
) -> dict[str, Any]:
    """``RedisLockStore`` on ``REDIS_URL``; the in-memory one without it.

    ``key_prefix`` (alphanumeric) keeps apart deployments sharing one Redis.
    """
    if not redis_url:
        return {"type": "in_memory"}
    parts = urlsplit(redis_url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError("REDIS_URL must start with redis:// or rediss://")
    config: dict[str, Any] = {
        "type": "redis",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.strip("/") or 0),
        "key_prefix": key_prefix,
        "socket_timeout": LOCK_SOCKET_TIMEOUT_SECONDS,
        "use_ssl": parts.scheme == "rediss",
    }
    if parts.username:
        config["username"] = unquote(parts.username)
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def endpoints(
    settings: Settings, lock_key_prefix: str = LOCK_KEY_PREFIX
) -> dict[str, Any]:
    """The endpoints configuration Rasa reads (``rasa run --endpoints``)."""
    durable = settings.durable
    return {
        "action_endpoint": {"url": durable.action_endpoint_url},
        # Rasa's SQLTrackerStore, waiting out a short database outage instead of
        # forgetting the conversation (addons/tracker_store.py). A full URL is taken
        # as is (as its host); it creates its own table (``events``) on first start.
        "tracker_store": {
            "type": TRACKER_STORE_CLASS,
            "url": durable.tracker_store_url,
        },
        "lock_store": lock_store(settings.redis_url, lock_key_prefix),
    }


def write_endpoints(
    settings: Settings, path: Path, lock_key_prefix: str = LOCK_KEY_PREFIX
) -> Path:
    """Write the file (owner-only) and return its path."""
    private_dir(path.parent)
    config = endpoints(settings, lock_key_prefix)
    text = (
        "# Written by `python -m bot rasa-endpoints` from the settings; "
        "do not edit.\n" + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)
    return path
