"""The web chat through the real gateway (fake Rasa): its switch, limits and poll.

Each limit test runs its own gateway (its own store, so its own counters) and stays
inside one clock minute. Callers on different addresses come from different loopback
addresses (127.0.0.2, 127.0.0.3, ...), which Linux routes to the same server.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from bot.core.texts import text as copy_text
from bot.gateway.channels.webchat import caller_key
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.store.db import Database
from bot.store.models import Conversation
from tests.fakes import telegram_updates as tg
from tests.fakes.gateway import Fakes, LocalGateway, local_gateway
from tests.unit.gateway.channel_fixtures import world

__all__ = ["world"]

BUSY = copy_text("webchat_busy")


def _session(n: int) -> str:
    return f"rotating-session-{n:04d}-{random.randrange(10**8):08d}"


def _inside_one_minute() -> None:
    """The limits count per clock minute: start well inside one."""
    while datetime.now(timezone.utc).second >= 50:
        time.sleep(0.5)


@contextmanager
def _gateway(
    world: Fakes, folder: Path, **overrides: str | None
) -> Iterator[LocalGateway]:
    url = f"sqlite:///{folder / 'bpu.sqlite3'}"
    with local_gateway(world, url, str(folder), overrides) as running:
        yield running


def _say(
    gateway: LocalGateway, session: str, text: str, source: str = "127.0.0.1"
) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=30) as client:
        return client.post(
            f"{gateway.url}/webchat/messages", json={"session": session, "text": text}
        )


def _webchat_conversations(database_url: str) -> int:
    db = Database(database_url)
    try:
        with db.session() as session:
            return session.query(Conversation).filter_by(channel="webchat").count()
    finally:
        db.dispose()


@pytest.mark.parametrize(
    "overrides",
    [
        {"GATEWAY_HOST": "0.0.0.0"},  # noqa: S104 - an exposed gateway: off by default
        {"WEBCHAT_ENABLED": "false"},
    ],
)
def test_off_the_page_and_its_endpoints_are_gone_the_rest_is_not(
    world: Fakes, tmp_path: Path, overrides: dict[str, str]
) -> None:
    with _gateway(world, tmp_path, **overrides) as gateway:
        assert httpx.get(f"{gateway.url}/").status_code == 404
        assert _say(gateway, _session(1), "halo").status_code == 404
        polled = httpx.get(f"{gateway.url}/webchat/messages?session=abcdefgh&after=0")
        assert polled.status_code == 404
        assert httpx.get(f"{gateway.url}/staff/login").status_code == 200
        assert httpx.get(f"{gateway.url}/healthz").status_code == 200
        chat = random.randrange(10**9)
        assert gateway.post_telegram(tg.text(chat, "halo")).status_code == 200
        assert gateway.world.telegram.wait_for_texts(chat, 1) == [
            "Bapak/Ibu menulis: halo"
        ]


def test_an_exposed_gateway_serves_it_when_enabled(
    world: Fakes, tmp_path: Path
) -> None:
    overrides = {"GATEWAY_HOST": "0.0.0.0", "WEBCHAT_ENABLED": "true"}  # noqa: S104
    with _gateway(world, tmp_path, **overrides) as gateway:
        assert "Layanan Mandiri BPU" in httpx.get(f"{gateway.url}/").text


def test_rotating_sessions_do_not_escape_the_per_address_limit(
    world: Fakes, tmp_path: Path
) -> None:
    _inside_one_minute()
    with _gateway(world, tmp_path, WEBCHAT_LIMIT_PER_IP_PER_MINUTE="5") as gateway:
        sessions = [_session(i) for i in range(8)]
        responses = [_say(gateway, s, f"pesan {i}") for i, s in enumerate(sessions)]
        # Another address is not held back by this one.
        other = _say(gateway, _session(99), "dari alamat lain", "127.0.0.2")
        stored = _webchat_conversations(gateway.database_url)
    assert [r.status_code for r in responses] == [200] * 5 + [429] * 3
    answers = [r.json()["messages"][0]["text"] for r in responses]
    assert answers[:5] == [f"Bapak/Ibu menulis: pesan {i}" for i in range(5)]
    assert answers[5:] == [BUSY] * 3
    assert [world.rasa.messages_from(f"webchat:{s}") for s in sessions[5:]] == [[]] * 3
    assert other.status_code == 200
    assert stored == 6  # the refused messages were neither recorded nor forwarded


def test_many_addresses_do_not_escape_the_global_limit_and_telegram_is_unaffected(
    world: Fakes, tmp_path: Path
) -> None:
    _inside_one_minute()
    with _gateway(world, tmp_path, WEBCHAT_LIMIT_GLOBAL_PER_MINUTE="3") as gateway:
        responses = [
            _say(gateway, _session(i), "halo", f"127.0.0.{i + 2}") for i in range(5)
        ]
        chat = random.randrange(10**9)
        assert gateway.post_telegram(tg.text(chat, "halo")).status_code == 200
        assert gateway.world.telegram.wait_for_texts(chat, 1) == [
            "Bapak/Ibu menulis: halo"
        ]
        assert httpx.get(f"{gateway.url}/staff/login").status_code == 200
    assert [r.status_code for r in responses] == [200] * 3 + [429] * 2


def _poll(
    gateway: LocalGateway, session: str, after: int = 0
) -> list[dict[str, object]]:
    response = httpx.get(
        f"{gateway.url}/webchat/messages", params={"session": session, "after": after}
    )
    assert response.status_code == 200
    items: list[dict[str, object]] = response.json()["messages"]
    return items


def test_the_page_reads_its_conversation_and_a_staff_reply_after_it(
    world: Fakes, tmp_path: Path
) -> None:
    session = _session(7)
    world.rasa.scripted["/greet"] = [
        {
            "text": "Halo, ada yang bisa dibantu?",
            "buttons": [
                {"title": "Setuju", "payload": "/affirm"},
                {"title": "Hubungi petugas", "payload": "/request_human"},
            ],
        }
    ]
    with _gateway(world, tmp_path) as gateway:
        assert _poll(gateway, session) == []  # a new page: nothing yet
        opened = httpx.post(
            f"{gateway.url}/webchat/messages",
            json={"session": session, "text": "/greet", "button": True},
        )
        assert opened.status_code == 200
        pressed = httpx.post(
            f"{gateway.url}/webchat/messages",
            json={"session": session, "text": "/request_human", "button": True},
        )
        assert pressed.status_code == 200
        history = _poll(gateway, session)
        newest = max(int(str(item["id"])) for item in history)
        # A person answers from the console: recorded as the channel delivers it.
        db = Database(gateway.database_url)
        try:
            with db.session() as store:
                chat = conversations.get_or_create(
                    store, ConversationKey("webchat", session)
                )
                conversations.record_outbound(
                    store, chat, "Saya Ani, petugas BPJS.", None, status="sent"
                )
        finally:
            db.dispose()
        newer = _poll(gateway, session, newest)
    assert [(i["from"], i["text"]) for i in history] == [
        ("participant", ""),  # the page's own opening press: nothing was written
        ("bot", "Halo, ada yang bisa dibantu?"),
        ("participant", "Hubungi petugas"),  # a press shows its title
        ("bot", "Bapak/Ibu menulis: /request_human"),
    ]
    assert history[1]["buttons"] == [
        {"number": 1, "title": "Setuju", "payload": "/affirm"},
        {"number": 2, "title": "Hubungi petugas", "payload": "/request_human"},
    ]
    assert [(i["from"], i["text"]) for i in newer] == [
        ("bot", "Saya Ani, petugas BPJS.")
    ]


def test_a_poll_needs_a_session_and_a_number(world: Fakes, tmp_path: Path) -> None:
    with _gateway(world, tmp_path) as gateway:
        base = f"{gateway.url}/webchat/messages"
        assert httpx.get(base).status_code == 400
        assert httpx.get(base, params={"session": "x"}).status_code == 400
        bad_after = {"session": _session(1), "after": "-1"}
        assert httpx.get(base, params=bad_after).status_code == 400
        assert _poll(gateway, "no-such-session-yet") == []


def _request_from(host: str) -> Request:
    return Request({"type": "http", "client": (host, 5000), "headers": []})


def test_the_caller_is_its_address_or_its_ipv6_64() -> None:
    assert caller_key(_request_from("203.0.113.7")) == "webchat-ip:203.0.113.7"
    one = caller_key(_request_from("2001:db8:1:2:aaaa::1"))
    two = caller_key(_request_from("2001:db8:1:2:bbbb::9"))
    assert one == two == "webchat-ip:2001:db8:1:2::/64"
    assert caller_key(_request_from("2001:db8:1:3::1")) != one
