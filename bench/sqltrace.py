"""Run a Python module with every database round trip timed: the profile's probe.

``python -m bench.sqltrace OUT MODULE ARGS...`` installs SQLAlchemy listeners on every
engine, then runs ``MODULE`` as ``python -m MODULE ARGS...`` would. Each statement is
appended to OUT as a JSON line ``[start, seconds, verb]``; each commit as
``[at, null, "COMMIT"]`` (SQLAlchemy announces a commit, it does not time it). Times
are ``time.monotonic()``, one clock for every process on the machine, so the profile
can place them inside a turn. Only the bench uses it; nothing in the app knows.
"""

from __future__ import annotations

import json
import runpy
import sys
import threading
import time
from typing import Any, TextIO


def install(path: str) -> None:
    """Listen on every SQLAlchemy engine of this process; write to ``path``."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    out: TextIO = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115
    lock = threading.Lock()

    def write(row: list[Any]) -> None:
        with lock:
            out.write(json.dumps(row) + "\n")

    def before(conn: Any, *_args: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.monotonic())

    def after(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        started = conn.info["bench_started"].pop()
        verb = statement.split(None, 1)[0].upper() if statement.strip() else "?"
        write([started, time.monotonic() - started, verb])

    def commit(_conn: Any) -> None:
        write([time.monotonic(), None, "COMMIT"])

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    event.listen(Engine, "commit", commit)


def main() -> None:
    """``OUT MODULE ARGS...``: trace, then run the module as ``__main__``."""
    path, module, *args = sys.argv[1:]
    install(path)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
