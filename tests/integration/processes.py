"""Start the real processes (Rasa, action server, gateway) on loopback for tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

# The same programs, model and quiet settings as the cluster launcher's.
from scripts.cluster.plan import APP_PYTHON, MODEL, QUIET_ENV, RASA_PYTHON, ROOT
from tests.fakes.server import free_port
from tests.postgres import POSTGRES_ADMIN_URL, postgres_database

# Where the tests found them.
__all__ = [
    "APP_PYTHON",
    "MODEL",
    "POSTGRES_ADMIN_URL",
    "QUIET_ENV",
    "RASA_PYTHON",
    "ROOT",
    "postgres_database",
]

LOG_DIR = ROOT / "var" / "test-logs"


class Process:
    """A child process in its own session, with its output in a log file."""

    def __init__(
        self, name: str, argv: list[str], env: Mapping[str, str], ready_url: str
    ):
        self.name = name
        self.argv = argv
        self.env = {**os.environ, **QUIET_ENV, **env}
        self.ready_url = ready_url
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"{name}-{uuid.uuid4().hex[:8]}.log"
        self._popen: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> Process:
        """Start and wait until ``ready_url`` answers 200."""
        log = self.log_path.open("wb")
        self._popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.ready_url, timeout=2.0).status_code == 200:
                    return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"{self.name} not ready after {timeout}s:\n{self.log_tail()}"
        )

    @property
    def pid(self) -> int | None:
        """The child's process id once started (the bench reads its memory)."""
        return None if self._popen is None else self._popen.pid

    def stop(self) -> None:
        """SIGTERM the process group; SIGKILL if it lingers."""
        if self._popen is None or self._popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._popen.pid, signal.SIGTERM)
        try:
            self._popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._popen.pid, signal.SIGKILL)
            self._popen.wait(timeout=5)

    def kill(self) -> None:
        """SIGKILL the process group at once (a crash, not a shutdown)."""
        if self._popen is None or self._popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._popen.pid, signal.SIGKILL)
        self._popen.wait(timeout=15)

    def again(self) -> Process:
        """A new, not yet started process with the same command and environment."""
        return Process(self.name, self.argv, self.env, self.ready_url)

    def log_tail(self, lines: int = 60) -> str:
        """The end of the process's output, for failure messages."""
        if not self.log_path.exists():
            return ""
        return "\n".join(
            self.log_path.read_text(errors="replace").splitlines()[-lines:]
        )


@dataclass
class RasaServer:
    """A running Rasa server whose action endpoint is a fixed loopback port.

    Its tracker store is SQL (a SQLite file of its own under ``home``, as the
    embedded default has, unless ``TRACKER_STORE_URL`` was given), configured by
    ``python -m bot rasa-endpoints`` as ``make run`` does; ``restart`` brings a
    killed server back on the same port, token and tracker store.
    """

    url: str
    token: str
    action_port: int
    process: Process
    home: Path

    @property
    def tracker_db(self) -> Path:
        """The SQLite tracker store file (the default for the tests)."""
        return self.home / "rasa_tracker.db"

    def kill(self) -> None:
        """SIGKILL, as a crash would: no chance to flush anything."""
        self.process.kill()

    def restart(self) -> None:
        """Start the same server again (after ``kill``)."""
        self.process = self.process.again().start(rasa_start_timeout())


