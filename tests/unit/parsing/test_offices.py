"""Office names as people write them, mapped to directory ids."""

from __future__ import annotations

import pytest

from bot.core.settings import load_settings
from bot.parsing.offices import load_directory

DIRECTORY = load_directory(load_settings({}).offices_file)


@pytest.mark.parametrize(
    ("text", "office_id"),
    [
        ("kantor bpjs tk boyolali", "kcp_boyolali"),
        ("BOYOLALI", "kcp_boyolali"),
        ("di kc klaten", "kc_klaten"),
        ("kantor cabang semarang", "kc_semarang_pemuda"),
        ("solo", "kc_surakarta"),
        ("kanwil jateng", "kanwil_jateng_diy"),
        ("sy ke kantor boyolali tp ditolak, disuruh ke semarang", "kcp_boyolali"),
        ("di bpjs boyolali katanya harus ke kantor semarang", "kcp_boyolali"),
    ],
)
def test_match_names_the_office_where_it_happened(text: str, office_id: str) -> None:
    office = DIRECTORY.match(text)
    assert office is not None
    assert office.id == office_id


def test_destination_is_the_office_they_were_sent_to() -> None:
    text = "di bpjs boyolali katanya harus ke kantor semarang"
    destination = DIRECTORY.destination(text)
    assert destination is not None
    assert destination.id == "kc_semarang_pemuda"


def test_only_a_destination_is_not_the_event_office() -> None:
    assert DIRECTORY.match("saya disuruh ke semarang") is None


def test_unknown_office_gives_none() -> None:
    assert DIRECTORY.match("kantor wonogiri") is None


def test_unverified_details_are_marked() -> None:
    boyolali = DIRECTORY.get("kcp_boyolali")
    assert boyolali is not None
    assert boyolali.verified is False
    assert boyolali.address is None
