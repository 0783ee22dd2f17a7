"""``rasa run`` with its API token from the environment, never on the command line.

Every local user sees every process's arguments (``ps``, ``/proc/PID/cmdline``), and
``--auth-token`` there hands out Rasa's HTTP API: any conversation's tracker, any
event. This launcher (run with Rasa's Python) reads ``RASA_TOKEN`` and gives it to
Rasa's own argument parser inside the process, so the process's command line keeps
the launcher's arguments only. The same variable is the REST channel's secret
(``addons/channels.py``).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

VARIABLE = "RASA_TOKEN"

# TensorFlow's thread pools, read by Rasa at start-up (rasa/utils/tensorflow/
# environment.py, called from rasa/__main__.py). By default each pool has one
# thread per core, and the Rasa server shares this machine's two cores with the
# gateway and the action server. Measured 2026-12-03 (README "Performance"), two
# servers of our model side by side, load average 5 to 6 from other work:
# TensorFlow's defaults against 1 and 1, CPU per turn on the REST channel at 10
# concurrent senders 12.7 / 15.1 ms against 12.3 / 13.9 ms, per /model/parse
# 7.7 / 7.2 against 7.0 / 6.7 ms, 13 threads against 11, resident memory the same
# (1.84 GB): no cost, a little less contention. Set in the environment to override
# (an empty value keeps TensorFlow's own defaults, as the bench's stock server does).
TF_THREADS = {
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
}

# Rasa checks every action server response with ``jsonschema.validate``, which
# first checks Rasa's (large, constant) response schema against the JSON Schema
# meta-schema, on every call. Our forms call the action server two or three times a
# turn (validation, then the form's question), and py-spy on the Rasa server, ten
# participants in a closed loop (2026-12-03), found a fifth of its busy time in that
# re-check of the schema. "1": check the schema once at start-up and validate each
# response with the one validator (``cache_response_schema``); the responses are
# checked exactly as before. Empty: Rasa's own code (the bench's stock server).
CACHED_RESPONSE_SCHEMA = "BPU_RASA_CACHED_RESPONSE_SCHEMA"

# Rasa builds a loaded DIET model by training it on one example (to create its
# weights) before loading the trained ones; that and spaCy's tables leave a few
# hundred MB freed but still held by the C allocator. Measured 2026-12-03 on our
# model: 1673 MB resident once loaded, 1441 MB after glibc's ``malloc_trim``, the
# same parse afterwards. "1": give it back once the model is loaded
# (``trim_after_model_load``). Empty: Rasa's own code.
TRIM_AFTER_LOAD = "BPU_RASA_TRIM_AFTER_LOAD"

# Every setting this launcher applies unless the environment says otherwise.
TUNING = {**TF_THREADS, CACHED_RESPONSE_SCHEMA: "1", TRIM_AFTER_LOAD: "1"}


def rasa_argv(args: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """``rasa run ARGS --auth-token TOKEN`` for Rasa's parser (in memory only)."""
    token = environ.get(VARIABLE, "").strip()
    if not token:
        raise SystemExit(f"{VARIABLE} is not set: Rasa's HTTP API would be open")
    if any(arg.startswith("--auth-token") for arg in args):
        raise SystemExit(f"give the token as {VARIABLE}, not on the command line")
    return ["rasa", "run", *args, "--auth-token", token]


def block_jax() -> None:
    """Make ``import jax`` fail in this process, before TensorFlow is imported.

    TensorFlow imports jax (a dependency of its wheel) only for TFLite's conversion
    of jax functions and carries on without it (``tensorflow/lite/python/util.py``:
    ``except ImportError``); neither Rasa nor our components use it. Measured
    2026-12-03: importing TensorFlow and Rasa's server takes 534 MB resident
    without jax against 615 MB with it, and 1.3 s less.
    """
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]


def cache_response_schema() -> None:
    """Validate action server responses with one validator built at start-up.

    A response the schema refuses goes to Rasa's own check, so the error, its
    message and what Rasa does with it stay Rasa's.
    """
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    rasas_own = RemoteAction._validate_action_result

    def validate(self: RemoteAction, result: dict[str, Any]) -> bool:
        if best_match(validator.iter_errors(result)) is None:
            return True
        return bool(rasas_own(self, result))

    RemoteAction._validate_action_result = validate


def release_freed_memory() -> bool:
    """Hand the allocator's free pages back to the system (glibc only)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False  # not glibc: nothing to trim, nothing lost


def trim_after_model_load() -> None:
    """After Rasa loads (or reloads) a model, release what loading freed."""
    from rasa.core.agent import Agent

    rasas_own = Agent.load_model

    def load_model(self: Agent, *args: Any, **kwargs: Any) -> None:
        rasas_own(self, *args, **kwargs)
        release_freed_memory()

    Agent.load_model = load_model


def apply_tuning(environ: MutableMapping[str, str]) -> None:
    """Set ``TUNING`` in ``environ`` where it does not say otherwise."""
    for name, value in TUNING.items():
        environ.setdefault(name, value)


def main() -> None:
    """Replace ``sys.argv`` in this process and run Rasa's command line."""
    apply_tuning(os.environ)
    block_jax()
    if os.environ.get(CACHED_RESPONSE_SCHEMA) == "1":
        cache_response_schema()
    if os.environ.get(TRIM_AFTER_LOAD) == "1":
        trim_after_model_load()
    sys.argv = rasa_argv(sys.argv[1:], os.environ)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
