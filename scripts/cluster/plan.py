"""What runs where: the instances, their ports and their settings.

One plan describes a whole cluster; the supervisor starts it and nginx's
configuration is rendered from it, so the ports are written down once. The
instances talk to each other only through nginx: the gateways reach "the Rasa
server" and the Rasa servers reach "the action server" at nginx's internal
listeners, which balance over the instances and skip one that is down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = str(ROOT / ".venv" / "bin" / "python")
# Rasa starts through scripts/rasa_run.py: the token stays in its environment.
RASA_PYTHON = str(ROOT / ".venv-rasa" / "bin" / "python")
MODEL = ROOT / "models" / "bpu.tar.gz"

QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONUNBUFFERED": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}


@dataclass(frozen=True)
class ProcessSpec:
    """One process to keep running: how to start it and how to tell it is ready."""

    name: str
    argv: list[str]
    env: Mapping[str, str]
    health_url: str
    # Rasa loads a model: it may need minutes on a busy machine.
    start_timeout: float = 120.0


@dataclass(frozen=True)
class Ports:
    """nginx's listeners and the first port of each kind of instance."""

    public: int = 8080  # the gateways, as Telegram/WhatsApp and staff reach them
    rasa: int = 8081  # nginx → Rasa servers (what the gateways call)
    actions: int = 8082  # nginx → action servers (what Rasa calls)
    first_rasa: int = 8110
    first_actions: int = 8120
    first_gateway: int = 8130


@dataclass(frozen=True)
class ClusterPlan:
    """A cluster on loopback: counts, ports, stores and the settings they share."""

    var_dir: Path
    database_url: str
    redis_url: str
    data_key: str
    rasa_token: str
    rasa_count: int = 2
    actions_count: int = 2
    gateway_count: int = 2
    ports: Ports = field(default_factory=Ports)
    # Rasa's own multi-worker mode (SANIC_WORKERS); 1 is one process per instance.
    rasa_workers: int = 1
    # Settings every gateway and action server gets on top of the stores'
    # (channels, fake providers in tests, ...).
    app_env: Mapping[str, str] = field(default_factory=dict)
    # A separate endpoints file for Rasa (None: rendered under var_dir).
    endpoints_file: Path | None = None
    rasa_start_timeout: float = 600.0

    def rasa_ports(self) -> list[int]:
        return [self.ports.first_rasa + i for i in range(self.rasa_count)]

    def actions_ports(self) -> list[int]:
        return [self.ports.first_actions + i for i in range(self.actions_count)]

    def gateway_ports(self) -> list[int]:
        return [self.ports.first_gateway + i for i in range(self.gateway_count)]

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.public}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def action_endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.actions}/webhook"

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "logs"

    def store_env(self) -> dict[str, str]:
        """What every process of ours needs to find the stores and the secrets."""
        return {
            **QUIET_ENV,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "DATA_ENCRYPTION_KEY": self.data_key,
            "BPU_VAR_DIR": str(self.var_dir),
            "RASA_URL": self.rasa_url,
            "RASA_TOKEN": self.rasa_token,
            "ACTION_ENDPOINT_URL": self.action_endpoint_url,
        }


def rasa_spec(plan: ClusterPlan, index: int, endpoints: Path) -> ProcessSpec:
    port = plan.rasa_ports()[index]
    argv = [
        RASA_PYTHON, str(ROOT / "scripts" / "rasa_run.py"), "--model", str(MODEL),
        "--enable-api", "--interface", "127.0.0.1",
        "--port", str(port), "--credentials", str(ROOT / "credentials.yml"),
        "--endpoints", str(endpoints),
    ]  # fmt: skip
    env = {**plan.store_env(), "SANIC_WORKERS": str(plan.rasa_workers)}
    return ProcessSpec(
        f"rasa-{index + 1}",
        argv,
        env,
        f"http://127.0.0.1:{port}/",
        plan.rasa_start_timeout,
    )


def actions_spec(plan: ClusterPlan, index: int) -> ProcessSpec:
    port = plan.actions_ports()[index]
    argv = [APP_PYTHON, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    env = {**plan.store_env(), **plan.app_env, "SANIC_HOST": "127.0.0.1"}
    return ProcessSpec(
        f"actions-{index + 1}", argv, env, f"http://127.0.0.1:{port}/health"
    )


def gateway_spec(plan: ClusterPlan, index: int) -> ProcessSpec:
    port = plan.gateway_ports()[index]
    env = {
        **plan.store_env(),
        **plan.app_env,
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
    }
    argv = [APP_PYTHON, "-m", "bot", "serve"]
    return ProcessSpec(
        f"gateway-{index + 1}", argv, env, f"http://127.0.0.1:{port}/healthz"
    )


def instance_specs(plan: ClusterPlan, endpoints: Path) -> list[ProcessSpec]:
    """Every instance, in start order: what others call starts first."""
    return [
        *(actions_spec(plan, i) for i in range(plan.actions_count)),
        *(rasa_spec(plan, i, endpoints) for i in range(plan.rasa_count)),
        *(gateway_spec(plan, i) for i in range(plan.gateway_count)),
    ]


def env_int(environ: Mapping[str, str], name: str, default: int) -> int:
    """An integer setting of the launcher, with its name in the error."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from exc


def default_ports(environ: Mapping[str, str] = os.environ) -> Ports:
    """The operator's ports (``CLUSTER_PORT`` and the two after it for nginx)."""
    public = env_int(environ, "CLUSTER_PORT", Ports.public)
    return Ports(public=public, rasa=public + 1, actions=public + 2)
