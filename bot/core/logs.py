"""Structured logs: one JSON object per line, with the turn it belongs to.

Every participant turn gets an id in the gateway (``new_turn``). It rides along in
the message metadata Rasa passes to the action server, which sets it again there
(``turn_id.set``), so one grep for the id shows the turn in every process's log.
No participant text goes into a log line by this module; callers log ids, not words.
Whatever slips through anyway (an exception quoting a value, a library logging a
request) is masked on its way out by ``MaskingFilter`` (PRODUCT.md §8).
"""

from __future__ import annotations

import json
import logging
import sys
import uuid
from contextvars import ContextVar
from datetime import datetime, timezone

from bot.core.privacy import mask_identifiers

turn_id: ContextVar[str | None] = ContextVar("turn_id", default=None)


def new_turn() -> str:
    """A fresh turn id, set for this task (and the threads it hands work to)."""
    value = uuid.uuid4().hex[:16]
    turn_id.set(value)
    return value


class MaskingFilter(logging.Filter):
    """Masks identity numbers in a record's message and exception text.

    Attached to the handlers, not the root logger: a logger's own filters never
    see the records its children propagate to it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_identifiers(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_identifiers(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "turn_id"?, "exc"?}`` per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_identifiers(record.getMessage()),
        }
        current = getattr(record, "turn_id", None) or turn_id.get()
        if current:
            entry["turn_id"] = current
        exc = record.exc_text
        if not exc and record.exc_info:
            exc = self.formatException(record.exc_info)
        if exc:
            entry["exc"] = mask_identifiers(exc)
        return json.dumps(entry, ensure_ascii=False)


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send every logger's records to stderr as JSON lines (called by entry points)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
