"""A store that cannot be reached: the webhook says 503, so the provider delivers again.

Nothing was recorded, so nothing may be acknowledged; once the store is back the
redelivered message is recorded and answered once, on Telegram and WhatsApp alike.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.gateway import leases
from bot.gateway.dialogue import Dialogue
from bot.messaging.delivery import OutboxDelivery
from bot.messaging.outbound import Outbound
from bot.store import db as db_module
from tests.fakes import telegram_updates as tg
from tests.fakes import whatsapp_updates as wa
from tests.fakes.gateway import WA_PHONE_ID, LocalGateway, wa_sender
from tests.unit.gateway.channel_fixtures import channel_database, gateway, world

__all__ = ["channel_database", "gateway", "world"]


def _unreachable(*_args: Any, **_kwargs: Any) -> Any:
    raise OperationalError("INSERT ...", {}, ConnectionRefusedError("refused"))


@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
def test_unreachable_store_answers_503_and_the_redelivery_is_answered_once(
    gateway: LocalGateway, monkeypatch: pytest.MonkeyPatch, channel: str
) -> None:
    gateway.world.rasa.scripted["halo"] = [{"text": "Halo juga."}]
    if channel == "telegram":
        address: Any = random.randint(10_000_000, 99_999_999)
        update = tg.text(address, "halo")

        def post() -> int:
            return gateway.post_telegram(update).status_code
    else:
        address = f"628{random.randint(10**9, 10**10 - 1)}"
        payload = wa.text(WA_PHONE_ID, address, "halo")

        def post() -> int:
            return gateway.post_whatsapp(payload).status_code

    sender = wa_sender(address) if channel == "whatsapp" else f"telegram:{address}"
    with monkeypatch.context() as patch:
        patch.setattr(Dialogue, "_record", _unreachable)
        assert post() == 503
    assert gateway.messages(sender) == []

    assert post() == 200  # the provider's redelivery, store back
    assert post() == 200  # and a second one: a duplicate, not answered again
    provider = getattr(gateway.world, channel)
    assert provider.wait_for_texts(address, 1) == ["Halo juga."]
    inbound = [m for m in gateway.messages(sender) if m.direction == "in"]
    assert [m.text for m in inbound] == ["halo"]


def test_a_turn_acknowledged_before_the_store_went_away_is_answered_when_it_is_back(
    gateway: LocalGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provider has its 200 and will not deliver again: the turn waits instead."""
    monkeypatch.setattr(db_module, "STORE_FIRST_PAUSE_SECONDS", 0.05)
    gateway.world.rasa.scripted["halo"] = [{"text": "Halo juga."}]
    chat = random.randint(10_000_000, 99_999_999)
    failures = {"lease": 2, "conversation": 2, "queue": 2, "record": 2, "finish": 2}

    def flaky(step: str, real: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            if failures[step] > 0:
                failures[step] -= 1
                _unreachable()
            return real(*args, **kwargs)

        return run

    monkeypatch.setattr(Dialogue, "_try_acquire", flaky("lease", Dialogue._try_acquire))
    monkeypatch.setattr(
        Dialogue, "_conversation", flaky("conversation", Dialogue._conversation)
    )
    # The turn ends in the transaction that queues its replies: a failure there
    # rolls the queued replies back too, and the retry queues them once.
    monkeypatch.setattr(Dialogue, "_end_turn", flaky("finish", Dialogue._end_turn))
    monkeypatch.setattr(Outbound, "queue_all", flaky("queue", Outbound.queue_all))
    # The reply reached Telegram, then the store went away before it was recorded.
    monkeypatch.setattr(
        OutboxDelivery, "_record", flaky("record", OutboxDelivery._record)
    )
    busy = tg.text(chat, "halo")
    # Another gateway holds the lease, so this turn must take it itself.
    monkeypatch.setattr(leases, "try_acquire", _first_refused(leases.try_acquire))

    assert gateway.post_telegram(busy).status_code == 200
    assert gateway.world.telegram.wait_for_texts(chat, 1) == ["Halo juga."]

    def statuses() -> list[tuple[str, str | None]]:
        return [(m.direction, m.status) for m in gateway.messages(f"telegram:{chat}")]

    done = [("in", "answered"), ("out", "sent")]
    gateway.world.telegram.wait_for(lambda: statuses() == done, what="turn ended")
    assert set(failures.values()) == {0}
    assert gateway.world.telegram.texts_to(chat) == ["Halo juga."]


def _first_refused(real: Any) -> Any:
    """``leases.try_acquire`` that refuses its first call (a lease held elsewhere)."""
    calls = {"count": 0}

    def run(*args: Any, **kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == 1:
            return False
        return real(*args, **kwargs)

    return run
