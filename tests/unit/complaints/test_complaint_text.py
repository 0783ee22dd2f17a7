"""What was said and what is wanted, pulled from a participant's own story."""

from __future__ import annotations

from bot.complaints.extraction import resolution_phrase, said_phrase

STORY = (
    "sy ke kantor bpjs tk boyolali mau berhenti jd peserta tp ditolak satpam katanya "
    "harus ke kantor semarang. sy minta dilayani di boyolali saja"
)


def test_reported_speech_after_katanya() -> None:
    assert said_phrase(STORY) == "harus ke kantor semarang"


def test_quoted_speech_wins() -> None:
    text = 'Petugas bilang: "sistemnya error, datang lagi besok" lalu pergi'
    assert said_phrase(text) == "sistemnya error, datang lagi besok"


def test_the_wish_is_the_resolution() -> None:
    assert resolution_phrase(STORY) == "dilayani di boyolali saja"


def test_wanting_to_stop_is_the_service_not_the_resolution() -> None:
    assert resolution_phrase("saya ingin berhenti jadi peserta") is None


def test_nothing_to_find() -> None:
    assert said_phrase("ditolak di loket") is None
    assert resolution_phrase("ditolak di loket") is None
