""" "hapus data saya" end to end on Telegram and WhatsApp, checked in the store after.

Each participant files a stop-participation request (the ticket stays open, with
their NIK on it), having typed NIK and KPJ (masked transcript rows with revealable
copies, identity tokens) and, on Telegram, shared their contact. Then they ask to
delete their data and confirm. Afterwards the store holds none of it: no message
they sent, no revealable number, no token of the conversation, no shared contact;
the open request is still there for staff, without who filed it. Real Rasa, action
server and gateway, fake Bot API and Graph API; SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text

from bot.core.crypto import DataCipher
from bot.messaging.conversations import ConversationKey, whatsapp_key
from bot.resignation.registry import ParticipantRecord
from bot.store.db import Database
from bot.store.models import (
    Conversation,
    Message,
    MessageSecret,
    SharedContact,
    Ticket,
)
from bot.tickets.lifecycle import FINAL
from tests.fakes import telegram_updates as tg
from tests.integration.conftest import Stack
from tests.integration.processes import TEST_DATA_KEY
from tests.integration.test_possession import WhatsApp
from tests.integration.test_telegram_resign import (
    ASK_CONFIRM,
    ASK_CONTACT,
    ASK_KPJ,
    ASK_NIK,
    ASK_REASON,
    DEMO,
    REFERENCE,
    Chat,
    demo_registry,
)

__all__ = ["demo_registry"]  # the registry is seeded for this module too
OFFER = "Hapus sekarang?"
DONE = "Sudah dihapus"
KEPT = "tetap kami selesaikan, tanpa data diri"
REASON = "Sudah tidak bekerja"


def _store(stack: Stack, sender_id: str, reference: str) -> dict[str, Any]:
    """What the store holds of one conversation and its request."""
    db = Database(stack.database_url)
    try:
        with db.session() as session:
            conversation = session.scalar(
                select(Conversation).where(Conversation.sender_id == sender_id)
            )
            assert conversation is not None, sender_id
            messages = session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation.id)
                .order_by(Message.id)
            ).all()
            ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
            assert ticket is not None, reference
            return {
                "inbound": [m.text for m in messages if m.direction == "in"],
                "outbound": [m.text for m in messages if m.direction == "out"],
                "secrets": session.scalar(
                    select(func.count(MessageSecret.id))
                    .join(Message)
                    .where(Message.conversation_id == conversation.id)
                ),
                "tokens": session.scalar(
                    select(func.count(MessageSecret.id)).where(
                        MessageSecret.owner == sender_id
                    )
                ),
                "contacts": session.scalar(
                    select(func.count(SharedContact.id)).where(
                        SharedContact.sender_id == sender_id
                    )
                ),
                "ticket_status": ticket.status,
                "ticket_identity": (
                    ticket.participant_hash,
                    ticket.participant_ciphertext,
                ),
                "ticket_reason": ticket.request_reason,
            }
    finally:
        db.dispose()


def _tracker_events(stack: Stack, sender_id: str) -> list[str]:
    """The data of every event Rasa's tracker store holds for ``sender_id``."""
    engine = create_engine(f"sqlite:///{stack.rasa.tracker_db}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :sender"),
                {"sender": sender_id},
            )
            return [str(row.data) for row in rows]
    finally:
        engine.dispose()


def _slots(stack: Stack, sender_id: str) -> dict[str, Any]:
    """The slots of Rasa's tracker for ``sender_id`` now."""
    response = httpx.get(
        f"{stack.rasa.url}/conversations/{sender_id}/tracker",
        params={"token": stack.rasa.token},
        timeout=60,
    )
    response.raise_for_status()
    slots: dict[str, Any] = response.json().get("slots") or {}
    return slots


