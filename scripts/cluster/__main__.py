"""``python -m scripts.cluster`` (``make run-cluster``): the cluster in the foreground.

Reads its settings from the environment (see the README's deployment section),
creates the database when missing, runs the once-per-deployment commands, starts
nginx and every instance, prints where to reach them, and keeps them running until
Ctrl-C or SIGTERM, which stops them all.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from scripts.cluster.launch import build, check_channels, plan_from_environment
from scripts.cluster.supervisor import StartError


def main() -> int:
    plan = plan_from_environment()
    check_channels(plan, os.environ)
    supervisor = build(plan)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"starting {', '.join(supervisor.instances)} (Rasa needs a while) ...")
    try:
        supervisor.start()
    except StartError as exc:
        print(f"the cluster did not start: {exc}", file=sys.stderr)
        return 1
    print(
        f"\n  Cluster ready: {plan.public_url}/ (console {plan.public_url}/staff/)\n"
        f"  Logs: {plan.log_dir}/\n  Stop with Ctrl-C.\n",
        flush=True,
    )
    while not stop.wait(30):
        down = {n: s for n, s in supervisor.status().items() if s != "up"}
        if down:
            print(f"not up: {down}", flush=True)
    print("stopping ...", flush=True)
    supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
