"""A small process supervisor: start every instance, restart what dies, stop cleanly.

Each process runs in its own session (so a signal reaches its children too, e.g.
Rasa's Sanic workers) with its output in ``<var>/logs/<name>.log``. A process that
exits while the cluster runs is started again, after a pause that doubles on each
quick failure (1 s up to 30 s). Readiness is the process's health URL answering 200;
``status`` asks every health URL again, which is what an operator's monitoring
would poll. A test may ``kill`` an instance (any signal) and ``hold`` it down.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from scripts.cluster.plan import ROOT, ProcessSpec

MONITOR_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
STOP_GRACE_SECONDS = 15.0


class StartError(RuntimeError):
    """An instance exited or did not become ready in time."""


@dataclass
class Supervised:
    """One instance and what the supervisor knows about it."""

    spec: ProcessSpec
    log_dir: Path
    popen: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    held: bool = False
    started_at: float = 0.0
    backoff: float = 0.5
    next_start: float = 0.0
    # The current exit was seen and its restart scheduled.
    exit_seen: bool = False
    exits: list[int] = field(default_factory=list)

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.spec.name}.log"

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def launch(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"--- start {time.strftime('%H:%M:%S')} ---\n".encode())
            log.flush()
            self.popen = subprocess.Popen(
                self.spec.argv,
                cwd=ROOT,
                env={**os.environ, **self.spec.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started_at = time.monotonic()

    def signal(self, sig: int) -> None:
        if self.running() and self.popen is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def is_healthy(url: str, timeout: float = 2.0) -> bool:
    """Whether ``url`` answers 200 right now."""
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


class Supervisor:
    """Keeps a set of processes running until ``stop``."""

    def __init__(self, specs: Iterable[ProcessSpec], log_dir: Path) -> None:
        self.instances = {s.name: Supervised(s, log_dir) for s in specs}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._monitor: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Start every instance at once and wait until all are ready."""
        with self._lock:
            for instance in self.instances.values():
                instance.launch()
        try:
            self.wait_ready(self.instances)
        except StartError:
            self.stop()
            raise
        self._monitor = threading.Thread(
            target=self._watch, name="cluster-supervisor", daemon=True
        )
        self._monitor.start()

    def wait_ready(self, names: Iterable[str], timeout: float | None = None) -> None:
        """Poll the health URLs of ``names`` until each answers 200."""
        pending = {name: self.instances[name] for name in names}
        deadlines = {
            name: time.monotonic() + (timeout or i.spec.start_timeout)
            for name, i in pending.items()
        }
        while pending:
            for name, instance in list(pending.items()):
                if is_healthy(instance.spec.health_url):
                    del pending[name]
                elif instance.popen is not None and instance.popen.poll() is not None:
                    if self._monitor is None:  # not restarted for us at start
                        raise StartError(f"{name} exited:\n{instance.log_tail()}")
                elif time.monotonic() > deadlines[name]:
                    raise StartError(f"{name} not ready:\n{instance.log_tail()}")
            if pending:
                time.sleep(1.0)

    def stop(self) -> None:
        """Stop the front first (no new work), then the rest; SIGKILL stragglers."""
        self._stopping.set()
        if self._monitor is not None:
            self._monitor.join(timeout=5)
        order = sorted(self.instances.values(), key=_stop_rank)
        for instance in order:
            instance.signal(signal.SIGTERM)
            self._reap(instance)

    # --- what tests and operators do --------------------------------------------------

    def kill(self, name: str, sig: int = signal.SIGKILL, hold: bool = False) -> None:
        """Send ``sig`` to one instance; ``hold`` keeps it down until ``release``."""
        instance = self.instances[name]
        with self._lock:
            instance.held = hold
            popen = instance.popen
            instance.signal(sig)
        if popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(timeout=STOP_GRACE_SECONDS)

    def release(self, name: str) -> None:
        """Let a held instance be started again (at once)."""
        instance = self.instances[name]
        with self._lock:
            instance.held = False
            code = instance.popen.poll() if instance.popen is not None else None
            if code is not None and not instance.exit_seen:
                instance.exits.append(code)
            instance.exit_seen = True
            instance.next_start = 0.0

    def status(self) -> dict[str, str]:
        """``up``, ``unhealthy``, ``down`` or ``held`` for every instance."""
        states = {}
        for name, instance in self.instances.items():
            if instance.held:
                states[name] = "held"
            elif not instance.running():
                states[name] = "down"
            else:
                healthy = is_healthy(instance.spec.health_url)
                states[name] = "up" if healthy else "unhealthy"
        return states

    # --- the monitor ------------------------------------------------------------------

    def _watch(self) -> None:
        while not self._stopping.wait(MONITOR_SECONDS):
            with self._lock:
                for instance in self.instances.values():
                    self._tend(instance)

    def _tend(self, instance: Supervised) -> None:
        if instance.held or instance.popen is None:
            return
        code = instance.popen.poll()
        if code is None:
            return
        now = time.monotonic()
        if not instance.exit_seen:
            instance.exit_seen = True
            instance.exits.append(code)
            # A process that ran a while starts again at once; a crash loop waits.
            quick = now - instance.started_at < 60
            instance.backoff = (
                min(instance.backoff * 2, MAX_BACKOFF_SECONDS) if quick else 0.5
            )
            instance.next_start = now + (instance.backoff if quick else 0.0)
        if now >= instance.next_start:
            instance.restarts += 1
            instance.exit_seen = False
            instance.launch()

    def _reap(self, instance: Supervised) -> None:
        if instance.popen is None:
            return
        try:
            instance.popen.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            instance.signal(signal.SIGKILL)
            instance.popen.wait(timeout=5)


def _stop_rank(instance: Supervised) -> int:
    """nginx, then gateways (they drain their turns), Rasa, action servers."""
    order = ("nginx", "gateway", "rasa", "actions")
    prefix = instance.spec.name.split("-")[0]
    return order.index(prefix) if prefix in order else len(order)