def _assert_erased(
    stack: Stack, sender_id: str, reference: str, record: ParticipantRecord
) -> None:
    after = _store(stack, sender_id, reference)
    assert after["inbound"] == []  # nothing the participant sent is left
    joined = "\n".join(after["outbound"])
    assert record.nik[-4:] not in joined and REASON not in joined
    assert all(DONE in t or KEPT in t for t in after["outbound"]), after["outbound"]
    assert after["secrets"] == 0
    assert after["tokens"] == 0
    assert after["contacts"] == 0
    # The open request stays for staff to finish, without who filed it.
    assert after["ticket_status"] not in FINAL
    assert after["ticket_identity"] == (None, None)
    assert after["ticket_reason"] == REASON
    # Rasa's tracker store has no event of the conversation left (texts as Rasa
    # got them, phones as typed); read before the API below starts a new one.
    assert _tracker_events(stack, sender_id) == []
    slots = _slots(stack, sender_id)
    assert slots.get("resign_nik") is None and slots.get("resign_kpj") is None


def _starts_fresh(
    stack: Stack,
    sender_id: str,
    say: Callable[[str, str], list[str]],
    record: ParticipantRecord,
) -> None:
    """The same person goes on after the erasure: the bot answers, in a tracker
    holding nothing of before."""
    said = say("saya mau berhenti jadi peserta bpu", "Apakah Bapak/Ibu setuju")
    assert said
    events = _tracker_events(stack, sender_id)
    typed = [
        event.get("text")
        for event in map(json.loads, events)
        if event.get("event") == "user"
    ]
    assert typed == ["saya mau berhenti jadi peserta bpu"]  # nothing of before
    joined = "\n".join(events)
    assert record.nik not in joined and REASON not in joined


def _assert_filled(stack: Stack, sender_id: str, reference: str) -> None:
    """Before: the store really held what the erasure has to delete."""
    before = _store(stack, sender_id, reference)
    assert before["inbound"] and before["secrets"] > 0 and before["tokens"] > 0
    assert before["ticket_identity"][0] is not None


def test_hapus_data_saya_on_telegram(stack: Stack, chat_id: int) -> None:
    record = DEMO["Nur Hidayah"]
    sender_id = ConversationKey("telegram", str(chat_id)).sender_id
    chat = Chat(stack, chat_id)
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    chat.press("/affirm", until=ASK_NIK)
    chat.say(f"{record.nik} {record.kpj}", until=ASK_CONTACT)
    chat._send(tg.contact(chat_id, f"+{record.phone}"), until=ASK_REASON)
    chat.press(REASON, until=ASK_CONFIRM)
    said = chat.press("/affirm", until="Simpan nomor")
    match = REFERENCE.search(said[-1])
    assert match, said
    _assert_filled(stack, sender_id, match[0])
    assert _tracker_events(stack, sender_id)  # Rasa had the conversation
    db = Database(stack.database_url)
    try:
        with db.session() as session:
            assert session.scalar(
                select(func.count(SharedContact.id)).where(
                    SharedContact.sender_id == sender_id
                )
            )
    finally:
        db.dispose()

    said = chat.say("hapus data saya", until=OFFER)
    assert "Yang tetap disimpan" in said[-1]
    said = chat.press("/affirm", until=KEPT)
    assert any(DONE in t for t in said), said
    _assert_erased(stack, sender_id, match[0], record)
    _starts_fresh(stack, sender_id, chat.say, record)


def test_hapus_data_saya_on_whatsapp(stack: Stack) -> None:
    record = DEMO["Sri Lestari"]
    chat = WhatsApp(stack, str(record.phone))
    # The gateway keys a WhatsApp sender by a keyed hash of the number.
    sender_id = whatsapp_key(DataCipher(TEST_DATA_KEY), str(record.phone)).sender_id
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    chat.say("setuju", until=ASK_NIK)
    chat.say(record.nik, until=ASK_KPJ)
    chat.say(str(record.kpj), until=ASK_REASON)
    chat.say(REASON, until=ASK_CONFIRM)
    said = chat.say("ya", until="Simpan nomor")
    match = REFERENCE.search("\n".join(said))
    assert match, said
    _assert_filled(stack, sender_id, match[0])

    said = chat.say("hapus data saya", until=OFFER)
    said = chat.say("ya", until=KEPT)
    assert any(DONE in t for t in said), said
    _assert_erased(stack, sender_id, match[0], record)
    _starts_fresh(stack, sender_id, chat.say, record)
