"""Identity numbers never reach a transcript unmasked."""

from __future__ import annotations

import pytest

from bot.core.privacy import apply_mask, mask_identifiers, mask_value, scan


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


# Issue 10, "Masking misses real typing": each way a NIK was seen to get through.
NIK_MASKED = "************0003"


@pytest.mark.parametrize(
    "typed",
    [
        "3309 - 0412 - 0371 - 0003",
        "3309\u00a00412\u00a00371\u00a00003",  # non-breaking spaces
        "3309  0412  0371  0003",  # double spaces
        "3309/0412/0371/0003",
        "3309_0412_0371_0003",
        "3309,0412,0371,0003",
        "3309\u200b0412\u200c0371\u200d000\u20603",  # zero-width characters
        "3309\ufeff04120371\u00ad0003",
        "\uff13\uff13\uff10\uff19\uff10\uff14\uff11\uff12\uff10\uff13\uff17\uff11\uff10\uff10\uff10\uff13",
        "3309\u20130412\u20130371\u20130003",  # en dashes
    ],
)
def test_a_nik_is_masked_however_it_is_typed(typed: str) -> None:
    assert mask_identifiers(f"nik saya {typed} pak") == f"nik saya {NIK_MASKED} pak"


def test_a_seventeen_digit_typo_is_masked() -> None:
    assert mask_identifiers("33090412037100031") == "*************0031"
    assert mask_identifiers("3309 0412 0371 00031") == "*************0031"


def test_a_nik_next_to_a_phone_number_is_masked_and_told_apart() -> None:
    text = "3309041203710003 081325550101"
    assert mask_identifiers(text) == f"{NIK_MASKED} ********0101"
    assert [f.kind for f in scan(text).found] == ["nik", "phone"]
    backwards = "0813 2555 0101 3309 0412 0371 0003"
    assert mask_identifiers(backwards) == f"********0101 {NIK_MASKED}"


def test_a_nik_glued_to_words_is_masked() -> None:
    assert mask_identifiers("NIK:3309041203710003ya") == f"NIK:{NIK_MASKED}ya"


def test_any_other_long_run_is_treated_as_identifying() -> None:
    found = scan("nomor 330904120371").found
    assert [(f.kind, f.digits) for f in found] == [("number", "330904120371")]


def test_a_nik_split_over_two_messages_is_masked_in_the_second() -> None:
    first = scan("3309041203")
    assert mask_identifiers("3309041203") == "******1203"
    assert first.tail == 10
    assert mask_identifiers("710003", carried=first.tail) == "******"
    assert mask_identifiers("710003 ya pak", carried=first.tail) == "****** ya pak"


def test_a_short_answer_after_a_partial_number_is_left_alone() -> None:
    assert mask_identifiers("2", carried=10) == "2"
    assert mask_identifiers("ya 710003", carried=10) == "ya 710003"
    assert mask_identifiers("710003", carried=0) == "710003"


def test_two_one_time_codes_in_a_row_are_two_codes() -> None:
    """A wrong code, then another: 6 + 6 digits make no NIK or KPJ."""
    first = scan("123456")
    assert mask_identifiers("654321", carried=first.tail) == "654321"
    assert mask_identifiers("654321", carried=11) == "654321"  # a code after a KPJ


def test_a_message_ending_with_a_date_or_a_phone_carries_nothing() -> None:
    assert scan("kejadian tgl 2/12/2025 09.30").tail == 0
    assert scan("hp saya 081325550101").tail == 0
    assert scan("3309041203710003").tail == 0


@pytest.mark.parametrize(
    "text",
    [
        "tgl 2/12/2025 09.30",
        "3374010501900004 lahir 1990-01-05",
        "umur 45 tahun",
        "niktok0123456789",
        "Rp 1.500.000",
    ],
)
def test_dates_amounts_and_tokens_survive_the_wider_separators(text: str) -> None:
    expected = text.replace("3374010501900004", "************0004")
    assert mask_identifiers(text) == expected


def test_a_short_group_before_a_phone_shape_is_not_split_off() -> None:
    """Found by the property test: a NIK typed in small groups read as "11" and
    a phone number, and the phone went to Rasa as typed."""
    typed = "1\u200b1 \u200b0 \u200b8 \u200b0 \u200b1 \u200b0 \u200b1 \u200b0 100"
    assert [f.kind for f in scan(typed).found] == ["number"]


# --- the first part of a split number (issue 10) ---------------------------------
# A message that is only a run of 5-9 digits (or ends with one after "nik", "kpj",
# "nomor saya"...) may be the start of a NIK or KPJ: hidden as a partial number,
# with none of its digits shown, unless it is the one-time code the conversation
# is waiting for.


