"""A store that cannot be reached: the webhook says 503, so the provider delivers again.

Nothing was recorded, so nothing may be acknowledged; once the store is back the
redelivered message is recorded and answered once, on Telegram and WhatsApp alike.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.gateway.dialogue import Dialogue
from tests.fakes import telegram_updates as tg
from tests.fakes import whatsapp_updates as wa
from tests.fakes.gateway import WA_PHONE_ID, LocalGateway
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

    with monkeypatch.context() as patch:
        patch.setattr(Dialogue, "_record", _unreachable)
        assert post() == 503
    assert gateway.messages(f"{channel}:{address}") == []

    assert post() == 200  # the provider's redelivery, store back
    assert post() == 200  # and a second one: a duplicate, not answered again
    provider = getattr(gateway.world, channel)
    assert provider.wait_for_texts(address, 1) == ["Halo juga."]
    inbound = [
        m for m in gateway.messages(f"{channel}:{address}") if m.direction == "in"
    ]
    assert [m.text for m in inbound] == ["halo"]
