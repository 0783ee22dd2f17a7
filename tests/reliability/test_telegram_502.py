"""The Telegram Bot API answering 502 to every sendMessage for 30 seconds.

Participants keep writing meanwhile (the webhook still acknowledges them: the
provider's outage is not the store's). Every reply produced in the outage waits in
the outbox and is delivered once the API recovers, each participant's replies in
the order the turns produced them, none twice, none lost.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fakes import telegram_updates as tg
from tests.reliability.harness import Cluster, figures
from tests.reliability.participants import COMPLAINT, EXPECTED_REPLIES, QUESTIONS

PARTICIPANTS = 4
OUTAGE_SECONDS = 30.0
# Every answer after the story, written in the outage without seeing a reply.
BLIND_TURNS = tuple(range(1, len(COMPLAINT)))
PAUSE_BETWEEN_BLIND_TURNS = 5.0
PATIENCE_SECONDS = 480.0


def _send(cluster: Cluster, chat_id: int, index: int) -> None:
    """One message of the complaint, to the gateways by turns (as nginx would)."""
    response = cluster.post_update(tg.text(chat_id, COMPLAINT[index][0]), index % 2)
    assert response.status_code == 200, response.text


def _replies_until(index: int) -> int:
    """Replies a participant has once message ``index`` is answered."""
    return sum(count for _, count in COMPLAINT[: index + 1])


@pytest.mark.timeout(1500)
def test_replies_refused_for_30_seconds_arrive_afterwards_in_order(
    cluster: Cluster,
) -> None:
    cluster.wait_until_quiet()
    chats = random.sample(range(10**8, 10**9), PARTICIPANTS)
    for chat in chats:  # the story, answered before the outage
        _send(cluster, chat, 0)
    for chat in chats:
        cluster.telegram.wait_for_texts(chat, _replies_until(0), PATIENCE_SECONDS)

    refused_before = len(cluster.telegram.refused("sendMessage"))
    outage = cluster.telegram.outage(502)
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(PARTICIPANTS) as pool:
            for index in BLIND_TURNS:
                list(pool.map(lambda c: _send(cluster, c, index), chats))  # noqa: B023
                time.sleep(PAUSE_BETWEEN_BLIND_TURNS)
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - started)))
        during = {chat: len(cluster.telegram.texts_to(chat)) for chat in chats}
    finally:
        cluster.telegram.lift(outage)
    refused = len(cluster.telegram.refused("sendMessage")) - refused_before

    for chat in chats:
        expected = _replies_until(BLIND_TURNS[-1])
        cluster.telegram.wait_for_texts(chat, expected, PATIENCE_SECONDS)
    for chat in chats:  # then the rest of the complaint, as usual
        for index in range(BLIND_TURNS[-1] + 1, len(COMPLAINT)):
            _send(cluster, chat, index)
            expected = _replies_until(index)
            cluster.telegram.wait_for_texts(chat, expected, PATIENCE_SECONDS)
    cluster.wait_until_quiet()

    texts = {chat: cluster.telegram.texts_to(chat) for chat in chats}
    asked = {
        chat: [q for t in said for q in QUESTIONS if q in t]
        for chat, said in texts.items()
    }
    figures(
        "telegram_502",
        participants=PARTICIPANTS,
        outage_s=OUTAGE_SECONDS,
        failures_injected=1,
        sends_refused_502=refused,
        messages=PARTICIPANTS * len(COMPLAINT),
        replies_held_in_outage=sum(
            _replies_until(BLIND_TURNS[-1]) - during[chat] for chat in chats
        ),
        replies_delivered=sum(len(said) for said in texts.values()),
        replies_lost=sum(max(0, EXPECTED_REPLIES - len(s)) for s in texts.values()),
        duplicates=sum(max(0, len(s) - EXPECTED_REPLIES) for s in texts.values()),
        out_of_order=sum(q != list(QUESTIONS) for q in asked.values()),
    )
    assert refused > 0  # the outage was felt
    assert all(during[chat] == _replies_until(0) for chat in chats), during
    for chat, said in texts.items():
        assert len(said) == EXPECTED_REPLIES, said  # none lost, none twice
        assert asked[chat] == list(QUESTIONS), said  # in the order asked
        assert sum("sudah tercatat" in t for t in said) == 1, said
