"""A pressed button reads as its title in the transcript ("[Setuju]"), not "/affirm"."""

from __future__ import annotations

from starlette.testclient import TestClient

from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.store.db import Database
from bot.store.models import Message
from tests.builders import make_staff
from tests.unit.console.support import console_app, login

KEY = ConversationKey("webchat", "sesi-uji-tombol-01")
YES_NO = [
    {"title": "Setuju", "payload": "/affirm"},
    {"title": "Tidak setuju", "payload": "/deny"},
]
OFFICES = [
    {"title": "Boyolali", "payload": "Boyolali"},
    {"title": "Solo (Surakarta)", "payload": "Solo"},
]


def _chat(db: Database) -> int:
    """Two questions; a press on each, one by number; and "/deny" typed by hand."""
    with db.session() as session:
        chat = conversations.get_or_create(session, KEY)
        record_in = conversations.record_inbound
        conversations.record_outbound(session, chat, "Setuju?", YES_NO, status="sent")
        record_in(session, chat, "/affirm", kind="button")
        conversations.record_outbound(session, chat, "Kantor?", OFFICES, status="sent")
        record_in(session, chat, "2", kind="button")
        record_in(session, chat, "/deny", kind="button")  # the older question's button
        record_in(session, chat, "/deny")  # typed, not pressed
        record_in(session, chat, "/greet", kind="button")  # offered by nobody
        return chat.id


def test_titles_by_payload_by_number_and_from_an_older_question(db: Database) -> None:
    _chat(db)
    with db.session() as session:
        messages = list(session.query(Message).order_by(Message.id))
        titles = conversations.pressed_titles(messages)
        shown = [titles.get(m.id, m.text) for m in messages if m.direction == "in"]
    assert shown == ["Setuju", "Solo (Surakarta)", "Tidak setuju", "/deny", "/greet"]


def test_the_console_transcript_shows_the_title_in_brackets(db: Database) -> None:
    cid = _chat(db)
    make_staff(db, "ani", "agent")
    with TestClient(console_app(db), base_url="http://testserver") as client:
        login(client, "ani")
        page = client.get(f"/staff/conversations/{cid}").text
    assert '<div class="text">[Setuju]</div>' in page
    assert '<div class="text">[Solo (Surakarta)]</div>' in page
    assert '<div class="text">[Tidak setuju]</div>' in page
    assert '<div class="text">/affirm</div>' not in page
    assert '<div class="text">/deny</div>' in page  # typed: shown as typed
