"""The gateway forwards long numbers to Rasa as tokens; the transcript stays masked."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.console.errors import Refused
from bot.console.reveal import decrypt, reveal_in_transcript
from bot.core.crypto import DataCipher
from bot.core.digit_runs import TOKEN_PATTERN
from bot.gateway.dialogue import Dialogue
from bot.gateway.rasa_client import RasaClient
from bot.messaging.conversations import ConversationKey
from bot.messaging.identity_tokens import IdentityTokens
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.messaging.secrets import secrets_for
from bot.resignation import codes
from bot.store.db import Database
from bot.store.models import Message, MessageSecret
from tests.builders import make_staff

KEY = ConversationKey("telegram", "4243")
SECRET = "unit-test-data-encryption-key-0123456789"


def _dialogue(
    db: Database,
    tokens: IdentityTokens,
    requests: list[dict[str, Any]] | None = None,
) -> tuple[Dialogue, list[dict[str, Any]]]:
    """A gateway's dialogue whose Rasa keeps what it is sent (``requests``, shared
    by several dialogues when given) and answers one line, and whose deliveries all
    succeed: what reaches Rasa is the point."""
    requests = [] if requests is None else requests

    def rasa(request: httpx.Request) -> httpx.Response:
        requests.append(json.loads(request.content))
        return httpx.Response(200, json=[{"text": "Terima kasih"}])

    async def deliver(
        key: ConversationKey, message: BotMessage, proactive: bool
    ) -> Delivery:
        return Delivery(status="sent", provider_message_id=str(len(requests)))

    outbound = Outbound(db)
    outbound.register("telegram", deliver)
    client = RasaClient("http://rasa.test", 5, transport=httpx.MockTransport(rasa))
    return Dialogue(db, client, outbound, 200, tokens=tokens), requests


def _inbound_texts(db: Database) -> list[str]:
    """The transcript's participant messages, oldest first."""
    with db.session() as session:
        query = select(Message.text).where(Message.direction == "in")
        return list(session.scalars(query.order_by(Message.id)))


async def test_rasa_gets_a_token_and_the_action_server_can_read_it(
    db: Database, tmp_path: Path
) -> None:
    tokens = IdentityTokens(db, DataCipher(SECRET))
    dialogue, requests = _dialogue(db, tokens)
    inbound = await dialogue.accept(KEY, "nik saya 3309 0412 0371 0003 ya")
    await dialogue.respond(inbound)

    forwarded = requests[0]["message"]
    assert re.fullmatch(r"nik saya niktok[0-9a-f]{10} ya", forwarded)
    assert tokens.reveal(forwarded, KEY.sender_id) == "nik saya 3309041203710003 ya"
    assert tokens.reveal(forwarded, "telegram:other") == forwarded
    with db.session() as session:
        texts = list(session.scalars(select(Message.text).order_by(Message.id)))
    assert texts[0] == "nik saya ************0003 ya"
    assert b"3309041203710003" not in (tmp_path / "bpu.sqlite3").read_bytes()


async def test_a_nik_split_over_two_messages_reaches_neither_rasa_nor_the_transcript(
    db: Database, tmp_path: Path
) -> None:
    """Issue 10: "3309041203" then "710003" used to leave the second part in clear.
    The count of digits the first ended with is kept on the conversation (in the
    store, so a second gateway sees it): here a fresh Dialogue takes the second."""
    tokens = IdentityTokens(db, DataCipher(SECRET))
    requests: list[dict[str, Any]] = []
    for text in ("nik 3309041203", "710003"):
        dialogue, _ = _dialogue(db, tokens, requests)
        await dialogue.respond(await dialogue.accept(KEY, text))

    first, second = (r["message"] for r in requests)
    assert re.fullmatch(r"nik niktok[0-9a-f]{10}", first)
    assert re.fullmatch(r"niktok[0-9a-f]{10}", second)
    assert tokens.reveal(second, KEY.sender_id) == "710003"
    texts = _inbound_texts(db)
    assert texts == ["nik ******1203", "******"]


async def test_each_typed_number_is_encrypted_once_for_rasa_and_for_reveal(
    db: Database,
) -> None:
    """Issue 10: a typed NIK was encrypted twice (a token row for the actions, a
    secret row for the console). Now one row serves the token, bound to the
    conversation, and the audited reveal; a phone number gets a row and no token."""
    cipher = DataCipher(SECRET)
    tokens = IdentityTokens(db, cipher)
    dialogue, requests = _dialogue(db, tokens)
    text = "nik 3309041203710003 kpj 24019876543 hp 081325550101"
    inbound = await dialogue.accept(KEY, text)
    await dialogue.respond(inbound)

    forwarded = requests[0]["message"]
    nik_token, kpj_token = TOKEN_PATTERN.findall(forwarded)
    with db.session() as session:
        rows = session.scalars(select(MessageSecret).order_by(MessageSecret.id)).all()
        plain = [cipher.decrypt(row.ciphertext) for row in rows]
        assert plain == ["3309041203710003", "24019876543", "081325550101"]
        assert {row.message_id for row in rows} == {inbound.message_id}
        assert [row.token for row in rows] == [nik_token, kpj_token, None]
        assert [row.owner for row in rows] == [KEY.sender_id] * 2 + [None]
        by_message = secrets_for(session, [inbound.message_id])[inbound.message_id]
        revealed = [decrypt(row, cipher) for row in by_message]
    assert revealed == plain  # the console reveals from the same rows
    assert tokens.resolve(nik_token, KEY.sender_id) == "3309041203710003"
    assert tokens.resolve(nik_token, "telegram:other") is None
    assert tokens.resolve(kpj_token, KEY.sender_id) == "24019876543"


def test_a_number_the_actions_tokenised_is_in_no_transcript_to_reveal(
    db: Database,
) -> None:
    """The one table now also holds numbers with no message (``issue``): the
    console's reveal, by secret id, finds none of them."""
    cipher = DataCipher(SECRET)
    token = IdentityTokens(db, cipher).issue("3309041203710003", KEY.sender_id)
    supervisor = make_staff(db, "ani", "supervisor")
    with db.session() as session:
        row = session.scalars(select(MessageSecret)).one()
        assert (row.message_id, row.token) == (None, token)
        with pytest.raises(Refused):
            reveal_in_transcript(session, row.id, supervisor, cipher)


async def test_a_first_part_of_six_digits_is_hidden_but_an_awaited_code_is_not(
    db: Database,
) -> None:
    """Issue 10: "330904" then "1203710003" left the first part in clear, in the
    transcript and at Rasa. It is now a partial number (token, masked); six digits
    typed while a one-time code is open still reach the action as typed, and so
    does a second code in a row."""
    cipher = DataCipher(SECRET)
    tokens = IdentityTokens(db, cipher)
    dialogue, requests = _dialogue(db, tokens)
    for text in ("330904", "1203710003"):
        await dialogue.respond(await dialogue.accept(KEY, text))
    with db.session() as session:
        codes.issue(session, cipher, KEY.sender_id, "p" * 64, delivered=True)
    for text in ("123456", "654321"):
        await dialogue.respond(await dialogue.accept(KEY, text))

    sent = [r["message"] for r in requests]
    assert TOKEN_PATTERN.fullmatch(sent[0]) and TOKEN_PATTERN.fullmatch(sent[1])
    assert tokens.reveal(sent[0], KEY.sender_id) == "330904"
    assert sent[2:] == ["123456", "654321"]
    texts = _inbound_texts(db)
    assert texts == ["******", "******0003", "123456", "654321"]
