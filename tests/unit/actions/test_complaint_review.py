"""The complaint in three messages: story, missing essentials, summary, "Kirim".

Driven as Rasa's form drives it (form_chat.py). What the summary offers: "Kirim",
"Ubah" (a field by number) and "Tambah keterangan" (the optional questions).
"""

from __future__ import annotations

from actions.complaint.form import ValidateComplaintForm
from actions.complaint.slots import MODE_QUESTIONS
from tests.unit.actions.form_chat import DOMAIN, REJECTED, FormChat

# The seed's own words (PRODUCT.md §3.2): office, day, time, who, what was said.
SEED = (
    "kemarin 2 des jam 9 pagi saya ke kantor bpjs boyolali mau berhenti bpu, "
    "satpam bilang harus ke semarang, tidak dilayani"
)
REVIEW_BUTTONS = ["Kirim", "Ubah", "Tambah keterangan"]


def _asked(chat: FormChat) -> str | None:
    """The question asked now (a call, so mypy does not narrow it between turns)."""
    return chat.asked


def _reviewing() -> FormChat:
    chat = FormChat(ValidateComplaintForm())
    chat.say(SEED, intent="complain_office_refusal")
    assert _asked(chat) == "complaint_review"
    return chat


def test_a_one_message_complaint_is_sent_with_the_second_message() -> None:
    chat = _reviewing()
    assert chat.responses() == ["utter_complaint_start", "utter_complaint_review"]
    assert chat.buttons() == REVIEW_BUTTONS
    summary = chat.summary()
    assert "1. Kantor: Kantor Cabang Perintis Boyolali" in summary
    assert "3. Yang menolak: satpam" in summary
    assert "4. Yang dikatakan: harus ke semarang, tidak dilayani" in summary
    assert "5. Layanan yang diurus: berhenti sebagai peserta BPU" in summary
    # The optional fields, with what is filed when they stay unanswered.
    assert "6. Akibat: belum diisi" in summary
    assert "9. Kabar aduan: lewat chat ini (bawaan)" in summary
    assert "10. Identitas dirahasiakan dari kantor yang diadukan: ya (bawaan)" in (
        summary
    )
    chat.say("kirim", button=True)
    assert _asked(chat) is None  # the form is done: the ticket is filed
    assert chat.slots["complaint_review"] == "kirim"


def test_a_piecemeal_complaint_asks_one_question_per_missing_essential() -> None:
    chat = FormChat(ValidateComplaintForm())
    chat.say("saya mau lapor kantor bpjs nolak melayani saya")
    asked = [chat.asked]
    for answer in (
        "boyolali",
        "Senin 1 Desember 2025 jam 9 pagi",
        "satpam",
        "katanya harus ke semarang",
    ):
        chat.say(answer)
        asked.append(chat.asked)
    assert asked == [
        "office",
        "event_at",
        "staff_role",
        "staff_said",
        "complaint_review",
    ]
    chat.say("kirim", button=True)
    assert _asked(chat) is None


def test_ubah_asks_which_field_then_that_field_then_the_summary_again() -> None:
    chat = _reviewing()
    chat.say("ubah", button=True)
    assert _asked(chat) == "complaint_field"
    chat.say("1", button=True)  # Kantor
    assert _asked(chat) == "office"
    assert chat.slots["office"] is None
    chat.say("klaten")
    assert _asked(chat) == "complaint_review"
    assert "1. Kantor: Kantor Cabang Klaten" in chat.summary()
    assert chat.slots["complaint_edit"] is None
    # "ubah 6" at once: the field named with the word, an optional one.
    chat.say("ubah 6", intent="correct_value")
    assert _asked(chat) == "harm"
    chat.say("ongkos ke semarang terbuang")
    assert "6. Akibat: ongkos ke semarang terbuang" in chat.summary()
    chat.say("ya", intent="affirm")  # yes to "Kirim?": sent, never stored as words
    assert _asked(chat) is None
    assert chat.slots["harm"] == "ongkos ke semarang terbuang"


def test_tambah_keterangan_asks_the_optional_fields_each_skippable() -> None:
    chat = _reviewing()
    chat.say("tambah keterangan", button=True)
    assert chat.responses() == ["utter_complaint_more_intro"]
    assert _asked(chat) == "harm"
    chat.say("lewati")
    assert chat.slots["harm"] == "tidak disebut"
    assert _asked(chat) == "earlier_attempts"
    chat.say("sudah menelepon, tidak diangkat", button=True)
    assert _asked(chat) == "resolution_wanted"
    chat.say("ok", intent="affirm")  # no words to store: asked again
    assert _asked(chat) == "resolution_wanted~again"
    assert chat.slots.get("resolution_wanted") is None
    chat.say("Saya minta dilayani di boyolali", button=True)
    assert _asked(chat) == "contact_preference"
    chat.say("boleh ditelepon", button=True)
    assert _asked(chat) == "contact_phone"
    chat.say("0812 3456 7890")
    assert _asked(chat) == "confidential"
    chat.say("tidak perlu dirahasiakan", button=True)
    assert _asked(chat) == "complaint_review"
    summary = chat.summary()
    assert "7. Upaya sebelumnya: sudah menelepon, tidak diangkat" in summary
    assert "9. Kabar aduan: lewat chat ini dan telepon" in summary
    assert "10. Identitas dirahasiakan dari kantor yang diadukan: tidak" in summary
    # Nothing left to add: the summary says so and stays.
    chat.say("tambah keterangan", button=True)
    assert chat.responses() == [
        "utter_complaint_more_complete",
        "utter_complaint_review",
    ]
    assert _asked(chat) == "complaint_review"


def test_an_unreadable_answer_at_the_review_three_times_never_sends() -> None:
    chat = _reviewing()
    chat.say("Boyolali")
    assert chat.responses() == [
        "Maaf, jawaban itu belum bisa saya pakai.",
        "utter_ask_complaint_review_again",
    ]
    assert chat.buttons() == [*REVIEW_BUTTONS, "Bicara ke petugas"]
    assert _asked(chat) == "complaint_review~again"
    chat.say("Boyolali")
    assert _asked(chat) == "complaint_review~person"
    assert chat.buttons() == ["Bicara ke petugas", "Batal"]
    chat.say("Boyolali")
    assert _asked(chat) == "complaint_review~person"  # not the summary a third time
    assert chat.buttons() == ["Bicara ke petugas", "Batal"]
    assert chat.slots.get("complaint_review") is None  # nothing sent by default
    chat.say("kirim")  # a usable answer still counts
    assert _asked(chat) is None


def test_leaving_and_corrections_at_the_review_are_left_to_the_rules() -> None:
    chat = _reviewing()
    assert chat.say("batal", intent="cancel") == [{"response": REJECTED}]
    said = chat.say("kantornya salah", intent="correct_value")
    assert said == [{"response": REJECTED}]  # the correction rule takes it
    # "ubah" is the summary's own word, whatever the NLU made of it.
    chat.say("ubah", intent="correct_value")
    assert _asked(chat) == "complaint_field"


def test_only_the_summary_may_be_longer_than_a_small_screen() -> None:
    chat = _reviewing()
    assert len(chat.summary()) > 400  # it shows everything that will be filed
    for name, variants in DOMAIN["responses"].items():
        if "complaint" in name and name != "utter_complaint_review":
            assert all(len(v.get("text", "")) <= 400 for v in variants), name


def test_every_question_of_the_modes_has_its_wording() -> None:
    for slot, response in MODE_QUESTIONS.items():
        assert response == f"utter_ask_{slot}"
        assert response in DOMAIN["responses"], response
