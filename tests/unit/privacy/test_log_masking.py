"""No identity number reaches a log line in clear, whoever logs it (issue 10)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.core import logs

NIK = "3309041203710003"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    logs.configure_json_logging()
    out = io.StringIO()
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(out)
    yield out
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def test_a_child_loggers_message_and_arguments_are_masked(
    stream: io.StringIO,
) -> None:
    logging.getLogger("bot.some.module").warning(
        "nik %s hp %s", "3309 - 0412 - 0371 - 0003", "+62 813 2555 0101"
    )
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["message"] == "nik ************0003 hp *********0101"


def test_an_exception_quoting_a_nik_is_masked(stream: io.StringIO) -> None:
    try:
        raise ValueError(f"bad value {NIK}")
    except ValueError:
        logging.getLogger("sqlalchemy.engine").exception("insert failed")
    text = stream.getvalue()
    assert NIK not in text
    assert "************0003" in json.loads(text.splitlines()[-1])["exc"]


def test_the_filter_masks_records_for_every_handler() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "nik %s", (NIK,), None)
    assert logs.MaskingFilter().filter(record)
    assert record.getMessage() == "nik ************0003"
