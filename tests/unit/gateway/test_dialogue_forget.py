""" "hapus data saya": the erasure's unshown marker makes the gateway delete the
conversation's tracker events once Rasa has saved the turn (issue 10)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from bot.gateway.dialogue import FORGET_CONVERSATION, Dialogue
from bot.gateway.rasa_client import RasaClient
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.store.db import Database
from bot.store.models import Message

KEY = ConversationKey("telegram", "4244")
DONE = {"text": "Sudah dihapus."}
MARKER = {"custom": {FORGET_CONVERSATION: True}}


def _dialogue(
    db: Database,
    replies: list[Any],
    delivered: list[BotMessage],
    forget: Any,
) -> Dialogue:
    def rasa(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=replies.pop(0))

    async def deliver(
        key: ConversationKey, message: BotMessage, proactive: bool
    ) -> Delivery:
        delivered.append(message)
        return Delivery(status="sent", provider_message_id=str(len(delivered)))

    outbound = Outbound(db)
    outbound.register("telegram", deliver)
    client = RasaClient("http://rasa.test", 5, transport=httpx.MockTransport(rasa))
    return Dialogue(db, client, outbound, 200, forget_tracker=forget)


async def test_the_marker_deletes_the_senders_tracker_and_is_never_shown(
    db: Database,
) -> None:
    forgotten: list[str] = []
    delivered: list[BotMessage] = []

    def forget(sender: str) -> int:
        forgotten.append(sender)
        return 12

    dialogue = _dialogue(db, [[DONE, MARKER], [{"text": "Halo"}]], delivered, forget)
    await dialogue.respond(await dialogue.accept(KEY, "ya"))
    assert forgotten == [KEY.sender_id]
    assert [m.text for m in delivered] == ["Sudah dihapus."]

    await dialogue.respond(await dialogue.accept(KEY, "halo"))
    assert forgotten == [KEY.sender_id]  # an ordinary turn deletes nothing
    with db.session() as session:
        out = session.scalars(
            select(Message.text).where(Message.direction == "out").order_by(Message.id)
        ).all()
    assert out == ["Sudah dihapus.", "Halo"]


async def test_a_failed_deletion_still_answers(db: Database) -> None:
    """The tracker store down: the participant still gets the confirmation (the
    transcript and numbers are gone); purge takes the events later."""
    delivered: list[BotMessage] = []

    def forget(sender: str) -> int:
        from sqlalchemy.exc import ProgrammingError

        raise ProgrammingError("DELETE", {}, Exception("no such table"))

    dialogue = _dialogue(db, [[DONE, MARKER]], delivered, forget)
    await dialogue.respond(await dialogue.accept(KEY, "ya"))
    assert [m.text for m in delivered] == ["Sudah dihapus."]


async def test_without_a_tracker_store_to_reach_the_marker_is_dropped(
    db: Database,
) -> None:
    delivered: list[BotMessage] = []
    dialogue = _dialogue(db, [[DONE, MARKER]], delivered, None)
    await dialogue.respond(await dialogue.accept(KEY, "ya"))
    assert [m.text for m in delivered] == ["Sudah dihapus."]
