"""Property, fast: the masking rules alone hide a NIK however it is typed.

The same typed NIKs as ``test_masking_property`` (which goes through the gateway and
the store, with fewer examples), many more of them: each message masked as the
gateway masks it, with the digits the previous message ended with carried over.
"""

from __future__ import annotations

import logging

from hypothesis import given, settings

from bot.core.logs import MaskingFilter
from bot.core.privacy import PHONE, Scan, apply_mask, scan
from tests.unit.privacy.typing_strategies import messages, shows


@settings(max_examples=200, deadline=None)
@given(example=messages())
def test_masked_messages_never_show_a_nik(example: tuple[str, list[str]]) -> None:
    nik, texts = example
    carried = 0
    for text in texts:
        numbers = scan(text, carried, message=True, code_awaited=lambda: False)
        masked = apply_mask(text, numbers)
        assert not shows(nik, masked), (texts, masked)
        assert not shows(nik, apply_mask(masked, scan(masked))), "idempotent"
        assert not shows(nik, _for_rasa(text, numbers)), (texts, "Rasa")
        carried = numbers.tail


def _for_rasa(text: str, numbers: Scan) -> str:
    """What the gateway forwards: every number but phones becomes a token."""
    parts, last = [], 0
    for found in numbers.found:
        if found.kind != PHONE:
            parts += [text[last : found.start], "niktok0000000000"]
            last = found.end
    return "".join([*parts, text[last:]])


@settings(max_examples=200, deadline=None)
@given(example=messages())
def test_a_log_record_never_shows_a_nik(example: tuple[str, list[str]]) -> None:
    nik, texts = example
    record = logging.LogRecord(
        "bot.x", logging.INFO, __file__, 1, "typed %s", (" ".join(texts),), None
    )
    MaskingFilter().filter(record)
    assert not shows(nik, record.getMessage())
