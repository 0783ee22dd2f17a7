"""The outbox end to end (SQLite and PostgreSQL): a provider failing for a while
delays replies but never loses or reorders them; a refusal for good is recorded and
shown to staff.

The fake Bot API answers 502 to every ``sendMessage`` while the participant keeps
writing; once it recovers, the gateway's outbox worker delivers every reply, in the
order the transcript recorded them. A 429 is retried no sooner than its
``retry_after``; a 403 (the participant blocked the bot) is recorded on the message
and visible on the console's conversation page.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.store.db import Database
from bot.store.models import Conversation, Message, OutboxItem
from tests.fakes import telegram_updates as tg
from tests.integration.conftest import Stack
from tests.integration.console_client import ConsoleClient, add_staff
from tests.integration.store_peek import conversation_id

PASSWORD = "kata-sandi-supervisor-1"


@pytest.fixture(scope="module")
def console(stack: Stack) -> Iterator[ConsoleClient]:
    add_staff(stack.database_url, "sri", "supervisor", PASSWORD)
    client = ConsoleClient(stack.gateway_url)
    client.login("sri", PASSWORD)
    yield client
    client.close()


def _outbound(stack: Stack, chat_id: int) -> list[tuple[str, str | None]]:
    """The transcript's outbound messages of this chat: (text, status), in order."""
    with Database(stack.database_url) as db, db.session() as session:
        rows = session.execute(
            select(Message.text, Message.status)
            .join(Conversation)
            .where(Conversation.sender_id == f"telegram:{chat_id}")
            .where(Message.direction == "out")
            .order_by(Message.id)
        )
        return [(text, status) for text, status in rows]


def _items(stack: Stack, chat_id: int) -> list[OutboxItem]:
    with Database(stack.database_url) as db, db.session() as session:
        return list(
            session.scalars(
                select(OutboxItem)
                .join(Conversation)
                .where(Conversation.sender_id == f"telegram:{chat_id}")
                .order_by(OutboxItem.id)
            )
        )


def _wait(what: str, check: object, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_replies_held_by_a_502_outage_arrive_in_order_after_recovery(
    stack: Stack, chat_id: int
) -> None:
    api = stack.telegram
    outage = api.outage(502)
    try:
        for words in ("halo", "tagihan di gopay masih muncul", "syaratnya apa?"):
            before = len(_items(stack, chat_id))
            assert stack.post_update(tg.text(chat_id, words)).status_code == 200
            # Each turn's replies are queued before the next turn is sent.
            _wait(
                f"the answer to {words!r} queued",
                lambda n=before: len(_items(stack, chat_id)) > n,
            )
        refused = [c for c in api.refused("sendMessage") if c.error_code == 502]
        assert refused, "the outage refused nothing"
        assert api.texts_to(chat_id) == []
        assert {status for _text, status in _outbound(stack, chat_id)} == {"pending"}
    finally:
        api.lift(outage)
    queued = _outbound(stack, chat_id)
    _wait(
        "every queued reply delivered and recorded as sent",
        lambda: {status for _t, status in _outbound(stack, chat_id)} == {"sent"},
    )
    delivered = api.texts_to(chat_id)
    # All, once each, in order (Telegram's rendering appends the numbered options).
    assert len(delivered) == len(queued)
    for sent, (recorded, _status) in zip(delivered, queued, strict=True):
        assert sent.startswith(recorded)
    assert {status for _t, status in _outbound(stack, chat_id)} == {"sent"}
    assert all(item.attempts >= 1 for item in _items(stack, chat_id))
    assert max(item.attempts for item in _items(stack, chat_id)) >= 2


def test_a_429_is_retried_no_sooner_than_retry_after(
    stack: Stack, chat_id: int
) -> None:
    api = stack.telegram
    # python-telegram-bot waits out the first 429 itself; the second goes back to
    # the outbox, which must wait again before its next attempt.
    api.throttle(2, retry_after=3)
    assert stack.post_update(tg.text(chat_id, "halo")).status_code == 200
    _wait("the greeting delivered", lambda: api.texts_to(chat_id) != [])
    calls = [
        c
        for c in api.calls_to("sendMessage")
        if str(c.params.get("chat_id")) == str(chat_id)
    ]
    refusals = [c for c in calls if c.error_code == 429]
    accepted = [c for c in calls if c.accepted]
    assert len(refusals) == 2
    assert accepted[0].at - refusals[-1].at >= 3.0


def test_a_blocked_participant_is_recorded_and_shown_to_staff(
    stack: Stack, console: ConsoleClient, chat_id: int
) -> None:
    api = stack.telegram
    api.blocked_chats.add(chat_id)
    try:
        assert stack.post_update(tg.text(chat_id, "halo")).status_code == 200
        _wait(
            "the refusal recorded",
            lambda: any(i.status == "failed" for i in _items(stack, chat_id)),
        )
    finally:
        api.blocked_chats.discard(chat_id)
    item = _items(stack, chat_id)[0]
    assert item.attempts == 1  # a 403 is not retried
    assert "blocked" in (item.last_error or "")
    assert _outbound(stack, chat_id)[0][1] == "unreachable"
    page = console.get(
        f"/staff/conversations/{conversation_id(stack.database_url, chat_id)}"
    )
    assert page.status_code == 200
    assert "unreachable" in page.text
    assert "blocked" in page.text
