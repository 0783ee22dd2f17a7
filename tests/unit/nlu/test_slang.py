"""The slang lexicon, word by word (addons/data/slang.yml through addons/slang.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from addons.slang import LEXICON_FILE, lexicon_fingerprint, load_lexicon, parse_lexicon


@pytest.mark.parametrize(
    ("word", "canonical"),
    [
        ("sy", "saya"),
        ("kulo", "saya"),
        ("gmn", "bagaimana"),
        ("piye", "bagaimana"),
        ("udh", "sudah"),
        ("sampun", "sudah"),
        ("blm", "belum"),
        ("dereng", "belum"),
        ("tdk", "tidak"),
        ("ga", "tidak"),
        ("gak", "tidak"),
        ("nggak", "tidak"),
        ("mboten", "tidak"),
        ("nggih", "ya"),
        ("matur", "terima"),
        ("nuwun", "kasih"),
        ("makasih", "terimakasih"),
        ("tk", "ketenagakerjaan"),
        ("bpjamsostek", "bpjs"),
        ("jamsos", "bpjs"),
        ("kntr", "kantor"),
        ("brenti", "berhenti"),
        ("GMN", "bagaimana"),  # case does not matter
        ("Udh", "sudah"),
    ],
)
def test_known_variants_map_to_their_canonical_word(word: str, canonical: str) -> None:
    assert load_lexicon().canonical(word) == canonical


@pytest.mark.parametrize("word", ["saya", "kantor", "boyolali", "satpam", "no", "sama"])
def test_standard_and_ambiguous_words_are_left_alone(word: str) -> None:
    assert load_lexicon().canonical(word) is None


def test_stretched_letters_are_squeezed_then_looked_up() -> None:
    lexicon = load_lexicon()
    assert lexicon.canonical("tolooong") == "tolong"
    assert lexicon.canonical("gaaa") == "tidak"


def test_reduplication_with_2_keeps_the_base_word() -> None:
    lexicon = load_lexicon()
    assert lexicon.canonical("jauh2") == "jauh"
    assert lexicon.canonical("dipanggil2") == "dipanggil"


def test_a_whole_message_reads_as_standard_indonesian() -> None:
    text = "sy udh ke kntr tp ga dilayani, matur nuwun nggih"
    assert load_lexicon().normalise(text) == (
        "saya sudah ke kantor tetapi tidak dilayani , terima kasih ya"
    )


def test_a_variant_under_two_canonical_words_is_a_data_error() -> None:
    with pytest.raises(ValueError, match="'ga'"):
        parse_lexicon({"a": {"tidak": ["ga"]}, "b": {"iya": ["ga"]}})


def test_the_fingerprint_follows_the_file(tmp_path: Path) -> None:
    copy = tmp_path / "slang.yml"
    copy.write_bytes(LEXICON_FILE.read_bytes())
    before = lexicon_fingerprint(copy)
    copy.write_text(copy.read_text() + "\nextra: {kata: [kt]}\n")
    assert lexicon_fingerprint(copy) != before


def test_numbers_references_and_dates_are_masked_with_one_word_each() -> None:
    from datetime import datetime

    from addons.slang import masked_spans
    from bot.parsing.timeparse import JAKARTA

    text = "nik 3309 0412 0371 0003 tiket ADU-7K3M-Q9TZ kemarin sore"
    now = datetime(2026, 11, 24, 10, 0, tzinfo=JAKARTA)
    assert [(text[s:e], word) for s, e, word in masked_spans(text, now)] == [
        ("3309 0412 0371 0003", "nomornik"),
        ("ADU-7K3M-Q9TZ", "nomortiket"),
        ("kemarin sore", "waktutanggal"),
    ]
