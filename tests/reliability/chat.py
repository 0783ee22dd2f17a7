"""One Telegram participant talking to the cluster, turn by turn."""

from __future__ import annotations

from typing import Any

from tests.fakes import telegram_updates as tg
from tests.reliability.harness import Cluster

SERVICE_DOWN = "layanan sedang gangguan"


class Chat:
    """Each turn waits until a bot message containing ``until`` arrives."""

    def __init__(self, cluster: Cluster, chat_id: int, gateway: int | None = None):
        self.cluster = cluster
        self.chat_id = chat_id
        self.gateway = gateway

    @property
    def texts(self) -> list[str]:
        return self.cluster.telegram.texts_to(self.chat_id)

    def send(
        self, update: dict[str, Any], until: str, timeout: float = 120
    ) -> list[str]:
        before = len(self.texts)
        response = self.cluster.post_update(update, self.gateway)
        assert response.status_code == 200, response.text
        self.cluster.telegram.wait_for(
            lambda: any(until in t for t in self.texts[before:]),
            timeout=timeout,
            what=f"{until!r} after {self.texts}",
        )
        return self.texts[before:]

    def say(self, words: str, until: str, timeout: float = 120) -> list[str]:
        return self.send(tg.text(self.chat_id, words), until, timeout)

    def press(self, payload: str, until: str, timeout: float = 120) -> list[str]:
        update = self.cluster.telegram.press(self.chat_id, payload)
        return self.send(update, until, timeout)
