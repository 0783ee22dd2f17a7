"""``python -m actions.serve``: the action server, with JSON logs and the turn id.

rasa_sdk's own ``python -m rasa_sdk`` with two additions: logs are JSON lines
(``bot.core.logs``), and each ``/webhook`` call takes the turn id the gateway put in
the message metadata (Rasa passes it in the tracker's ``latest_message``), so the
action server's log lines of a turn carry the same id as the gateway's.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Sequence
from typing import Any

from rasa_sdk.endpoint import create_app
from rasa_sdk.utils import number_of_sanic_workers

from bot.core.logs import configure_json_logging, turn_id

logger = logging.getLogger("actions.serve")

DEFAULT_PORT = 5055


def turn_of(body: Any) -> tuple[str | None, str | None]:
    """The turn id and the action named in an action call's JSON body."""
    if not isinstance(body, dict):
        return None, None
    tracker = body.get("tracker") or {}
    latest = tracker.get("latest_message") if isinstance(tracker, dict) else None
    metadata = (latest or {}).get("metadata") if isinstance(latest, dict) else None
    turn = metadata.get("turn_id") if isinstance(metadata, dict) else None
    action = body.get("next_action")
    return (str(turn) if turn else None), (str(action) if action else None)


async def _note_turn(request: Any) -> None:
    """Sanic request middleware: the turn id for every log line of this call."""
    if request.path != "/webhook":
        return
    try:
        turn, action = turn_of(request.json)
    except Exception:  # an unreadable body is rasa_sdk's to refuse
        return
    turn_id.set(turn)
    logger.info("action %s", action)


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the actions in ``actions/`` on ``--port`` (``SANIC_HOST``, loopback)."""
    parser = argparse.ArgumentParser(prog="python -m actions.serve")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    configure_json_logging()
    app = create_app("actions", cors_origins=None)
    app.register_middleware(_note_turn, "request")
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    logger.info("action server on http://%s:%s", host, args.port)
    app.run(host, args.port, workers=number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
