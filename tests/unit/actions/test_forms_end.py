"""Every form ends: a question is asked at most twice in a row (actions/ending.py).

The complaint form, driven as Rasa's form drives it (form_chat.py). The
resignation form's cases are in tests/unit/resignation/test_resign_form.py.
"""

from __future__ import annotations

import pytest

from actions.complaint.form import ValidateComplaintForm
from tests.unit.actions.form_chat import REJECTED, FormChat

SEED = (
    "Selamat pagi, saya mau lapor. Selasa 2 Desember 2025 jam 9.30 saya ke kantor "
    "bpjs tk boyolali mau berhenti jadi peserta bpu, tapi ditolak satpam katanya "
    "harus ke kantor semarang. Saya minta dilayani di boyolali saja."
)
UNREADABLE = "Maaf, jawaban itu belum bisa saya pakai."


def _at(question: str) -> FormChat:
    """The seed complaint, answered plainly up to ``question``."""
    chat = FormChat(ValidateComplaintForm())
    chat.say(SEED, intent="complain_office_refusal")
    assert chat.asked == "complaint_review"
    chat.say("tambah keterangan", button=True)  # the optional questions
    answers = {
        "harm": "tidak ada",
        "earlier_attempts": "belum pernah",
        "contact_preference": "lewat chat saja",
    }
    while chat.asked != question:
        assert chat.asked in answers, chat.asked
        chat.say(answers[str(chat.asked)])
    return chat


def _asked(chat: FormChat) -> str | None:
    return chat.asked


def test_boyolali_to_the_confidentiality_question_ends_after_two_questions() -> None:
    """It used to be asked 15 times in a row, with no other way out."""
    chat = _at("confidential")
    chat.say("Boyolali")
    assert chat.responses() == [UNREADABLE, "utter_ask_confidential"]
    assert chat.buttons() == [
        "Ya, rahasiakan",
        "Tidak perlu",
        "Lewati",
        "Bicara ke petugas",
    ]
    assert chat.asked == "confidential~again"
    chat.say("Boyolali")
    # Not asked a third time: the safe default (kept confidential), and the form ends.
    assert chat.responses() == [
        "Baik, pertanyaan itu saya lewati dan saya pakai pilihan bawaan.",
        "utter_complaint_review",
    ]
    assert chat.slots["confidential"] == "ya"
    assert _asked(chat) == "complaint_review"  # back to the summary


def test_ya_and_ok_are_never_stored_as_the_harm() -> None:
    chat = _at("harm")
    chat.say("ya", intent="affirm")
    assert "harm" not in chat.slots or chat.slots["harm"] is None
    assert _asked(chat) == "harm~again"
    chat.say("ok", intent="affirm")
    assert chat.slots.get("harm") == "tidak disebut"
    assert _asked(chat) == "earlier_attempts"


def test_lewati_takes_the_default_of_an_optional_question_at_once() -> None:
    chat = _at("earlier_attempts")
    chat.say("lewati", intent="cancel")  # whatever the NLU made of it
    assert chat.slots["earlier_attempts"] == "tidak disebut"
    assert chat.asked == "contact_preference"


def test_a_required_question_left_unreadable_offers_a_person() -> None:
    chat = FormChat(ValidateComplaintForm())
    chat.say("mau mengadu, saya ditolak satpam di kantor klaten kemarin jam 9")
    assert chat.asked == "staff_said"
    chat.say("ya", intent="affirm")
    assert chat.asked == "staff_said~again"
    assert "Bicara ke petugas" in chat.buttons()
    assert "Lewati" not in chat.buttons()  # what was said is essential
    chat.say("iya", intent="affirm")
    assert chat.asked == "staff_said~person"
    assert chat.buttons() == ["Bicara ke petugas", "Batal"]
    assert "Petugas bisa membantu Bapak/Ibu" in chat.responses()[0]
    # The question is not asked a third time, but a usable answer still counts.
    chat.say("katanya harus ke kantor cabang")
    assert chat.slots["staff_said"] == "katanya harus ke kantor cabang"
    assert chat.asked == "complaint_review"


def test_a_question_on_the_way_is_not_an_unreadable_answer() -> None:
    chat = _at("confidential")
    chat.say("Boyolali")
    said = chat.say("tagihan gopay gimana?", intent="ask_stop_bill")
    assert said == [{"response": REJECTED}]  # left to the rules, stage kept
    assert chat.asked == "confidential~again"


def test_pressing_the_person_button_is_no_answer() -> None:
    chat = _at("confidential")
    chat.say("Boyolali")
    said = chat.say("/request_human", intent="request_human", button=True)
    assert said == [{"response": REJECTED}]  # the hand-off rule takes it


def _offered_a_person() -> FormChat:
    """The complaint form after two unreadable answers to a required question."""
    chat = FormChat(ValidateComplaintForm())
    chat.say("mau mengadu, saya ditolak satpam di kantor klaten kemarin jam 9")
    chat.say("ya", intent="affirm")
    chat.say("iya", intent="affirm")
    assert chat.asked == "staff_said~person"
    return chat


@pytest.mark.parametrize("text", ["ya", "ok"])
def test_after_the_offer_of_a_person_a_typed_yes_hands_over(
    text: str, opened: list[tuple[str, str]]
) -> None:
    """It used to offer a person again and again: a form that never ended."""
    chat = _offered_a_person()
    chat.say(text, intent="affirm")
    assert opened == [("telegram:1", "form_unreadable")]
    assert chat.responses() == ["utter_handoff_in_hours"]
    assert chat.ended and chat.followup == "action_listen"  # nothing said after
    assert chat.asked is None
    assert chat.slots["office"] is None and chat.slots["staff_said"] is None


def test_after_the_offer_of_a_person_no_stops_the_form_and_forgets(
    opened: list[tuple[str, str]],
) -> None:
    chat = FormChat(ValidateComplaintForm())
    chat.say(SEED, intent="complain_office_refusal")
    chat.say("Boyolali")
    chat.say("Boyolali")
    assert chat.asked == "complaint_review~person"
    chat.say("tidak", intent="deny")
    assert opened == []
    assert chat.responses() == [
        "Baik, pertanyaan ini saya hentikan. Jawaban Bapak/Ibu tadi tidak disimpan. "
        "Ketik menu untuk melihat pilihan lagi."
    ]
    assert chat.ended and chat.followup == "action_listen"
    assert chat.slots["office"] is None
