"""50 participants at once, every update delivered twice to alternating gateways.

Two real gateway processes receive each update (at the same moment, in alternating
order); the store's unique provider message id makes one of them a duplicate, the
per-conversation lease keeps each participant's turns in order across gateways.
Each participant must get exactly one ticket and every message exactly one answer.
"""

from __future__ import annotations

import time
from collections import Counter

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
QUIET_SECONDS = 5.0


def wait_until_quiet(cluster: Cluster, seconds: float = QUIET_SECONDS) -> None:
    """Until the fake Bot API got no new call for ``seconds`` (late duplicates show)."""
    last = -1
    while (count := len(cluster.telegram.calls)) != last:
        last = count
        time.sleep(seconds)


def _per_sender(cluster: Cluster, senders: list[str]) -> dict[str, Counter[str]]:
    """Inbound and outbound messages and tickets per conversation, from the store."""
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
            select(Conversation.sender_id, func.count(Ticket.id))
            .join(Ticket, Ticket.conversation_id == Conversation.id)
            .where(Conversation.sender_id.in_(senders))
            .group_by(Conversation.sender_id)
        )
        for sender, count in tickets:
            counts[sender]["tickets"] = count
    return counts


def test_fifty_participants_each_update_twice_to_alternating_gateways(
    cluster: Cluster,
) -> None:
    outcomes = crowd(cluster, PARTICIPANTS, twice=True)
    wait_until_quiet(cluster)

    errors = [o.error for o in outcomes if o.error]
    statuses = [s for o in outcomes for s in o.statuses]
    replies = {o.chat_id: cluster.telegram.texts_to(o.chat_id) for o in outcomes}
    senders = [f"telegram:{o.chat_id}" for o in outcomes]
    stored = _per_sender(cluster, senders)
    extra_replies = sum(max(0, len(r) - EXPECTED_REPLIES) for r in replies.values())
    missing_replies = sum(max(0, EXPECTED_REPLIES - len(r)) for r in replies.values())
    tickets = sum(c["tickets"] for c in stored.values())
    turns = [t for o in outcomes for t in o.turn_seconds]
    figures(
        "crowd",
        participants=PARTICIPANTS,
        messages=PARTICIPANTS * len(COMPLAINT),
        webhook_posts=len(statuses),
        duplicates_delivered=len(statuses) - PARTICIPANTS * len(COMPLAINT),
        duplicates_recorded=sum(c["in"] for c in stored.values())
        - PARTICIPANTS * len(COMPLAINT),
        replies=sum(len(r) for r in replies.values()),
        replies_missing=missing_replies,
        replies_extra=extra_replies,
        tickets=tickets,
        tickets_lost=PARTICIPANTS - sum(1 for c in stored.values() if c["tickets"]),
        status_5xx=sum(s >= 500 for s in statuses),
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
        assert counts["tickets"] == 1, (sender, counts)
