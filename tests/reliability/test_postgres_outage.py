"""PostgreSQL unreachable for 20 seconds while participants are filing complaints.

Everything of the cluster that uses the database (gateways, Rasa's tracker store,
action servers) reaches PostgreSQL through a TCP proxy of the test's own; blocking it
refuses new connections and resets the open ones, as a blocked port would (the
machine's PostgreSQL, which other work uses, is never stopped). The cut comes right
after four participants' next messages were acknowledged, so their turns are under
way; two more participants write their first message while it lasts. The webhook
answers 503 with ``Retry-After`` to what it could not record, and the simulated
Telegram delivers every update again until it gets a 2xx, as Telegram does. A
participant who gets the outage notice types the message again, as it asks.

Nothing acknowledged may be lost: every acknowledged message is in the store and
was answered; every participant ends with exactly one complaint ticket; the gateways
recover without a restart. The test waits for its own participants only, with
patience enough for a loaded machine, and starts on an idle cluster.
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
import pytest
from sqlalchemy import select

from bot.gateway.channels.base import RETRY_AFTER_SECONDS
from bot.gateway.leases import WAITING
from bot.store.models import Conversation, Message, Ticket
from tests.fakes import telegram_updates as tg
from tests.reliability.chat import SERVICE_DOWN
from tests.reliability.harness import Cluster, figures
from tests.reliability.participants import COMPLAINT

PARTICIPANTS = 4  # mid-conversation when PostgreSQL goes away
LATECOMERS = 2  # whose first message arrives while it is away
OUTAGE_SECONDS = 20.0
# After everyone's last message ("kirim": the filing) was acknowledged.
CUT_AT_TURN = len(COMPLAINT) - 1
CUT_DELAY_SECONDS = 0.5  # their turns are then under way (Rasa takes longer)
# Waits for replies and redeliveries: a turn that outlived the outage, on a loaded
# machine, after the outbox's retries. Generous; the test never times anything.
PATIENCE_SECONDS = 480.0
LONGEST_REDELIVERY_PAUSE = 8.0
RETYPES = 5


@dataclass
class Record:
    """One participant: what Telegram delivered and how the webhook answered."""

    chat_id: int
    acknowledged: int = 0  # updates answered 2xx (Telegram forgets them)
    refused_503: int = 0
    retry_after: set[str] = field(default_factory=set)
    unexpected: list[str] = field(default_factory=list)  # other answers, errors
    resent: int = 0  # the participant typed again after an outage notice
    errors: list[str] = field(default_factory=list)


def deliver(cluster: Cluster, update: dict[str, Any], rec: Record) -> None:
    """POST through nginx until a 2xx, pausing as Telegram does between attempts."""
    pause, deadline = 1.0, time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        try:
            response = cluster.post_update(update, None, timeout=60)
        except httpx.HTTPError as exc:
            rec.unexpected.append(repr(exc)[:200])
        else:
            if 200 <= response.status_code < 300:
                rec.acknowledged += 1
                return
            if response.status_code == 503:
                rec.refused_503 += 1
                rec.retry_after.add(response.headers.get("Retry-After", ""))
            else:
                rec.unexpected.append(f"{response.status_code} {response.text[:200]}")
        time.sleep(pause)
        pause = min(pause * 2, LONGEST_REDELIVERY_PAUSE)
    raise AssertionError(f"an update to {rec.chat_id} was never acknowledged")


def _answered(cluster: Cluster, chat_id: int, before: int, replies: int) -> bool:
    new = cluster.telegram.texts_to(chat_id)[before:]
    return len(new) >= replies or any(SERVICE_DOWN in t for t in new)


def turn(
    cluster: Cluster,
    rec: Record,
    text: str,
    replies: int,
    after_ack: threading.Barrier | None = None,
) -> None:
    """One message, typed again after an outage notice (as the notice asks)."""
    for _ in range(RETYPES):
        before = len(cluster.telegram.texts_to(rec.chat_id))
        deliver(cluster, tg.text(rec.chat_id, text), rec)
        if after_ack is not None:
            after_ack.wait(timeout=PATIENCE_SECONDS)
            after_ack = None
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
    cluster: Cluster, rec: Record, acknowledged: threading.Barrier | None
) -> Record:
    """The whole complaint; the one of CUT_AT_TURN meets the others at the cut."""
    try:
        for index, (text, replies) in enumerate(COMPLAINT):
            meet = acknowledged if index == CUT_AT_TURN else None
            turn(cluster, rec, text, replies, meet)
    except (AssertionError, threading.BrokenBarrierError) as exc:
        rec.errors.append(str(exc)[:400])
        if acknowledged is not None:
            acknowledged.abort()
    return rec


def _stored(cluster: Cluster, chat_id: int) -> dict[str, Any]:
    """The chat's inbound messages (their statuses) and tickets in the store."""
    sender = f"telegram:{chat_id}"
    with cluster.database() as db, db.session() as session:
        statuses = list(
            session.scalars(
                select(Message.status)
                .join(Conversation, Message.conversation_id == Conversation.id)
                .where(Conversation.sender_id == sender, Message.direction == "in")
            )
        )
        tickets = list(
            session.scalars(
                select(Ticket.reference)
                .join(Conversation, Ticket.conversation_id == Conversation.id)
                .where(Conversation.sender_id == sender)
            )
        )
    return {"statuses": statuses, "tickets": tickets}