def run_rasa_probe(probe: Path, *args: str) -> dict[str, Any]:
    """Run ``probe`` (a script that imports Rasa) in Rasa's environment; its last
    line of output, parsed as JSON."""
    result = subprocess.run(
        [str(RASA_PYTHON), str(probe), *args],
        cwd=ROOT,
        env={**os.environ, **QUIET_ENV, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def rasa_start_timeout() -> float:
    """Loading the model takes ~20 s alone but minutes on a busy shared machine."""
    return float(os.environ.get("RASA_START_TIMEOUT", "600"))


def write_rasa_endpoints(home: Path, env: Mapping[str, str]) -> Path:
    """``python -m bot rasa-endpoints`` with ``env`` as the settings."""
    out = home / "endpoints.yml"
    subprocess.run(
        [APP_PYTHON, "-m", "bot", "rasa-endpoints", "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, **QUIET_ENV, "BPU_VAR_DIR": str(home), **env},
        capture_output=True,
        timeout=60,
        check=True,
    )
    return out


def rasa_command(
    model: Path, port: int, endpoints: Path, token: str
) -> tuple[list[str], dict[str, str]]:
    """``rasa run``'s command line and the environment that carries its token.

    Through scripts/rasa_run.py, as ``make run`` starts it: the token is never an
    argument (``ps`` shows those to everyone).
    """
    argv = [
        RASA_PYTHON, str(ROOT / "scripts" / "rasa_run.py"), "--model", str(model),
        "--enable-api", "--interface", "127.0.0.1", "--port", str(port),
        "--credentials", "credentials.yml", "--endpoints", str(endpoints),
    ]  # fmt: skip
    return argv, {"RASA_TOKEN": token}


def start_rasa(
    model: Path = MODEL,
    extra: Mapping[str, str] | None = None,
    settings: Mapping[str, str] | None = None,
) -> RasaServer:
    """Start ``rasa run`` with ``model`` on free loopback ports.

    ``extra`` adds to its environment (the bench sets TensorFlow's threads there);
    ``settings`` (``TRACKER_STORE_URL``, ``REDIS_URL``...) go to the endpoints
    generator; by default the tracker store is a SQLite file of this server's own.
    """
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make train` first")
    port, action_port = free_port(), free_port()
    token = uuid.uuid4().hex
    home = LOG_DIR / f"rasa-home-{uuid.uuid4().hex[:8]}"
    home.mkdir(parents=True)
    endpoints = write_rasa_endpoints(
        home,
        {
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
            "TRACKER_STORE_URL": f"sqlite:///{home / 'rasa_tracker.db'}",
            **(settings or {}),
        },
    )
    argv, secret = rasa_command(model, port, endpoints, token)
    ready = f"http://127.0.0.1:{port}/"
    process = Process("rasa", argv, {**(extra or {}), **secret}, ready).start(
        rasa_start_timeout()
    )
    return RasaServer(f"http://127.0.0.1:{port}", token, action_port, process, home)


# One key for every process of a test stack, as production shares one key.
TEST_DATA_KEY = "test-only-data-encryption-key-0123456789"


# How a Python module is started: ``python -m MODULE``. The bench runs the same
# module through a wrapper that times database round trips (bench/sqltrace.py).
RUN_MODULE: tuple[str, ...] = ("-m",)


def start_action_server(
    port: int,
    database_url: str,
    extra: Mapping[str, str],
    runner: Sequence[str] = RUN_MODULE,
) -> Process:
    """The rasa_sdk action server on ``port`` with our actions and ``database_url``."""
    argv = [APP_PYTHON, *runner, "actions.serve", "--port", str(port)]
    env = {
        "SANIC_HOST": "127.0.0.1",
        "DATABASE_URL": database_url,
        "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
        **extra,
    }
    return Process("actions", argv, env, f"http://127.0.0.1:{port}/health").start()


def start_gateway(
    env: Mapping[str, str], runner: Sequence[str] = RUN_MODULE
) -> tuple[Process, str]:
    """``python -m bot serve`` on a free port; returns the process and its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    full_env = {
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
        **env,
    }
    argv = [APP_PYTHON, *runner, "bot", "serve"]
    return Process("gateway", argv, full_env, f"{url}/healthz").start(), url


def run_cli(
    args: list[str], database_url: str, env: Mapping[str, str] | None = None
) -> Any:
    """Run ``python -m bot ARGS`` (``env``: more settings); return its JSON output."""
    result = subprocess.run(
        [APP_PYTHON, "-m", "bot", *args],
        cwd=ROOT,
        env={
            **os.environ,
            **QUIET_ENV,
            "DATABASE_URL": database_url,
            "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)
