"""The family, a helper and the new questions, on Telegram and on WhatsApp alike.

A death reported by a son goes to the heirs' path: condolences, what the heirs can
claim, a person (the hand-off opened as "deceased" for staff), never the resignation
consent. A son helping his living father is addressed as the helper. Each new
question gets its sourced answer. Real Rasa, action server and gateway; the ``chat``
fixture runs each test on both channels (and the stack on SQLite and PostgreSQL).
"""

from __future__ import annotations

import pytest

from tests.integration.chats import Chat
from tests.integration.conftest import Stack
from tests.integration.processes import run_cli

CONDOLENCE = "turut berduka cita"
HANDED_OFF = "percakapan ini saya teruskan ke"
CONSENT = "Apakah Bapak/Ibu setuju"


def test_a_death_reported_by_a_son_gets_the_heirs_path_and_a_person(
    chat: Chat, stack: Stack
) -> None:
    said = chat.say(
        "bapak saya sudah meninggal, mau memberhentikan kepesertaan beliau",
        until="bisa membantu keluarga",
    )
    joined = "\n".join(said)
    assert CONDOLENCE in joined
    assert "JKM" in joined  # what the heirs can claim
    assert CONSENT not in joined and "Ketik NIK" not in joined
    said = chat.press("Hubungi petugas", until=HANDED_OFF)
    queue = run_cli(["handoffs", "list", "--json"], stack.database_url)
    assert any(h["reason"] == "deceased" for h in queue), queue
    # Nothing follows the hand-off: no "belum paham" after it.
    assert not any("belum paham" in text for text in chat.texts())


def test_a_son_helping_his_father_is_addressed_as_the_helper(chat: Chat) -> None:
    said = chat.say("saya mau bantu bapak saya berhenti BPU", until=CONSENT)
    joined = "\n".join(said)
    assert "membantu orang tua" in joined
    assert "milik beliau" in joined  # the NIK asked for is the father's


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "benar harus ke Semarang? boleh di kantor mana saja?",
            "mewajibkan peserta BPU",
        ),
        ("setelah berhenti masih terlindungi? kapan JKK/JKM berhenti?", "JKK"),
        (
            "iuran saya masih kepotong setelah ajukan berhenti, bisa dikembalikan?",
            "belum bisa kami pastikan",
        ),
        ("kalau sudah berhenti, nanti bisa daftar lagi?", "peserta lagi"),
        ("status kepesertaan saya apa?", "JMO"),
        (
            "saya mau membatalkan permohonan berhenti BRH-7K3M-Q9TZ yang sudah dikirim",
            "tidak bisa saya batalkan sendiri",
        ),
    ],
)
def test_each_new_question_gets_its_answer(
    chat: Chat, question: str, answer: str
) -> None:
    said = chat.say(question, until=answer)
    assert not any("belum paham" in text for text in said)