@pytest.mark.timeout(1800)
def test_twenty_seconds_without_postgresql_lose_nothing(cluster: Cluster) -> None:
    cluster.wait_until_quiet()  # whatever an earlier test left is delivered
    gateways = [n for n in cluster.supervisor.instances if n.startswith("gateway-")]
    restarts_before = sum(cluster.supervisor.instances[n].restarts for n in gateways)
    chats = random.sample(range(10**8, 10**9), PARTICIPANTS + LATECOMERS)
    early = [Record(chat) for chat in chats[:PARTICIPANTS]]
    late = [Record(chat) for chat in chats[PARTICIPANTS:]]
    # The participants and the test meet once their messages were acknowledged.
    acknowledged = threading.Barrier(PARTICIPANTS + 1)
    with ThreadPoolExecutor(PARTICIPANTS + LATECOMERS) as pool:
        futures = [pool.submit(participant, cluster, r, acknowledged) for r in early]
        try:
            acknowledged.wait(timeout=PATIENCE_SECONDS)
            time.sleep(CUT_DELAY_SECONDS)
            cluster.postgres.block()
            futures += [pool.submit(participant, cluster, r, None) for r in late]
            time.sleep(OUTAGE_SECONDS)
        finally:
            cluster.postgres.unblock()
        done = [f.result() for f in futures]
    cluster.wait_until_quiet()

    stored = {rec.chat_id: _stored(cluster, rec.chat_id) for rec in done}
    acknowledged_count = sum(rec.acknowledged for rec in done)
    in_store = sum(len(s["statuses"]) for s in stored.values())
    unanswered = sum(
        status in (WAITING, "failed")
        for s in stored.values()
        for status in s["statuses"]
    )
    complaints = {
        chat: [t for t in s["tickets"] if t.startswith("ADU-")]
        for chat, s in stored.items()
    }
    restarts = sum(cluster.supervisor.instances[n].restarts for n in gateways)
    figures(
        "postgres_outage",
        participants=PARTICIPANTS + LATECOMERS,
        outage_s=OUTAGE_SECONDS,
        failures_injected=1,
        connections_cut=cluster.postgres.connections_cut,
        webhook_503=sum(rec.refused_503 for rec in done),
        other_failed_deliveries=sum(len(rec.unexpected) for rec in done),
        messages_acknowledged=acknowledged_count,
        messages_stored=in_store,
        messages_lost=acknowledged_count - in_store,
        messages_unanswered=unanswered,
        outage_notices_retyped=sum(rec.resent for rec in done),
        tickets=sum(len(t) for t in complaints.values()),
        tickets_lost=sum(1 for t in complaints.values() if not t),
        gateway_restarts=restarts - restarts_before,
    )
    assert [rec.errors for rec in done] == [[]] * len(done)
    assert acknowledged_count == in_store
    assert unanswered == 0, stored
    # Telegram was told to come back later, and when.
    assert sum(rec.refused_503 for rec in late) > 0
    assert {h for rec in done for h in rec.retry_after} == {str(RETRY_AFTER_SECONDS)}
    assert [u for rec in done for u in rec.unexpected] == []
    for rec in done:
        texts = cluster.telegram.texts_to(rec.chat_id)
        assert sum("sudah tercatat" in t for t in texts) == 1, texts
        assert len(complaints[rec.chat_id]) == 1, stored[rec.chat_id]
        assert len(stored[rec.chat_id]["tickets"]) == 1, stored[rec.chat_id]
    assert restarts == restarts_before
    for index in range(len(gateways)):
        health = httpx.get(f"{cluster.gateway_url(index)}/healthz", timeout=10)
        assert health.status_code == 200, health.text
