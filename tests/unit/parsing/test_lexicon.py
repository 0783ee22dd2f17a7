"""The one yes/no/"not" lexicon that the forms and the complaint reader share."""

from __future__ import annotations

import re

import pytest

from bot.parsing.lexicon import (
    NEGATION,
    sounds_like_question,
    starts_with_no,
    starts_with_yes,
)


@pytest.mark.parametrize(
    "text",
    ["ya", "iyaa", "Nggih pak", "ok kirim", "ya, kirim", "saya setuju", "sip", "bener"],
)
def test_yes_as_people_write_it(text: str) -> None:
    assert starts_with_yes(text)
    assert not starts_with_no(text)


@pytest.mark.parametrize(
    "text",
    ["tidak", "gak mau", "enggak", "Mboten", "boten", "tidak setuju", "belum", "nope"],
)
def test_no_as_people_write_it(text: str) -> None:
    assert starts_with_no(text)
    assert not starts_with_yes(text)


@pytest.mark.parametrize("text", ["yayasan", "okta", "tidaklah", "gaji saya", "nomor"])
def test_a_word_that_only_begins_like_yes_or_no_is_neither(text: str) -> None:
    assert not starts_with_yes(text)
    assert not starts_with_no(text)


def test_negation_is_a_fragment_for_other_patterns() -> None:
    unanswered = re.compile(rf"\b({NEGATION})\s*(di\s*)?angkat", re.I)
    assert unanswered.search("telpon gak diangkat")
    assert unanswered.search("nggak diangkat")
    assert unanswered.search("ndak di angkat")
    assert not unanswered.search("langsung diangkat")


def test_questions_are_told_from_statements() -> None:
    assert sounds_like_question("tagihan gopay gimana")
    assert sounds_like_question("iuran berapa?")
    assert not sounds_like_question("tagihan gopay terus jalan")
