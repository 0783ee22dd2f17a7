"""``rasa run`` with its API token from the environment, never on the command line.

Every local user sees every process's arguments (``ps``, ``/proc/PID/cmdline``), and
``--auth-token`` there hands out Rasa's HTTP API: any conversation's tracker, any
event. This launcher (run with Rasa's Python) reads ``RASA_TOKEN`` and gives it to
Rasa's own argument parser inside the process, so the process's command line keeps
the launcher's arguments only. The same variable is the REST channel's secret
(``addons/channels.py``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

VARIABLE = "RASA_TOKEN"


def rasa_argv(args: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """``rasa run ARGS --auth-token TOKEN`` for Rasa's parser (in memory only)."""
    token = environ.get(VARIABLE, "").strip()
    if not token:
        raise SystemExit(f"{VARIABLE} is not set: Rasa's HTTP API would be open")
    if any(arg.startswith("--auth-token") for arg in args):
        raise SystemExit(f"give the token as {VARIABLE}, not on the command line")
    return ["rasa", "run", *args, "--auth-token", token]


def main() -> None:
    """Replace ``sys.argv`` in this process and run Rasa's command line."""
    sys.argv = rasa_argv(sys.argv[1:], os.environ)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
