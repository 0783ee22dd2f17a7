"""Building a cluster: its plan from the environment, its files, its supervisor.

Shared by ``python -m scripts.cluster`` and the reliability tests, which build the
same cluster with their own ports, database and fake providers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bot.core.private_files import ensure_local_secret
from scripts.cluster import deploy, endpoints, nginx
from scripts.cluster.plan import (
    MODEL,
    ROOT,
    ClusterPlan,
    default_ports,
    env_int,
    instance_specs,
)
from scripts.cluster.supervisor import Supervisor

DEFAULT_DATABASE_URL = "postgresql://127.0.0.1:5432/bpu_cluster"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def plan_from_environment(environ: Mapping[str, str] = os.environ) -> ClusterPlan:
    """The operator's cluster: counts, ports and stores from the environment."""
    var_dir = Path(environ.get("CLUSTER_VAR_DIR", str(ROOT / "var" / "cluster")))
    return ClusterPlan(
        var_dir=var_dir,
        database_url=environ.get("CLUSTER_DATABASE_URL", DEFAULT_DATABASE_URL),
        redis_url=environ.get("REDIS_URL", DEFAULT_REDIS_URL),
        data_key=environ.get("DATA_ENCRYPTION_KEY")
        or ensure_local_secret(var_dir, "data_key"),
        rasa_token=environ.get("RASA_TOKEN")
        or ensure_local_secret(var_dir, "rasa_token"),
        rasa_count=env_int(environ, "CLUSTER_RASA", 2),
        actions_count=env_int(environ, "CLUSTER_ACTIONS", 2),
        gateway_count=env_int(environ, "CLUSTER_GATEWAYS", 2),
        ports=default_ports(environ),
        rasa_workers=env_int(environ, "SANIC_WORKERS", 1),
        # Loading the model takes ~20 s alone, many minutes on a busy machine.
        rasa_start_timeout=env_int(environ, "RASA_START_TIMEOUT", 1800),
    )


def check_channels(plan: ClusterPlan, environ: Mapping[str, str]) -> None:
    """Several gateways cannot all long-poll one bot: Telegram needs its webhook."""
    polling = environ.get("TELEGRAM_BOT_TOKEN") and not environ.get(
        "TELEGRAM_WEBHOOK_SECRET"
    )
    if polling and plan.gateway_count > 1:
        raise SystemExit(
            "TELEGRAM_BOT_TOKEN without TELEGRAM_WEBHOOK_SECRET means polling, which "
            "only one gateway may do: set the webhook settings, or CLUSTER_GATEWAYS=1"
        )


def build(plan: ClusterPlan) -> Supervisor:
    """Prepare the stores and the configuration files; the supervisor, not started."""
    if not MODEL.exists():
        raise SystemExit(f"no trained model at {MODEL}: run `make train`")
    deploy.ensure_database(plan.database_url)
    deploy.run_once(plan, deploy.ONCE_PER_DEPLOYMENT)
    rasa_endpoints = endpoints.write(plan, key_prefix="bpucluster")
    specs = [nginx.nginx_spec(plan), *instance_specs(plan, rasa_endpoints)]
    return Supervisor(specs, plan.log_dir)
