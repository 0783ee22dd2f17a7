"""Only the participant can stop their own cover (PRODUCT.md §3.1 step 3), end to end.

An attacker holding a victim's NIK, date of birth and KPJ (all on a KTP and a card)
gets no ``BRH-`` request and no registry fact: on WhatsApp from another number, and
on the web chat with a new session id for every try (the failures count for the
participant, not the session). The participant writing from the registered WhatsApp
number gets a request. The Telegram cases (someone else's contact, no contact,
wrong codes; the own contact; a helper with the code) are in test_telegram_resign.py.
Real Rasa, action server and gateway, fake Graph API; SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from typing import Any

import httpx

from tests.fakes import whatsapp_updates as wa
from tests.fakes.gateway import WA_PHONE_ID
from tests.integration.chats import post_whatsapp, wait_new
from tests.integration.conftest import Stack
from tests.integration.test_telegram_resign import (
    ASK_CODE,
    ASK_CONFIRM,
    ASK_KPJ,
    ASK_NIK,
    ASK_REASON,
    DEMO,
    HANDOFF,
    REFERENCE,
    demo_registry,
)

__all__ = ["demo_registry"]  # the registry is seeded for this module too
LOCKED = "3 kali gagal"


def _facts(name: str) -> tuple[str, ...]:
    """What the registry knows that must not be said before verification."""
    return (*name.split(), "Data Bapak/Ibu cocok", "BRH-")


class WhatsApp:
    """One WhatsApp sender; each turn waits for a reply with a marker."""

    def __init__(self, stack: Stack, wa_id: str) -> None:
        assert stack.whatsapp is not None
        self.stack, self.api, self.wa_id = stack, stack.whatsapp, wa_id

    def say(self, words: str, until: str) -> list[str]:
        seen = len(self.api.texts_to(self.wa_id))
        payload = wa.text(WA_PHONE_ID, self.wa_id, words)
        assert post_whatsapp(self.stack, payload).status_code == 200
        wait_new(lambda: self.api.texts_to(self.wa_id), seen, until)
        return self.api.texts_to(self.wa_id)[seen:]


def test_the_participant_from_the_registered_whatsapp_number_gets_a_request(
    stack: Stack,
) -> None:
    record = DEMO["Slamet Riyadi"]
    chat = WhatsApp(stack, str(record.phone))
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    chat.say("setuju", until=ASK_NIK)
    chat.say(record.nik, until=ASK_KPJ)
    said = chat.say(str(record.kpj), until=ASK_REASON)
    assert "Data Bapak/Ibu cocok, Slamet Riyadi" in "\n".join(said)
    assert stack.whatsapp is not None
    assert stack.whatsapp.codes_sent_to(str(record.phone)) == []  # no code needed
    chat.say("Sudah tidak bekerja", until=ASK_CONFIRM)
    said = chat.say("ya", until="Simpan nomor")
    assert REFERENCE.search("\n".join(said))


def test_an_attacker_on_whatsapp_from_another_number_gets_nothing(
    stack: Stack,
) -> None:
    victim = DEMO["Joko Santoso"]
    chat = WhatsApp(stack, f"628{random.randint(10**9, 10**10 - 1)}")
    said = chat.say(
        "saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju"
    )
    said += chat.say("setuju", until=ASK_NIK)
    born = victim.birth_date.strftime("%d-%m-%Y")
    said += chat.say(f"{victim.nik} {born}", until=ASK_KPJ)
    assert stack.whatsapp is not None
    # The fake Graph API is shared by the session (both stores): only new codes count.
    before = len(stack.whatsapp.codes_sent_to(str(victim.phone)))
    said += chat.say(str(victim.kpj), until=ASK_CODE)
    [real] = stack.whatsapp.codes_sent_to(str(victim.phone))[before:]  # the victim's
    for n in (1, 2):
        said += chat.say(f"{(int(real) + n) % 1_000_000:06d}", until=ASK_CODE)
    said += chat.say(f"{(int(real) + 3) % 1_000_000:06d}", until=HANDOFF)
    joined = "\n".join(said)
    assert LOCKED in joined
    assert [fact for fact in _facts(victim.full_name) if fact in joined] == []
    assert stack.whatsapp.codes_sent_to(chat.wa_id) == []


def _webchat(stack: Stack, session: str, text: str) -> list[str]:
    response = httpx.post(
        f"{stack.gateway_url}/webchat/messages",
        json={"session": session, "text": text},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return [str(m.get("text") or "") for m in messages]


def test_rotating_web_chat_sessions_do_not_escape_the_failure_limit(
    stack: Stack,
) -> None:
    victim = DEMO["Hartono"]
    assert stack.whatsapp is not None
    before = len(stack.whatsapp.codes_sent_to(str(victim.phone)))
    said: list[str] = []
    for attempt in range(3):
        session = f"rotate-{random.randint(10**8, 10**9)}-{attempt}"
        _webchat(stack, session, "saya mau berhenti jadi peserta bpu")
        _webchat(stack, session, "setuju")
        said += _webchat(stack, session, f"{victim.nik} {victim.kpj}")
        said += _webchat(stack, session, "000000")
    assert LOCKED in "\n".join(said[-2:])
    # A fourth session is locked before any code is sent.
    session = f"rotate-{random.randint(10**8, 10**9)}-new"
    _webchat(stack, session, "saya mau berhenti jadi peserta bpu")
    _webchat(stack, session, "setuju")
    said += (last := _webchat(stack, session, f"{victim.nik} {victim.kpj}"))
    assert LOCKED in "\n".join(last)
    joined = "\n".join(said)
    assert [fact for fact in _facts(victim.full_name) if fact in joined] == []
    assert len(stack.whatsapp.codes_sent_to(str(victim.phone))[before:]) == 3
