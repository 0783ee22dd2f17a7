"""The same complaint through Telegram and through WhatsApp files the same ticket.

Real Rasa, action server and gateway; fake Bot API and Graph API that refuse what
the real ones refuse. Runs on SQLite and PostgreSQL (the ``stack`` fixture).
"""

from __future__ import annotations

import random
import re
from typing import Any

from tests.fakes import telegram_updates as tg
from tests.fakes import whatsapp_updates as wa
from tests.fakes.gateway import WA_PHONE_ID
from tests.integration.chats import post_whatsapp, wait_new
from tests.integration.conftest import Stack

REFERENCE = re.compile(r"\bADU-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b")
OPENING = "saya mau lapor, kantor bpjs menolak melayani saya"
WHEN = "kemarin jam 9 pagi"
SAID = "dia bilang harus ke kantor cabang dulu"
SUMMARY = "Mohon periksa aduan"
# The optional questions after "Tambah keterangan" (PRODUCT.md §3.2), answered by
# option number, which both channels accept as well as a press: (answer, marker of
# the next question).
BEFORE_WANTED = (
    ("1", "Apa akibatnya"),  # layanan: berhenti sebagai peserta BPU
    ("2", "sudah mencoba cara lain"),  # tagihan iuran tetap berjalan
    ("1", "Apa yang Bapak/Ibu minta"),  # telepon tidak diangkat
)
AFTER_WANTED = (
    ("1", "perlu dirahasiakan"),  # kontak: lewat chat saja
    ("2", SUMMARY),  # tidak perlu dirahasiakan: back to the summary
    ("1", "ADU-"),  # Kirim: filed
)
COMPARED = (
    "kind",
    "status",
    "office",
    "event_at",
    "staff_role",
    "staff_said",
    "resolution_wanted",
    "category",
    "first_response_due",
    "resolution_due",
)


def _filed(texts: list[str]) -> str:
    """The reference in the filing message (the offer to stop online comes after)."""
    found = [m.group(0) for t in texts if (m := REFERENCE.search(t))]
    assert found, texts
    return found[-1]


def _telegram_complaint(stack: Stack) -> str:
    chat = random.randint(10_000_000, 99_999_999)
    api = stack.telegram

    def say(update: dict[str, Any], marker: str) -> None:
        seen = len(api.texts_to(chat))
        assert stack.post_update(update).status_code == 200
        wait_new(lambda: api.texts_to(chat), seen, marker)

    say(tg.text(chat, OPENING), "kantor BPJS Ketenagakerjaan mana")
    say(api.press(chat, "Klaten"), "Kapan kejadiannya")
    say(tg.text(chat, WHEN), "Siapa yang menolak")
    say(api.press(chat, "Petugas loket"), "Apa yang dia katakan")
    say(tg.text(chat, SAID), SUMMARY)
    say(api.press(chat, "tambah keterangan"), "Layanan apa")
    for answer, following in BEFORE_WANTED:
        say(tg.text(chat, answer), following)
    say(api.press(chat, "Saya minta dilayani sesuai hak saya"), "boleh juga menelepon")
    for answer, following in AFTER_WANTED:
        say(tg.text(chat, answer), following)
    assert not api.refused("sendMessage")
    assert not api.refused("answerCallbackQuery")
    return _filed(api.texts_to(chat))


def _whatsapp_complaint(stack: Stack) -> str:
    api = stack.whatsapp
    assert api is not None
    wa_id = f"628{random.randint(10**9, 10**10 - 1)}"

    def say(payload: dict[str, Any], marker: str) -> dict[str, Any]:
        assert api is not None
        seen = len(api.texts_to(wa_id))
        assert post_whatsapp(stack, payload).status_code == 200
        wait_new(lambda: api.texts_to(wa_id), seen, marker)
        return api.accepted_to(wa_id)[-1]

    ask_office = say(wa.text(WA_PHONE_ID, wa_id, OPENING), "kantor BPJS")
    # Four offices: a list message; the row id is the payload.
    assert ask_office["interactive"]["type"] == "list"
    rows = ask_office["interactive"]["action"]["sections"][0]["rows"]
    klaten = next(r for r in rows if r["title"] == "Klaten")
    say(wa.list_reply(WA_PHONE_ID, wa_id, klaten["id"], "Klaten"), "Kapan")
    ask_role = say(wa.text(WA_PHONE_ID, wa_id, WHEN), "Siapa yang menolak")
    rows = ask_role["interactive"]["action"]["sections"][0]["rows"]
    loket = next(r for r in rows if r["title"] == "Petugas loket")
    say(wa.list_reply(WA_PHONE_ID, wa_id, loket["id"], loket["title"]), "katakan")
    review = say(wa.text(WA_PHONE_ID, wa_id, SAID), SUMMARY)
    # Kirim, Ubah, Tambah keterangan: reply buttons.
    assert review["interactive"]["type"] == "button"
    more = review["interactive"]["action"]["buttons"][2]["reply"]
    assert more["title"] == "Tambah keterangan"
    say(wa.button_reply(WA_PHONE_ID, wa_id, more["id"], more["title"]), "Layanan apa")
    ask_wanted: dict[str, Any] = {}
    for answer, following in BEFORE_WANTED:
        ask_wanted = say(wa.text(WA_PHONE_ID, wa_id, answer), following)
    # Three options: reply buttons.
    assert ask_wanted["interactive"]["type"] == "button"
    first = ask_wanted["interactive"]["action"]["buttons"][0]["reply"]
    say(
        wa.button_reply(WA_PHONE_ID, wa_id, first["id"], first["title"]),
        "boleh juga menelepon",
    )
    for answer, following in AFTER_WANTED:
        say(wa.text(WA_PHONE_ID, wa_id, answer), following)
    refused = [s for s in api.refused() if s.params.get("to") == wa_id]
    assert refused == []
    return _filed(api.texts_to(wa_id))


def test_the_same_complaint_on_both_channels_files_equivalent_tickets(
    stack: Stack,
) -> None:
    on_telegram = _telegram_complaint(stack)
    on_whatsapp = _whatsapp_complaint(stack)
    tickets = {t["id"]: t for t in stack.tickets()}
    telegram_ticket, whatsapp_ticket = tickets[on_telegram], tickets[on_whatsapp]
    assert telegram_ticket["channel"] == "telegram"
    assert whatsapp_ticket["channel"] == "whatsapp"
    assert {k: telegram_ticket[k] for k in COMPARED} == {
        k: whatsapp_ticket[k] for k in COMPARED
    }
    assert whatsapp_ticket["office"] == "kc_klaten"
    assert whatsapp_ticket["staff_role"] == "petugas_loket"
    assert whatsapp_ticket["resolution_wanted"] == "Saya minta dilayani sesuai hak saya"
