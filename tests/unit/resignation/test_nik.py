"""NIK, KPJ and date-of-birth checks, with the exact messages participants see."""

from __future__ import annotations

from datetime import date

import pytest

from bot.resignation.nik import (
    IdentityError,
    find_birth_date,
    numbers_in,
    parse_kpj,
    parse_nik,
)

TODAY = date(2026, 11, 24)


def test_a_mans_nik_gives_his_birth_date() -> None:
    nik = parse_nik("3309041203710003")
    assert (nik.day, nik.month, nik.two_digit_year, nik.female) == (12, 3, 71, False)
    assert nik.matches_birth_date(date(1971, 3, 12))
    assert not nik.matches_birth_date(date(1971, 3, 13))


def test_a_womans_day_carries_plus_40() -> None:
    nik = parse_nik("3309106108850001")  # Sri Lestari, born 21-08-1985
    assert nik.female
    assert nik.day == 21
    assert nik.matches_birth_date(date(1985, 8, 21))
    assert parse_nik("3372034912000001").matches_birth_date(date(2000, 12, 9))


@pytest.mark.parametrize(
    "typed", ["3309 0412 0371 0003", "3309-0412-0371-0003", "3309.0412.0371.0003"]
)
def test_separators_are_forgiven(typed: str) -> None:
    assert parse_nik(typed).digits == "3309041203710003"


def test_wrong_length_says_how_many_digits_were_sent() -> None:
    with pytest.raises(IdentityError) as problem:
        parse_nik("330904120371000")
    assert str(problem.value) == (
        "NIK harus 16 digit, yang Bapak/Ibu kirim 15 digit. Mohon periksa lagi."
    )
    with pytest.raises(IdentityError, match="yang Bapak/Ibu kirim 17 digit"):
        parse_nik("33090412037100031")


def test_letters_are_refused_with_their_own_message() -> None:
    with pytest.raises(IdentityError, match="hanya berisi angka"):
        parse_nik("3309O41203710003")


@pytest.mark.parametrize("day", ["00", "32", "40", "72", "99"])
def test_impossible_day_in_the_nik(day: str) -> None:
    with pytest.raises(IdentityError, match=f'"{day}" bukan tanggal'):
        parse_nik(f"330904{day}03710003")


@pytest.mark.parametrize("day", ["01", "31", "41", "71"])
def test_possible_days_for_men_and_women(day: str) -> None:
    assert parse_nik(f"330904{day}03710003").digits.startswith("330904")


@pytest.mark.parametrize("month", ["00", "13"])
def test_impossible_month_in_the_nik(month: str) -> None:
    with pytest.raises(IdentityError, match=f'"{month}" bukan bulan'):
        parse_nik(f"33090412{month}710003")


def test_unknown_region_code_is_not_a_reason_to_refuse() -> None:
    # [S33]: region codes are not always reliable.
    assert parse_nik("9999041203710003").day == 12


def test_kpj_is_eleven_digits() -> None:
    assert parse_kpj("240 1987 6543") == "24019876543"
    with pytest.raises(
        IdentityError, match="KPJ harus 11 digit, yang Bapak/Ibu kirim 10"
    ):
        parse_kpj("2401987654")
    with pytest.raises(IdentityError, match="KPJ hanya berisi angka"):
        parse_kpj("2401987654X")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12 agustus 1970", date(1970, 8, 12)),
        ("12 Agt 1970", date(1970, 8, 12)),
        ("12 peb 1970", date(1970, 2, 12)),
        ("12 agust 1970", date(1970, 8, 12)),
        ("lahir tgl 9 des 2000", date(2000, 12, 9)),
        ("12-08-1970", date(1970, 8, 12)),
        ("12/08/1970", date(1970, 8, 12)),
        ("12.08.1970", date(1970, 8, 12)),
        ("1970-08-12", date(1970, 8, 12)),
        ("12081970", date(1970, 8, 12)),
    ],
)
def test_birth_dates_as_people_write_them(typed: str, expected: date) -> None:
    assert find_birth_date(typed, TODAY) == expected


def test_no_date_is_none_and_a_bad_date_is_an_error() -> None:
    assert find_birth_date("saya lupa", TODAY) is None
    with pytest.raises(IdentityError, match="tidak ada di kalender"):
        find_birth_date("31 februari 1980", TODAY)
    with pytest.raises(IdentityError, match="masa depan"):
        find_birth_date("1 januari 2030", TODAY)
    with pytest.raises(IdentityError, match="terlalu lama"):
        find_birth_date("1 januari 1850", TODAY)


def test_numbers_in_a_message() -> None:
    found = numbers_in("nik: 3309-0412-0371-0003 kpj 24019876543, lahir 12-03-1971")
    assert [n.digits for n in found] == ["3309041203710003", "24019876543"]
    assert numbers_in("NIK3309041203710003")[0].has_letters is False
    assert numbers_in("330904120371000A")[0].has_letters is True
    assert numbers_in("12 maret 1971") == []
