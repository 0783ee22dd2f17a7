"""NIK, KPJ and references found in free text with spaces, dots or dashes."""

from __future__ import annotations

import pytest

from addons.numbers import find_numbers


def _values(text: str) -> list[tuple[str, str]]:
    return [(found.entity, found.value) for found in find_numbers(text)]


@pytest.mark.parametrize(
    "text",
    [
        "3309041203710003",
        "3309 0412 0371 0003",
        "3309.0412.0371.0003",
        "3309-0412-0371-0003",
        "330904 120371 0003",
        "nik saya 3309 0412 0371 0003 ya",
    ],
)
def test_nik_with_any_separator(text: str) -> None:
    assert _values(text) == [("nik", "3309041203710003")]


@pytest.mark.parametrize(
    "text", ["23012345678", "230 1234 5678", "23.012.345.678", "kpj: 19-0345-67890"]
)
def test_kpj_with_any_separator(text: str) -> None:
    assert [e for e, _ in _values(text)] == ["kpj"]
    assert len(_values(text)[0][1]) == 11


@pytest.mark.parametrize(
    "text",
    [
        "ADU-7K3M-Q9TZ",
        "adu-7k3m-q9tz",
        "adu 7k3m q9tz",
        "ADU.7K3M.Q9TZ",
        "adu7k3mq9tz",
        "status tiket ADU-7K3M-Q9TZ ya",
    ],
)
def test_reference_any_case_with_or_without_separators(text: str) -> None:
    assert _values(text) == [("reference", "ADU-7K3M-Q9TZ")]


def test_confusable_letters_in_a_reference_are_read_as_digits() -> None:
    assert _values("brh-2m4q-8xzo") == [("reference", "BRH-2M4Q-8XZ0")]


@pytest.mark.parametrize(
    "text",
    [
        "08123456789",  # a mobile number, not a KPJ
        "0812-3456-7890",
        "1234 5678 9012 3456 7",  # 17 digits: neither NIK nor KPJ
        "iuran 16.800 per bulan",
        "adu ke sana saja",
        "saya mau adu nasib",
        "2/12 jam 09.29",
    ],
)
def test_things_that_are_not_numbers_we_want(text: str) -> None:
    assert _values(text) == []


def test_spans_point_at_the_typed_text() -> None:
    text = "nik 3309 0412 0371 0003 kpj 23.012.345.678"
    found = find_numbers(text)
    assert [text[f.start : f.end] for f in found] == [
        "3309 0412 0371 0003",
        "23.012.345.678",
    ]
    assert [f.entity for f in found] == ["nik", "kpj"]
