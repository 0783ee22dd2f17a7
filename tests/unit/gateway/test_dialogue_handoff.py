"""While people hold a conversation the gateway records and stays silent (§3.4)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from bot.core.crypto import DataCipher
from bot.gateway.dialogue import Dialogue
from bot.gateway.rasa_client import RasaClient
from bot.handoff import handoffs
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Outbound
from bot.store.db import Database
from bot.store.models import Message, MessageSecret
from tests.unit.gateway.test_dialogue import KEY, FakeRasa, delivered, dialogue, rasa

__all__ = ["delivered", "dialogue", "rasa"]


async def test_handed_off_messages_are_recorded_but_not_answered(
    db: Database,
    dialogue: Dialogue,
    rasa: FakeRasa,
    delivered: list[tuple[object, BotMessage, bool]],
) -> None:
    with db.session() as session:
        handoffs.open_handoff(session, KEY, handoffs.REASON_ASKED)
    for text, kind in (("halo, masih ada orang?", "text"), ("[foto]", "media")):
        inbound = await dialogue.accept(KEY, text, kind=kind)
        assert await dialogue.respond(inbound) == []
    assert rasa.requests == []  # nothing forwarded to the bot
    assert delivered == []
    with db.session() as session:
        texts = list(session.scalars(select(Message.text).order_by(Message.id)))
    assert texts == ["halo, masih ada orang?", "[foto]"]


async def test_numbers_are_masked_and_kept_encrypted_for_reveal(
    db: Database, rasa: FakeRasa
) -> None:
    cipher = DataCipher("unit-test-key-for-the-dialogue-0123456789")
    dialogue = Dialogue(
        db, rasa_client(rasa), Outbound(db), max_inbound_chars=200, cipher=cipher
    )
    await dialogue.accept(KEY, "nik saya 3309 0412 0371 0003")
    with db.session() as session:
        message = session.scalars(select(Message)).one()
        secret = session.scalars(select(MessageSecret)).one()
        assert message.text == "nik saya ************0003"
        assert secret.kind == "nik"
        assert secret.masked == "************0003"
        assert "3309" not in secret.ciphertext
        assert cipher.decrypt(secret.ciphertext) == "3309041203710003"  # digits only


def rasa_client(rasa: FakeRasa) -> RasaClient:
    return RasaClient(
        "http://rasa.test", 5, transport=httpx.MockTransport(rasa.handler)
    )
