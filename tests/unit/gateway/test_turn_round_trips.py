"""What a turn costs the store, and that ending it before delivery keeps the order.

Counts, never times: README "Performance" has the figures these counts explain.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from bot.gateway.dialogue import Dialogue
from bot.gateway.rasa_client import RasaClient
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.store.db import Database
from bot.store.models import Conversation, Message

KEY = ConversationKey("telegram", "5151")


def _rasa(replies: dict[str, list[dict[str, Any]]]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        message = json.loads(request.content)["message"]
        return httpx.Response(200, json=replies[message])

    return httpx.MockTransport(handler)


YES = {"title": "Ya", "payload": "/y"}
TWO_REPLIES: dict[str, list[dict[str, Any]]] = {
    "halo": [
        {"text": "Selamat datang."},
        {"text": "Ada yang bisa dibantu?", "buttons": [YES]},
    ],
    "lagi": [{"text": "Baik."}, {"text": "Silakan."}],
}


@pytest.fixture
def statements(db: Database) -> Iterator[Counter[str]]:
    """Every statement (by verb) and commit of ``db`` while the test runs."""
    counts: Counter[str] = Counter()

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counts[statement.split(None, 1)[0].upper()] += 1

    def committed(_conn: Any) -> None:
        counts["COMMIT"] += 1

    event.listen(db.engine, "before_cursor_execute", executed)
    event.listen(db.engine, "commit", committed)
    yield counts
    event.remove(db.engine, "before_cursor_execute", executed)
    event.remove(db.engine, "commit", committed)


def _dialogue(db: Database, outbound: Outbound) -> Dialogue:
    client = RasaClient("http://rasa.test", 5, transport=_rasa(TWO_REPLIES))
    return Dialogue(db, client, outbound, max_inbound_chars=500)


async def test_a_turn_with_two_replies_costs_five_transactions(
    db: Database, statements: Counter[str]
) -> None:
    """Record (with the lease), queue and end the turn, claim, one outcome per reply.

    Before (README "Performance"): 6 commits and 33 statements for this turn, and
    7.3 commits and 33.6 statements when the next message arrives as the last reply
    is delivered (the lease was still held then).
    """
    sent: list[str] = []

    async def deliver(_key: ConversationKey, message: BotMessage, _p: bool) -> Delivery:
        sent.append(message.text)
        return Delivery("sent", provider_message_id=str(len(sent)))

    outbound = Outbound(db)
    outbound.register("telegram", deliver)
    dialogue = _dialogue(db, outbound)
    await dialogue.respond(await dialogue.accept(KEY, "halo"))  # creates the row
    statements.clear()

    await dialogue.respond(await dialogue.accept(KEY, "lagi"))

    assert sent == ["Selamat datang.", "Ada yang bisa dibantu?", "Baik.", "Silakan."]
    assert statements["COMMIT"] == 5
    assert sum(n for verb, n in statements.items() if verb != "COMMIT") == 23


async def test_the_lease_is_free_while_the_replies_are_still_being_sent(
    db: Database,
) -> None:
    """The turn ends when its replies are queued: the options offered are
    remembered and the message is marked before the first reply goes out."""
    seen: list[tuple[str | None, Any, str | None]] = []

    async def deliver(_key: ConversationKey, message: BotMessage, _p: bool) -> Delivery:
        def look() -> None:
            with db.session() as session:
                conversation = session.scalars(select(Conversation)).one()
                inbound = session.scalars(
                    select(Message).where(Message.direction == "in")
                ).one()
                lease, offered = conversation.lease_holder, conversation.last_buttons
                seen.append((lease, offered, inbound.status))

        await asyncio.to_thread(look)
        return Delivery("sent", provider_message_id=message.text)

    outbound = Outbound(db)
    outbound.register("telegram", deliver)
    dialogue = _dialogue(db, outbound)

    await dialogue.respond(await dialogue.accept(KEY, "halo"))

    assert seen == [(None, [YES], "answered"), (None, [YES], "answered")]


async def test_a_next_turn_queued_during_a_slow_delivery_goes_out_after_it(
    db: Database,
) -> None:
    """The second turn's replies wait for the first turn's, in order, none twice,
    and without waiting for the outbox worker."""
    sent: list[str] = []
    first_reply_held = asyncio.Event()
    let_go = asyncio.Event()

    async def deliver(_key: ConversationKey, message: BotMessage, _p: bool) -> Delivery:
        if message.text == "Selamat datang.":
            first_reply_held.set()
            await let_go.wait()
        sent.append(message.text)
        return Delivery("sent", provider_message_id=str(len(sent)))

    outbound = Outbound(db)
    outbound.register("telegram", deliver)
    dialogue = _dialogue(db, outbound)

    first = asyncio.create_task(dialogue.respond(await dialogue.accept(KEY, "halo")))
    await asyncio.wait_for(first_reply_held.wait(), 10)
    # The first turn has ended (its replies are queued): the next one runs now.
    second = asyncio.create_task(dialogue.respond(await dialogue.accept(KEY, "lagi")))
    await asyncio.sleep(0.2)
    assert sent == []  # queued behind the first turn's replies
    let_go.set()
    await asyncio.wait_for(asyncio.gather(first, second), 10)

    assert sent == ["Selamat datang.", "Ada yang bisa dibantu?", "Baik.", "Silakan."]
    with db.session() as session:
        statuses = [m.status for m in session.scalars(select(Message))]
    assert statuses.count("sent") == 4
