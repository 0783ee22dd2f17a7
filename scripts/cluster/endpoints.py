"""Rasa's endpoints for a cluster: shared tracker store, Redis locks, action server.

The same file ``python -m bot rasa-endpoints`` writes (``bot.core.rasa_endpoints``),
from the cluster's settings: every Rasa instance must see the same conversations, so
the trackers live in the cluster's PostgreSQL database (Rasa's ``SQLTrackerStore``,
its own ``events`` table, created by Rasa) and the per-conversation locks in Redis
(``RedisLockStore``, with an alphanumeric key prefix of the cluster's own).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.core.rasa_endpoints import write_endpoints
from bot.core.settings import Settings, load_settings
from scripts.cluster.plan import ClusterPlan


def cluster_settings(plan: ClusterPlan) -> Settings:
    """The settings every instance reads; a cluster needs PostgreSQL and Redis."""
    scheme = urlsplit(plan.database_url).scheme
    if not scheme.startswith("postgresql"):
        raise SystemExit(f"a cluster needs PostgreSQL; DATABASE_URL is {scheme}://...")
    return load_settings(plan.store_env())


def write(plan: ClusterPlan, key_prefix: str) -> Path:
    """Write into ``var_dir`` (unless the plan names its own file); its path."""
    if plan.endpoints_file is not None:
        return plan.endpoints_file
    path = plan.var_dir / "endpoints.yml"
    return write_endpoints(cluster_settings(plan), path, lock_key_prefix=key_prefix)
