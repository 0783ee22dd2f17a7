"""The Telegram Bot API answering 502 to every sendMessage for 30 seconds.

Participants keep writing meanwhile (the webhook still acknowledges them). Every
reply produced in the outage waits in the outbox and is delivered once the API
recovers, each participant's replies in the order the turns produced them.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import TelegramApiError
from tests.reliability.harness import Cluster, figures
from tests.reliability.participants import COMPLAINT, EXPECTED_REPLIES, QUESTIONS

PARTICIPANTS = 4
OUTAGE_SECONDS = 30.0


def _send(cluster: Cluster, chat_id: int, index: int) -> None:
    text = COMPLAINT[index][0]
    response = cluster.post_update(tg.text(chat_id, text), index % 2)
    assert response.status_code == 200


def test_replies_refused_for_30_seconds_arrive_afterwards_in_order(
    cluster: Cluster,
) -> None:
    chats = random.sample(range(10**8, 10**9), PARTICIPANTS)
    for chat in chats:  # the story, answered before the outage
        _send(cluster, chat, 0)
    for chat in chats:
        cluster.telegram.wait_for_texts(chat, COMPLAINT[0][1], timeout=180)

    refused_before = len(cluster.telegram.refused("sendMessage"))
    bad_gateway = TelegramApiError(502, "Bad Gateway")
    with cluster.telegram.injected(bad_gateway, method="sendMessage"):
        started = time.monotonic()
        with ThreadPoolExecutor(PARTICIPANTS) as pool:
            for index in (1, 2):  # two answers each, written blind in the outage
                list(pool.map(lambda c: _send(cluster, c, index), chats))  # noqa: B023
                time.sleep(5)
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - started)))
    refused = len(cluster.telegram.refused("sendMessage")) - refused_before

    for chat in chats:
        expected = sum(count for _, count in COMPLAINT[:3])
        cluster.telegram.wait_for_texts(chat, expected, timeout=180)
    for chat in chats:  # then the rest of the complaint, as usual
        for index in (3, 4):
            _send(cluster, chat, index)
            expected = sum(count for _, count in COMPLAINT[: index + 1])
            cluster.telegram.wait_for_texts(chat, expected, timeout=180)

    for chat in chats:
        texts = cluster.telegram.texts_to(chat)
        assert len(texts) == EXPECTED_REPLIES, texts
        asked = [q for t in texts for q in QUESTIONS if q in t]
        assert asked == list(QUESTIONS), texts  # every reply, once, in order
        assert sum("sudah tercatat" in t for t in texts) == 1
    figures(
        "telegram_502",
        participants=PARTICIPANTS,
        outage_s=OUTAGE_SECONDS,
        sends_refused_502=refused,
        messages=PARTICIPANTS * len(COMPLAINT),
        replies_delivered=sum(len(cluster.telegram.texts_to(c)) for c in chats),
        replies_lost=0,
        out_of_order=0,
    )
