"""The systems under test, started as real processes on loopback.

The launchers are the integration tests' (tests/integration/processes.py) and the
fake Bot API is theirs too (tests/fakes), so the bench runs exactly what the tests
run. Stock: Rasa's REST channel with the stock model and our action server. Ours:
the gateway's Telegram webhook, Rasa with our model, the action server, on the
embedded default (SQLite) or on PostgreSQL with Redis.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.memory import cpu_seconds, resident_mb
from bench.telegram_sink import ReplySink
from bot.store.migrate import upgrade
from tests.fakes.gateway import TG_SECRET, TG_TOKEN
from tests.integration.conftest import gateway_env
from tests.integration.processes import (
    APP_PYTHON,
    QUIET_ENV,
    ROOT,
    RUN_MODULE,
    TEST_DATA_KEY,
    Process,
    RasaServer,
    postgres_database,
    start_action_server,
    start_gateway,
    start_rasa,
)

RUN_DIR = ROOT / "var" / "bench" / "run"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
WEBHOOK_SECRET = TG_SECRET


@dataclass
class Stack:
    """A running system: its processes by role, and where to send turns."""

    name: str
    rasa: RasaServer
    processes: dict[str, Process]
    database_url: str
    var_dir: Path
    gateway_url: str = ""
    sink: ReplySink | None = None
    env: dict[str, str] = field(default_factory=dict)

    def replies(self) -> ReplySink:
        """The fake Bot API of a whole-path stack."""
        if self.sink is None:
            raise RuntimeError(f"{self.name} has no fake Bot API")
        return self.sink

    def memory(self) -> dict[str, dict[str, float]]:
        """Resident memory of each process (now and at its peak)."""
        return {role: resident_mb(p.pid) for role, p in self.processes.items() if p.pid}

    def cpu(self) -> dict[str, float]:
        """CPU seconds each process has used so far."""
        return {role: cpu_seconds(p.pid) for role, p in self.processes.items() if p.pid}


def seed_demo(database_url: str, var_dir: Path) -> None:
    """Migrate and load the demo registry, as `make run` does on its first run."""
    upgrade(database_url)
    env = {
        **os.environ,
        **QUIET_ENV,
        "DATABASE_URL": database_url,
        "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
        "BPU_VAR_DIR": str(var_dir),
    }
    subprocess.run(
        [APP_PYTHON, "-m", "bot", "seed-demo", "--if-empty"],
        cwd=ROOT, env=env, check=True, timeout=120, capture_output=True,
    )  # fmt: skip


def _fresh_dir(name: str) -> Path:
    path = RUN_DIR / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@contextlib.contextmanager
def database(profile: str, var_dir: Path) -> Iterator[str]:
    """A fresh database for one stack: a SQLite file, or a PostgreSQL database."""
    if profile == "sqlite":
        yield f"sqlite:///{var_dir / 'bpu.sqlite3'}"
    else:
        with postgres_database() as url:
            yield url


def profile_env(profile: str, database_url: str, var_dir: Path) -> dict[str, str]:
    """What every process of a stack shares: the store, Redis, the var folder."""
    env = {"DATABASE_URL": database_url, "BPU_VAR_DIR": str(var_dir)}
    if profile == "postgres":
        env["REDIS_URL"] = REDIS_URL
    return env


def rasa_stores(profile: str, database_url: str) -> dict[str, str]:
    """Rasa's tracker and lock stores for ``profile``, as `make run` configures them.

    The embedded default keeps the launcher's own SQLite tracker file and the
    in-memory lock store; the PostgreSQL profile puts the tracker on the same
    database and the locks in Redis, which is what ships with that profile.
    """
    if profile != "postgres":
        return {}
    return {"TRACKER_STORE_URL": database_url, "REDIS_URL": REDIS_URL}


@contextlib.contextmanager
def stock_stack(model: Path, rasa_env: Mapping[str, str]) -> Iterator[Stack]:
    """Rasa's REST channel with the stock model, and our action server (SQLite)."""
    var_dir = _fresh_dir("stock")
    with database("sqlite", var_dir) as url:
        seed_demo(url, var_dir)
        env = profile_env("sqlite", url, var_dir)
        rasa = start_rasa(model, {**env, **rasa_env})
        processes = {"rasa": rasa.process}
        try:
            processes["actions"] = start_action_server(rasa.action_port, url, env)
            yield Stack("stock", rasa, processes, url, var_dir, env=env)
        finally:
            for process in reversed(processes.values()):
                process.stop()


@contextlib.contextmanager
def our_stack(
    profile: str, model: Path, rasa_env: Mapping[str, str], sink: ReplySink
) -> Iterator[Stack]:
    """The whole path on ``profile`` ("sqlite" or "postgres" with Redis)."""
    var_dir = _fresh_dir(f"ours-{profile}")
    with sink.serve() as fake, database(profile, var_dir) as url:
        seed_demo(url, var_dir)
        env = profile_env(profile, url, var_dir)
        rasa = start_rasa(model, {**env, **rasa_env}, rasa_stores(profile, url))
        stack = Stack(f"ours-{profile}", rasa, {"rasa": rasa.process}, url, var_dir)
        stack.sink, stack.env = sink, {**env, "TELEGRAM_URL": fake.url}
        try:
            start_app(stack)
            yield stack
        finally:
            stop_app(stack)
            rasa.process.stop()


def start_app(stack: Stack, runner: Sequence[str] = RUN_MODULE) -> None:
    """The action server and the gateway of ``stack`` (``runner``: how to start)."""
    env = {k: v for k, v in stack.env.items() if k != "TELEGRAM_URL"}
    stack.processes["actions"] = start_action_server(
        stack.rasa.action_port, stack.database_url, env, runner
    )
    gateway, url = start_gateway(gateway_settings(stack, stack.rasa.url), runner)
    stack.processes["gateway"], stack.gateway_url = gateway, url


def gateway_settings(stack: Stack, rasa_url: str) -> dict[str, str]:
    """The integration tests' gateway settings, plus this stack's profile."""
    env = {k: v for k, v in stack.env.items() if k != "TELEGRAM_URL"}
    base = gateway_env(
        stack.database_url, rasa_url, stack.env["TELEGRAM_URL"], stack.var_dir
    )
    return {**base, **env}


def stop_app(stack: Stack) -> None:
    """Stop the gateway and the action server (Rasa stays up)."""
    for role in ("gateway", "actions"):
        process = stack.processes.pop(role, None)
        if process is not None:
            process.stop()


def new_sink() -> ReplySink:
    """A fake Bot API for the gateway's token."""
    return ReplySink(TG_TOKEN)
