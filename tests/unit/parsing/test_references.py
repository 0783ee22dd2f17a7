"""References: format, generation and forgiving parsing (PRODUCT.md §10)."""

from __future__ import annotations

import re

import pytest

from bot.parsing import references
from bot.parsing.references import InvalidReference, ReferenceKind

CANONICAL = re.compile(r"^(ADU|BRH)-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


@pytest.mark.parametrize("kind", list(ReferenceKind))
def test_generated_references_have_the_documented_shape(kind: ReferenceKind) -> None:
    generated = {references.generate(kind) for _ in range(200)}
    assert all(CANONICAL.match(r) for r in generated)
    assert all(r.startswith(kind.value + "-") for r in generated)
    assert len(generated) == 200  # 40 random bits: no repeats in 200 draws


def test_generated_bodies_never_use_i_l_o_u() -> None:
    bodies = "".join(
        references.generate(ReferenceKind.COMPLAINT)[4:] for _ in range(500)
    )
    assert not set(bodies) & set("ILOU")


@pytest.mark.parametrize(
    "typed",
    [
        "ADU-7K3M-Q9TZ",
        "adu-7k3m-q9tz",
        "ADU7K3MQ9TZ",
        "adu7k3mq9tz",
        "Adu 7k3m q9tz",
        "ADU.7K3M.Q9TZ",
        "  ADU-7K3M-Q9TZ  ",
        "ADU-7K3-MQ9TZ",
    ],
)
def test_parse_accepts_any_case_with_or_without_separators(typed: str) -> None:
    assert references.parse(typed) == "ADU-7K3M-Q9TZ"


def test_parse_maps_letters_people_confuse_with_digits() -> None:
    assert references.parse("BRH-1O2L-I0O3") == "BRH-1021-1003"


@pytest.mark.parametrize(
    "typed",
    ["XYZ-7K3M-Q9TZ", "ADU-7K3M-Q9T", "ADU-7K3M-Q9TZZ", "ADU-7K3M-Q9U1", "ADU", ""],
)
def test_parse_rejects_malformed_references(typed: str) -> None:
    with pytest.raises(InvalidReference):
        references.parse(typed)


def test_find_picks_the_reference_out_of_a_sentence() -> None:
    assert references.find("gimana aduan saya adu7k3mq9tz ya") == "ADU-7K3M-Q9TZ"
    assert references.find("cek BRH-2M4Q-8XZR dong") == "BRH-2M4Q-8XZR"
    assert references.find("nomor saya 3309041203710003") is None
    assert references.find("BADU7K3MQ9TZ") is None  # not a word on its own


def test_kind_of() -> None:
    assert references.kind_of("BRH-2M4Q-8XZR") is ReferenceKind.RESIGNATION
