"""Property: a NIK however typed never reaches the store, Rasa or a log in clear.

Hypothesis types valid NIKs with every separator, full-width digits, zero-width
characters, next to a phone number, inside words, and split over two messages. Each
example goes through the gateway's ``Dialogue`` (the transcript, the numbers it keeps
encrypted, the text forwarded to a fake Rasa), into a complaint's fields, and into a
log record; none of them may show more of the NIK than a masked number does (its last
four digits). Unit level: the same code paths the channels use, without HTTP.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from bot.complaints.filing import (
    ComplaintDraft,
    ComplaintExtras,
    Deadlines,
    file_complaint,
)
from bot.core.crypto import DataCipher
from bot.core.logs import JsonFormatter, MaskingFilter
from bot.core.workdays import WorkingCalendar
from bot.gateway.dialogue import Dialogue
from bot.gateway.rasa_client import RasaClient
from bot.messaging.conversations import ConversationKey
from bot.messaging.identity_tokens import IdentityTokens
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.store.db import Database
from bot.store.migrate import upgrade
from bot.store.models import (
    ComplaintDetails,
    Conversation,
    Message,
    MessageSecret,
    Ticket,
)
from tests.unit.privacy.typing_strategies import messages, shows

SECRET = "unit-test-data-encryption-key-0123456789"


class World:
    """A store, a fake Rasa that records what it was sent, and a log stream."""

    def __init__(self, path: Path) -> None:
        url = f"sqlite:///{path}"
        upgrade(url)
        self.path = path
        self.db = Database(url)
        self.forwarded: list[str] = []
        self.tokens = IdentityTokens(self.db, DataCipher(SECRET))
        self.log = io.StringIO()

    def rasa(self, request: httpx.Request) -> httpx.Response:
        self.forwarded.append(json.loads(request.content)["message"])
        return httpx.Response(200, json=[{"text": "Baik"}])

    def dialogue(self) -> Dialogue:
        async def deliver(
            key: ConversationKey, message: BotMessage, proactive: bool
        ) -> Delivery:
            return Delivery(status="sent", provider_message_id=uuid.uuid4().hex)

        outbound = Outbound(self.db)
        outbound.register("telegram", deliver)
        client = RasaClient(
            "http://rasa.test", 5, transport=httpx.MockTransport(self.rasa)
        )
        return Dialogue(
            self.db,
            client,
            outbound,
            4000,
            tokens=self.tokens,
            cipher=DataCipher(SECRET),
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("property")
    made = World(folder / "bpu.sqlite3")
    handler = logging.StreamHandler(made.log)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield made
    root.removeHandler(handler)
    root.setLevel(level)
    made.db.dispose()


async def _converse(world: World, key: ConversationKey, texts: list[str]) -> None:
    dialogue = world.dialogue()
    for text in texts:
        inbound = await dialogue.accept(key, text)
        await dialogue.respond(inbound)


def _stored(world: World, key: ConversationKey) -> list[str]:
    with world.db.session() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.sender_id == key.sender_id)
        ).one()
        rows = session.scalars(
            select(Message).where(Message.conversation_id == conversation.id)
        )
        texts = [row.text for row in rows]
        ids = session.scalars(
            select(Message.id).where(Message.conversation_id == conversation.id)
        )
        masked = session.scalars(
            select(MessageSecret.masked).where(MessageSecret.message_id.in_(ids))
        )
        return texts + list(masked)


def _ticket_fields(world: World, key: ConversationKey, text: str) -> list[Any]:
    draft = ComplaintDraft(None, text[:200], None, None, text, text)
    extras = ComplaintExtras(description=text, harm=text, earlier_attempts=text)
    with world.db.session() as session:
        ticket = file_complaint(
            session, key, draft, Deadlines(3, 14, WorkingCalendar()), extras=extras
        )
        ticket_id = ticket.id
    with world.db.session() as session:
        stored = session.get(Ticket, ticket_id)
        details = session.scalars(
            select(ComplaintDetails).where(ComplaintDetails.ticket_id == ticket_id)
        ).one()
        assert stored is not None
        return [
            stored.office_text,
            stored.staff_said,
            stored.resolution_wanted,
            details.description,
            details.harm,
            details.earlier_attempts,
        ]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(example=messages())
def test_no_nik_in_clear_in_the_store_rasa_or_logs(
    world: World, example: tuple[str, list[str]]
) -> None:
    nik, texts = example
    key = ConversationKey("telegram", uuid.uuid4().hex[:12])
    world.forwarded.clear()
    asyncio.run(_converse(world, key, texts))

    assert len(world.forwarded) == len(texts)
    for forwarded in world.forwarded:
        assert not shows(nik, forwarded), ("Rasa", texts, forwarded)
    for stored in _stored(world, key):
        assert not shows(nik, stored), ("transcript", texts, stored)
    for field in _ticket_fields(world, key, " ".join(texts)):
        assert field is None or not shows(nik, field), ("ticket", texts, field)

    logging.getLogger("bot.anywhere").warning("typed %s", " ".join(texts))
    for line in world.log.getvalue().splitlines():
        assert not shows(nik, json.loads(line)["message"]), ("log", texts, line)
    world.log.seek(0)
    world.log.truncate()
