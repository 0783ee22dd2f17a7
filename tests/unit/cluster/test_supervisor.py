"""The supervisor with real (tiny) processes: ready, restarted after a kill, held,
stopped."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from scripts.cluster.plan import ProcessSpec
from scripts.cluster.supervisor import Supervisor, is_healthy
from tests.fakes.server import free_port


def _http_server(name: str) -> ProcessSpec:
    port = free_port()
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    return ProcessSpec(name, argv, {}, f"http://127.0.0.1:{port}/", 30.0)


def _wait(predicate: object, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return True
        time.sleep(0.1)
    return False


def test_killed_instance_is_restarted_held_one_stays_down(tmp_path: Path) -> None:
    specs = [_http_server("web-1"), _http_server("web-2")]
    supervisor = Supervisor(specs, tmp_path)
    supervisor.start()
    try:
        assert supervisor.status() == {"web-1": "up", "web-2": "up"}
        supervisor.kill("web-1", signal.SIGKILL)
        assert _wait(lambda: supervisor.instances["web-1"].restarts == 1)
        supervisor.wait_ready(["web-1"], timeout=30)
        assert is_healthy(specs[0].health_url)

        supervisor.kill("web-2", signal.SIGKILL, hold=True)
        time.sleep(1.5)  # several monitor rounds: a held instance is left alone
        assert supervisor.status()["web-2"] == "held"
        supervisor.release("web-2")
        supervisor.wait_ready(["web-2"], timeout=30)
        assert supervisor.instances["web-2"].exits == [-signal.SIGKILL]
    finally:
        supervisor.stop()
    assert supervisor.status() == {"web-1": "down", "web-2": "down"}
    assert (tmp_path / "web-1.log").exists()
