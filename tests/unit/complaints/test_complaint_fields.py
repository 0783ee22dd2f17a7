"""The rest of a complaint pulled from the participant's words (PRODUCT.md §3.2)."""

from __future__ import annotations

import pytest

from bot.complaints import extraction as ct
from bot.messaging.secrets import find_identifiers

STORY = (
    "Selasa 2 Desember jam 9.30 saya ke kantor bpjs tk boyolali mau berhenti jadi "
    "peserta bpu, tapi ditolak satpam katanya harus ke kantor semarang. Sudah telpon "
    "kantor semarang tapi tidak diangkat, tagihan di gopay jalan terus."
)


def test_service_harm_and_attempts_come_from_the_story() -> None:
    assert ct.service_phrase(STORY) == "berhenti sebagai peserta BPU"
    assert ct.harm_phrase(STORY) == "tagihan iuran tetap berjalan"
    assert ct.attempts_phrase(STORY) == "sudah menelepon, tidak diangkat"


def test_a_story_without_them_leaves_them_to_be_asked() -> None:
    story = "saya ditolak di kantor klaten"
    assert ct.service_phrase(story) is None
    assert ct.harm_phrase(story) is None
    assert ct.attempts_phrase(story) is None


@pytest.mark.parametrize(
    "text",
    [
        "petugas minta uang pelicin 200 ribu",
        "saya diancam satpam",
        "ada pungli di loket",
        "saya dilecehkan petugas",
        "katanya kalau mau cepat harus nyogok",
    ],
)
def test_sensitive_words_route_to_a_supervisor(text: str) -> None:
    assert ct.is_sensitive(text)


def test_ordinary_complaints_are_not_sensitive() -> None:
    assert not ct.is_sensitive(STORY)
    assert not ct.is_sensitive("antrinya lama sekali")


def test_refusal_category_depends_on_being_sent_elsewhere() -> None:
    assert ct.refusal_category(True, STORY) == "penyimpangan prosedur"
    assert ct.refusal_category(False, "ditolak satpam") == "tidak memberikan pelayanan"
    assert ct.refusal_category(False, "minta uang pelicin") == "permintaan imbalan uang"


@pytest.mark.parametrize(
    ("story", "category"),
    [
        ("telepon kantor tidak pernah diangkat", "tidak memberikan pelayanan"),
        ("petugasnya judes dan membentak", "tidak patut"),
        ("antri dari pagi sampai sore", "penundaan berlarut"),
        ("berkas saya belum diproses sebulan", "penundaan berlarut"),
    ],
)
def test_service_category_from_the_story(story: str, category: str) -> None:
    assert ct.service_category(story) == category


def test_answers_to_contact_and_confidentiality() -> None:
    assert ct.contact_choice("lewat chat saja") == "chat"
    assert ct.contact_choice("boleh ditelepon") == "telepon"
    assert ct.contact_choice("tidak usah") == "chat"
    assert ct.phone_number("0812-3456-7890") == "081234567890"
    assert ct.phone_number("+62 812 3456 7890") == "+6281234567890"
    assert ct.phone_number("12345") is None
    assert ct.yes_or_no("ya, rahasiakan") is True
    assert ct.yes_or_no("nggih") is True
    assert ct.yes_or_no("tidak perlu dirahasiakan") is False
    assert ct.yes_or_no("entahlah") is None
    assert ct.means_nothing("tidak ada")
    assert ct.means_nothing("belum pernah")
    assert not ct.means_nothing("tidak ada yang mau melayani saya")


def test_numbers_kept_for_reveal_match_what_was_masked() -> None:
    text = "NIK 3309 0412 0371 0003, KPJ 12345678901, hp 0812-3456-7890"
    assert find_identifiers(text) == [
        ("nik", "3309041203710003"),
        ("kpj", "12345678901"),
        ("phone", "081234567890"),
    ]
