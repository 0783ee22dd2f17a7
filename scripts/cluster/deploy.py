"""What runs once per deployment, before any instance starts.

Migrations, the demo registry and the first supervisor account are written by one
process, never by each instance: two gateways starting together must not race on
``alembic upgrade``. (Add ``python -m bot purge`` here when a deployment schedules
it, and run it from one place only.)
"""

from __future__ import annotations

import os
import subprocess
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from scripts.cluster.plan import APP_PYTHON, ROOT, ClusterPlan

ONCE_PER_DEPLOYMENT = (
    ["db", "upgrade"],
    ["seed-demo", "--if-empty"],
    ["staff", "bootstrap"],
)


def ensure_database(database_url: str) -> bool:
    """Create the cluster's own database when it does not exist; True if created."""
    parts = urlsplit(database_url)
    name = parts.path.strip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if found:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def run_once(plan: ClusterPlan, commands: tuple[list[str], ...]) -> None:
    """``python -m bot <command>`` for each command, with the cluster's settings."""
    env = {**os.environ, **plan.store_env(), **plan.app_env}
    for command in commands:
        subprocess.run(
            [APP_PYTHON, "-m", "bot", *command],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
