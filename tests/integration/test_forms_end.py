"""Every form ends: an unreadable answer three times in a row, on both channels.

One mechanism for every form (actions/ending.py): the second time a question comes
with buttons and a way out ("Lewati" for an optional one, "Bicara ke petugas"); a
third unreadable answer takes the safe default of an optional question, or offers a
person instead of a required one. No question is asked a third time. Real Rasa,
action server and gateway; fake Bot API and Cloud API (the ``chat`` fixture runs
each test on Telegram and on WhatsApp, on SQLite and on PostgreSQL).
"""

from __future__ import annotations

from tests.integration.chats import Chat
from tests.integration.conftest import Stack

PERSON = "Bicara ke petugas"
SKIP = "Lewati"
PERSON_OFFER = "Petugas bisa membantu Bapak/Ibu di chat"
DEFAULT_TAKEN = "saya pakai pilihan bawaan"
UNREADABLE = "Maaf, jawaban itu belum bisa saya pakai."
HANDED_OFF = "percakapan ini saya teruskan ke"
SUMMARY = "Mohon periksa aduan"
SEED = (
    "selasa 2 des 2025 jam 9 pagi saya ke kantor bpjs boyolali mau berhenti bpu, "
    "satpam bilang harus ke semarang, tidak dilayani"
)


def times_asked(chat: Chat, question: str) -> int:
    """How many of the bot's messages asked ``question`` (a part of its wording)."""
    return sum(question in text for text in chat.texts())


def unreadable_three_times(
    chat: Chat, answer: str, question: str, third_reply: str
) -> list[str]:
    """``answer`` three times to ``question``: asked once more with a way out, then
    never again. Returns the third reply."""
    assert times_asked(chat, question) == 1
    said = chat.say(answer, until=question)
    assert times_asked(chat, question) == 2
    assert PERSON in chat.buttons()
    said = chat.say(answer, until=third_reply)
    assert times_asked(chat, question) == 2, said  # not a third time
    return said


def test_the_office_left_unreadable_offers_a_person(chat: Chat) -> None:
    """A required question of the refusal complaint: a person, not a third ask."""
    ask_office = "kantor BPJS Ketenagakerjaan mana"
    chat.say("saya mau lapor, kantor bpjs menolak melayani saya", until=ask_office)
    unreadable_three_times(chat, "ok", ask_office, third_reply=PERSON_OFFER)
    assert SKIP not in chat.buttons()  # the office is essential
    assert chat.buttons() == [PERSON, "Batal"]
    said = chat.press(PERSON, until=HANDED_OFF)
    assert HANDED_OFF in said[-1]


def test_the_summary_left_unreadable_never_sends_and_batal_works(chat: Chat) -> None:
    chat.say(SEED, until=SUMMARY)
    said = chat.say("Boyolali", until="mau dikirim sekarang")
    assert "Kirim" in chat.buttons()
    assert PERSON in chat.buttons()
    said = chat.say("Boyolali", until=PERSON_OFFER)
    assert times_asked(chat, "mau dikirim sekarang") == 1
    assert times_asked(chat, SUMMARY) == 1
    assert not any("ADU-" in text for text in chat.texts())
    said = chat.press("Batal", until="tidak saya catat")
    assert not any("ADU-" in text for text in said)


def test_an_optional_question_left_unreadable_takes_its_default(
    chat: Chat, stack: Stack
) -> None:
    """The service complaint's resolution wanted: "Lewati" offered, then skipped."""
    chat.say(
        "sy udh telpon kantor bpjs tk berkali kali gak pernah diangkat",
        until="kantor BPJS Ketenagakerjaan mana",
    )
    chat.say("klaten", until="Kapan kejadiannya")
    ask_wanted = "Apa yang Bapak/Ibu minta"
    chat.say("1 desember 2025", until=ask_wanted)
    said = chat.say("ok", until=ask_wanted)
    assert UNREADABLE in said[0]
    assert SKIP in chat.buttons()
    assert PERSON in chat.buttons()
    said = chat.say("ok", until="boleh juga menelepon")
    assert DEFAULT_TAKEN in said[0]
    assert times_asked(chat, ask_wanted) == 2
    chat.say("lewat chat saja", until="perlu dirahasiakan")
    said = chat.say("ya, rahasiakan", until="ADU-")
    reference = next(t for t in said if "ADU-" in t)
    ticket = next(t for t in stack.tickets() if t["id"] in reference)
    # The default stated in the summary, never the "ok" typed.
    assert ticket["resolution_wanted"] == "tidak disebut"


def test_the_reference_left_unreadable_offers_a_person(chat: Chat) -> None:
    ask_reference = "Kirim nomor tiket atau permohonan"
    chat.say("mau cek status aduan saya", until=ask_reference)
    said = unreadable_three_times(
        chat, "Boyolali", ask_reference, third_reply=PERSON_OFFER
    )
    assert "tidak sesuai format" in said[0]  # what was wrong, said each time
    assert chat.buttons() == [PERSON, "Batal"]
    # A readable answer still counts after the offer.
    said = chat.say("ADU-7K3M-Q9TZ", until="tidak ditemukan")
    assert times_asked(chat, ask_reference) == 2


def test_consent_left_unreadable_offers_a_person(chat: Chat) -> None:
    ask_consent = "Apakah Bapak/Ibu setuju?"
    chat.say("saya mau berhenti jadi peserta bpu", until=ask_consent)
    unreadable_three_times(chat, "Boyolali", ask_consent, third_reply=PERSON_OFFER)
    assert not any("Ketik NIK" in text for text in chat.texts())
    said = chat.press("Batal", until="pengajuan berhenti saya batalkan")
    assert not any("Ketik NIK" in text for text in said)
