"""The scripted conversations every simulated participant plays, in a loop.

A complaint told in one message, stopping participation from consent to the filed
request, and a run of questions. Steps are what a participant types or the payload
of the button they press; each loop of a participant is a new chat, so every
conversation starts from nothing. The resignation uses the demo registry's eligible
participants in turn (`make bench` loads it), so the identity check succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.resignation.registry import read_csv
from tests.integration.processes import ROOT

WHOLE_STORY = (
    "Selamat pagi, saya mau lapor. Selasa 2 Desember 2025 jam 9.30 saya ke kantor "
    "bpjs tk boyolali mau berhenti jadi peserta bpu, tapi ditolak satpam katanya "
    "harus ke kantor semarang. Saya minta dilayani di boyolali saja."
)
# What a shared contact reaches Rasa as (bot/gateway/channels/rendering/telegram.py).
SHARE_CONTACT_PAYLOAD = '/inform{"possession":"contact"}'
# Active BPU participants of bot/data/participants.csv (eligible to stop).
ELIGIBLE = ("Sutrisno Wibowo", "Sri Lestari", "Rina Marlina")


@dataclass(frozen=True)
class Step:
    """One participant message: typed text, or a pressed button's payload."""

    text: str
    press: bool = False
    # A phone number shared with Telegram's contact button (the sender's own).
    contact: str | None = None


@dataclass(frozen=True)
class Conversation:
    """A named script."""

    name: str
    steps: tuple[Step, ...]


def complaint() -> Conversation:
    """The whole story at once, then "Kirim" under the summary."""
    return Conversation(
        "complaint",
        (Step("/start"), Step(WHOLE_STORY), Step("kirim", press=True)),
    )


def resignation(name: str) -> Conversation:
    """Consent, NIK typed with spaces, KPJ, own number shared, reason, confirmation.

    Sharing the registered number is the possession step on Telegram (PRODUCT.md
    §3.1 step 3); through Rasa's REST channel alone nothing can be shared, and the
    form ends offering a person there.
    """
    record = next(
        r for r in read_csv(ROOT / "bot" / "data" / "participants.csv")
        if r.full_name == name
    )  # fmt: skip
    spaced = " ".join(record.nik[i : i + 4] for i in range(0, 16, 4))
    return Conversation(
        f"resignation ({name})",
        (
            Step("saya mau berhenti jadi peserta bpu"),
            Step("/affirm", press=True),
            Step(spaced),
            Step(str(record.kpj)),
            Step(SHARE_CONTACT_PAYLOAD, press=True, contact=record.phone),
            Step("Sudah tidak bekerja", press=True),
            Step("/affirm", press=True),
        ),
    )


def questions() -> Conversation:
    """Questions answered from sourced facts, one after another."""
    asked = (
        "halo",
        "iuran bpu sebulan berapa ya",
        "gmn cara cairin jht",
        "syarat berhenti bpu apa aja",
        "kok tagihan bpjs tk di gopay masih muncul",
        "alamat kantor bpjs tk klaten dimana",
        "makasih",
    )
    return Conversation("questions", tuple(Step(q) for q in asked))


def all_conversations() -> tuple[Conversation, ...]:
    """What participants play, in turn (a third each of complaints, resignations and
    questions); each participant starts at a different place in the cycle."""
    cycle: list[Conversation] = []
    for name in ELIGIBLE:
        cycle += [complaint(), resignation(name), questions()]
    return tuple(cycle)
