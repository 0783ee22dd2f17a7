"""Identity numbers never reach a transcript unmasked."""

from __future__ import annotations

import pytest

from bot.core.privacy import mask_identifiers, mask_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nik 3309041203710003", "nik ************0003"),
        ("nik 3309 0412 0371 0003", "nik ************0003"),
        ("nik 3309-0412-0371-0003", "nik ************0003"),
        ("kpj 24019876543", "kpj *******6543"),
        ("wa 081325550101", "wa ********0101"),
        ("wa +62 813-2555-0101", "wa *********0101"),
    ],
)
def test_numbers_are_masked_whatever_the_separators(text: str, expected: str) -> None:
    assert mask_identifiers(text) == expected


@pytest.mark.parametrize(
    "text", ["jam 9.30 tgl 2/12/2025", "ADU-7K3M-Q9TZ", "Rp16.800"]
)
def test_dates_times_references_and_amounts_are_left_alone(text: str) -> None:
    assert mask_identifiers(text) == text


def test_mask_value_keeps_the_last_four_digits() -> None:
    assert mask_value("3309041203710003") == "************0003"