def _no_code() -> bool:
    return False


def _code() -> bool:
    return True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("330904", "******"),
        ("3309041", "*******"),
        ("330904120", "*********"),
        ("33090", "*****"),
        ("3309 0412", "********"),
        ("nik 330904", "nik ******"),
        ("NIK saya: 3309041", "NIK saya: *******"),
        ("ini nomor saya 33090412", "ini nomor saya ********"),
        ("kpj 24019 ", "kpj ***** "),
        ("12051980", "********"),  # a compact date parses as none (timeparse)
    ],
)
def test_a_bare_first_part_of_five_to_nine_digits_is_hidden(
    text: str, expected: str
) -> None:
    numbers = scan(text, message=True, code_awaited=_no_code)
    assert apply_mask(text, numbers) == expected
    assert [f.kind for f in numbers.found] == ["number"]
    assert numbers.tail == len(numbers.found[0].digits)


@pytest.mark.parametrize(
    "text",
    [
        "2",
        "12",
        "1234",
        "2025",
        "saya bayar 150000",
        "150000 rupiah",
        "iuran 16800 per bulan",
        "12-05-1980",
        "12/05/1980",
        "lahir 12.05.1980",
        "kejadian tgl 2/12/2025",
        "ADU-20251203",
    ],
)
def test_short_numbers_amounts_and_dates_stay_as_typed(text: str) -> None:
    numbers = scan(text, message=True, code_awaited=_no_code)
    assert numbers.found == []
    assert apply_mask(text, numbers) == text


def test_only_a_whole_message_is_taken_for_a_partial_number() -> None:
    """Stored slots, ticket fields and logs keep short numbers (not a message)."""
    assert scan("330904").found == []
    assert mask_identifiers("330904") == "330904"


def test_the_awaited_one_time_code_reaches_the_action_as_typed() -> None:
    for typed_code in ("123456", "123 456", "kode 123456", "nik 123456"):
        assert scan(typed_code, message=True, code_awaited=_code).found == []
    # Not six digits: no code, whatever is awaited.
    assert [
        f.kind for f in scan("3309041", message=True, code_awaited=_code).found
    ] == ["number"]


def test_two_one_time_codes_in_a_row_stay_two_codes_when_awaited() -> None:
    first = scan("123456", message=True, code_awaited=_code)
    second = scan("654321", first.tail, message=True, code_awaited=_code)
    assert (first.found, second.found) == ([], [])


def test_the_code_question_is_asked_only_for_six_digits() -> None:
    asked: list[str] = []

    def awaited() -> bool:
        asked.append("?")
        return True

    scan("halo 2", message=True, code_awaited=awaited)
    scan("3309041", message=True, code_awaited=awaited)
    scan("3309041203710003", message=True, code_awaited=awaited)
    assert asked == []
    scan("123456", message=True, code_awaited=awaited)
    assert asked == ["?"]


def test_a_nik_split_after_five_to_nine_digits_is_hidden_in_both_parts() -> None:
    for cut in range(5, 10):
        nik = "3309041203710003"
        first = scan(nik[:cut], message=True, code_awaited=_no_code)
        second = scan(nik[cut:], first.tail, message=True, code_awaited=_no_code)
        assert apply_mask(nik[:cut], first) == "*" * cut
        assert "*" * (16 - cut - 4) in apply_mask(nik[cut:], second)
        assert not any(
            nik[i : i + 5] in apply_mask(nik[cut:], second) for i in range(12)
        )


def test_a_kpj_split_after_five_digits_is_hidden_in_both_parts() -> None:
    first = scan("24019", message=True, code_awaited=_no_code)
    second = scan("876543", first.tail, message=True, code_awaited=_no_code)
    assert apply_mask("24019", first) == "*****"
    assert apply_mask("876543", second) == "******"
    assert second.found[0].kind == "kpj"


def test_an_awaited_code_after_ten_digits_is_a_code_not_the_end_of_a_nik() -> None:
    """10 + 6 digits add up to a NIK: the six are still the code when one is open
    (found by the gateway test: "1203710003" then the code "123456")."""
    first = scan("1203710003", message=True, code_awaited=_code)
    assert first.tail == 10
    assert scan("123456", first.tail, message=True, code_awaited=_code).found == []
    completed = scan("123456", first.tail, message=True, code_awaited=_no_code)
    assert [f.kind for f in completed.found] == ["nik"]
