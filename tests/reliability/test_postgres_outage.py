"""PostgreSQL unreachable for 20 seconds while participants are filing complaints.

The cluster reaches PostgreSQL through a TCP proxy of the test's own; blocking it
refuses new connections and resets the open ones, as a blocked port would (the
machine's PostgreSQL service, which other work uses, is never stopped). The fake
Telegram side redelivers every update that was not acknowledged with 200, with
backoff, as Telegram does. Nothing acknowledged may be lost: every acknowledged
message is in the store and answered; every participant ends with one ticket; the
gateways recover without a restart.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.store.models import Conversation, Message, Ticket
from tests.fakes import telegram_updates as tg
from tests.reliability.chat import SERVICE_DOWN
from tests.reliability.harness import Cluster, figures
from tests.reliability.participants import COMPLAINT

PARTICIPANTS = 6
OUTAGE_SECONDS = 20.0
OUTAGE_AT_TURN = 2  # the outage starts once everyone has had two turns answered
PATIENCE_SECONDS = 240.0


@dataclass
class Record:
    chat_id: int
    acknowledged: int = 0
    refused: int = 0  # deliveries answered 5xx or not at all (redelivered later)
    resent: int = 0  # the participant typed again after an outage notice
    errors: list[str] = field(default_factory=list)


def deliver(
    cluster: Cluster, update: dict[str, Any], gateway: int, rec: Record
) -> None:
    """POST until acknowledged (200), backing off like the Bot API does."""
    delay, deadline = 0.5, time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        try:
            response = cluster.post_update(update, gateway, timeout=20)
            if response.status_code == 200:
                rec.acknowledged += 1
                return
            assert response.status_code == 503, response.status_code
        except httpx.HTTPError:
            pass
        rec.refused += 1
        time.sleep(delay)
        delay = min(delay * 2, 4.0)
    raise AssertionError(f"update to {rec.chat_id} never acknowledged")


def _answered(cluster: Cluster, chat_id: int, before: int, replies: int) -> bool:
    new = cluster.telegram.texts_to(chat_id)[before:]
    return len(new) >= replies or any(SERVICE_DOWN in t for t in new)


def turn(cluster: Cluster, rec: Record, gateway: int, text: str, replies: int) -> None:
    """One message, typed again after an outage notice (as the notice asks)."""
    for _ in range(5):
        before = len(cluster.telegram.texts_to(rec.chat_id))
        deliver(cluster, tg.text(rec.chat_id, text), gateway, rec)
        cluster.telegram.wait_for(
            partial(_answered, cluster, rec.chat_id, before, replies),
            timeout=PATIENCE_SECONDS,
            what=f"replies to {text!r} for {rec.chat_id}",
        )
        new = cluster.telegram.texts_to(rec.chat_id)[before:]
        if not any(SERVICE_DOWN in t for t in new):
            return
        rec.resent += 1
    raise AssertionError(f"{rec.chat_id} got only outage notices")


def participant(
    cluster: Cluster, rec: Record, gateway: int, gate: threading.Barrier
) -> Record:
    try:
        for index, (text, replies) in enumerate(COMPLAINT):
            if index == OUTAGE_AT_TURN:
                gate.wait(timeout=PATIENCE_SECONDS)
            turn(cluster, rec, gateway, text, replies)
    except (AssertionError, threading.BrokenBarrierError) as exc:
        rec.errors.append(str(exc)[:400])
        gate.abort()
    return rec


def _stored(cluster: Cluster, chat_id: int) -> tuple[int, int]:
    """Inbound messages and tickets of one chat in the store."""
    sender = f"telegram:{chat_id}"
    with cluster.database() as db, db.session() as session:
        inbound = session.scalar(
            select(func.count(Message.id))
            .join(Conversation, Message.conversation_id == Conversation.id)
            .where(Conversation.sender_id == sender, Message.direction == "in")
        )
        tickets = session.scalar(
            select(func.count(Ticket.id))
            .join(Conversation, Ticket.conversation_id == Conversation.id)
            .where(Conversation.sender_id == sender)
        )
    return int(inbound or 0), int(tickets or 0)


def test_twenty_seconds_without_postgresql_lose_nothing(cluster: Cluster) -> None:
    gateways = [n for n in cluster.supervisor.instances if n.startswith("gateway-")]
    restarts_before = sum(cluster.supervisor.instances[n].restarts for n in gateways)
    blocked = threading.Event()

    def block() -> None:
        cluster.postgres.block()
        blocked.set()

    gate = threading.Barrier(PARTICIPANTS, action=block)
    records = [Record(random.randint(10**8, 10**9)) for _ in range(PARTICIPANTS)]
    with ThreadPoolExecutor(PARTICIPANTS) as pool:
        futures = [
            pool.submit(participant, cluster, rec, i % 2, gate)
            for i, rec in enumerate(records)
        ]
        try:
            if blocked.wait(timeout=PATIENCE_SECONDS):
                time.sleep(OUTAGE_SECONDS)
        finally:
            cluster.postgres.unblock()
        done = [f.result() for f in futures]

    stored = {rec.chat_id: _stored(cluster, rec.chat_id) for rec in done}
    acknowledged = sum(rec.acknowledged for rec in done)
    in_store = sum(inbound for inbound, _ in stored.values())
    restarts = sum(cluster.supervisor.instances[n].restarts for n in gateways)
    figures(
        "postgres_outage",
        participants=PARTICIPANTS,
        outage_s=OUTAGE_SECONDS,
        connections_cut=cluster.postgres.connections_cut,
        deliveries_refused=sum(rec.refused for rec in done),
        messages_acknowledged=acknowledged,
        messages_stored=in_store,
        messages_lost=acknowledged - in_store,
        outage_notices_retyped=sum(rec.resent for rec in done),
        tickets=sum(t for _, t in stored.values()),
        tickets_lost=sum(1 for _, t in stored.values() if t == 0),
        gateway_restarts=restarts - restarts_before,
    )
    assert [rec.errors for rec in done] == [[]] * PARTICIPANTS
    assert acknowledged == in_store
    for rec in done:
        texts = cluster.telegram.texts_to(rec.chat_id)
        assert sum("sudah tercatat" in t for t in texts) == 1, texts
        assert stored[rec.chat_id][1] == 1
    assert restarts == restarts_before
    assert all(
        httpx.get(f"{cluster.gateway_url(i)}/healthz", timeout=10).status_code == 200
        for i in range(len(gateways))
    )
