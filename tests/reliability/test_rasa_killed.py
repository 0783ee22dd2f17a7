"""The Rasa server of a conversation killed (SIGKILL) in the middle of the resign form.

The other Rasa server answers the next message and the form goes on with the slots
given before the kill: the trackers live in PostgreSQL, not in the dead process.
"""

from __future__ import annotations

import random
import signal

from bot.resignation.registry import read_csv
from scripts.cluster.plan import ROOT
from tests.fakes import telegram_updates as tg
from tests.reliability.chat import Chat
from tests.reliability.harness import Cluster, figures

PARTICIPANT = next(
    r
    for r in read_csv(ROOT / "bot" / "data" / "participants.csv")
    if r.full_name == "Sutrisno Wibowo"
)


def test_the_resign_form_continues_on_the_other_rasa_server(cluster: Cluster) -> None:
    chat = Chat(cluster, random.randint(10**8, 10**9))
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    chat.press("/affirm", until="Ketik NIK")
    chat.say(PARTICIPANT.nik, until="ketik nomor KPJ")
    chat.say(str(PARTICIPANT.kpj), until="Bagikan nomor saya")

    victim = cluster.last_rasa_server()
    cluster.supervisor.kill(victim, signal.SIGKILL, hold=True)
    try:
        # The participant shares their own (registered) number: possession.
        contact = tg.contact(chat.chat_id, str(PARTICIPANT.phone))
        said = chat.send(contact, until="Apa alasan Bapak/Ibu")
        survivor = cluster.last_rasa_server()
        # The NIK given to the dead server is still in the form's slots.
        assert "Data Bapak/Ibu cocok, Sutrisno Wibowo" in "\n".join(said)
        said = chat.press("Sudah tidak bekerja", until="Kirim permohonan")
        assert f"NIK: ************{PARTICIPANT.nik[-4:]}" in "\n".join(said)
        said = chat.press("/affirm", until="BRH-")
    finally:
        cluster.supervisor.release(victim)
    assert survivor != victim
    outages = sum("layanan sedang gangguan" in t for t in chat.texts)
    assert outages == 0, chat.texts
    figures(
        "rasa_killed",
        killed=victim,
        answered_by=survivor,
        failures_injected=1,
        turns_after_kill=3,
        outage_replies=outages,
        requests_filed=sum("BRH-" in t for t in said),
    )
