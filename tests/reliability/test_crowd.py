"""50 participants at once through nginx, every update delivered twice.

Each participant files a complaint through the cluster's public Telegram webhook
(nginx); every update is delivered a second time at the same moment straight to
one of the two gateway processes, alternating from turn to turn, as Telegram
redelivers to whichever machine the load balancer picks. The store's unique
provider message id makes one copy a duplicate whichever gateway sees it first, and
the per-conversation lease keeps each participant's turns in order across gateways.
Each participant must end with exactly one ADU- ticket, every message answered
exactly once (no reply twice), and no webhook answered 5xx.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from bot.store.models import Conversation, Message, Ticket
from tests.reliability.harness import Cluster, figures
from tests.reliability.participants import (
    COMPLAINT,
    EXPECTED_REPLIES,
    crowd,
    percentile,
)

PARTICIPANTS = 50
# A turn of 50 participants at once on two shared cores can take minutes.
REPLY_TIMEOUT_SECONDS = 420.0


def _per_sender(cluster: Cluster, senders: list[str]) -> dict[str, Counter[str]]:
    """Inbound and outbound messages and ADU- tickets per conversation (store)."""
    counts: dict[str, Counter[str]] = {s: Counter() for s in senders}
    with cluster.database() as db, db.session() as session:
        rows = session.execute(
            select(Conversation.sender_id, Message.direction, func.count())
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Conversation.sender_id.in_(senders))
            .group_by(Conversation.sender_id, Message.direction)
        )
        for sender, direction, count in rows:
            counts[sender][direction] = count
        tickets = session.execute(
            select(Conversation.sender_id, Ticket.reference)
            .join(Ticket, Ticket.conversation_id == Conversation.id)
            .where(Conversation.sender_id.in_(senders))
        )
        for sender, reference in tickets:
            counts[sender]["tickets"] += 1
            counts[sender]["complaints"] += reference.startswith("ADU-")
    return counts


@pytest.mark.timeout(1500)
def test_fifty_participants_each_update_twice_through_nginx(cluster: Cluster) -> None:
    outcomes = crowd(
        cluster,
        PARTICIPANTS,
        twice=True,
        through_nginx=True,
        reply_timeout=REPLY_TIMEOUT_SECONDS,
    )
    cluster.wait_until_quiet()

    errors = [o.error for o in outcomes if o.error]
    statuses = [s for o in outcomes for s in o.statuses]
    replies = {o.chat_id: cluster.telegram.texts_to(o.chat_id) for o in outcomes}
    stored = _per_sender(cluster, [f"telegram:{o.chat_id}" for o in outcomes])
    messages = PARTICIPANTS * len(COMPLAINT)
    turns = [t for o in outcomes for t in o.turn_seconds]
    figures(
        "crowd",
        participants=PARTICIPANTS,
        messages=messages,
        webhook_posts=len(statuses),
        duplicates_delivered=len(statuses) - messages,
        duplicates_recorded=sum(c["in"] for c in stored.values()) - messages,
        replies=sum(len(r) for r in replies.values()),
        replies_missing=sum(
            max(0, EXPECTED_REPLIES - len(r)) for r in replies.values()
        ),
        duplicates=sum(max(0, len(r) - EXPECTED_REPLIES) for r in replies.values()),
        tickets=sum(c["complaints"] for c in stored.values()),
        tickets_lost=sum(1 for c in stored.values() if not c["complaints"]),
        status_5xx=sum(s >= 500 for s in statuses),
        errors=len(errors),
        turn_p50_s=round(percentile(turns, 0.50), 2),
        turn_p95_s=round(percentile(turns, 0.95), 2),
    )
    assert errors == []
    assert set(statuses) == {200}
    for chat, texts in replies.items():
        assert len(texts) == EXPECTED_REPLIES, (chat, texts)
        assert sum("sudah tercatat" in t for t in texts) == 1, (chat, texts)
    for sender, counts in stored.items():
        assert counts["in"] == len(COMPLAINT), (sender, counts)
        assert counts["out"] == EXPECTED_REPLIES, (sender, counts)
        assert counts["tickets"] == counts["complaints"] == 1, (sender, counts)
