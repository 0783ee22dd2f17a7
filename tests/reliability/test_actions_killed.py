"""Every action server killed (SIGKILL) in the middle of a complaint.

The participant's answer that would file the complaint reaches Rasa while no action
server is alive: they get the outage message, no ticket (whole or half) is written.
Once the supervisor has started the action servers again, the same answer files
exactly one complete ticket and the conversation goes on.
"""

from __future__ import annotations

import random
import signal

from sqlalchemy import select

from bot.store.models import ComplaintDetails, Conversation, Ticket
from tests.reliability.chat import SERVICE_DOWN, Chat
from tests.reliability.harness import Cluster, figures
from tests.reliability.participants import COMPLAINT, QUESTIONS


def _tickets(cluster: Cluster, chat_id: int) -> list[tuple[str, bool]]:
    """References of the chat's tickets and whether each has its details row."""
    with cluster.database() as db, db.session() as session:
        rows = session.execute(
            select(Ticket.reference, ComplaintDetails.ticket_id)
            .join(Conversation, Ticket.conversation_id == Conversation.id)
            .outerjoin(ComplaintDetails, ComplaintDetails.ticket_id == Ticket.id)
            .where(Conversation.sender_id == f"telegram:{chat_id}")
        )
        return [(reference, details is not None) for reference, details in rows]


def test_outage_message_no_half_ticket_and_the_form_goes_on(cluster: Cluster) -> None:
    chat = Chat(cluster, random.randint(10**8, 10**9), gateway=None)
    *before, (last_answer, _) = COMPLAINT
    for (text, _), question in zip(before, QUESTIONS, strict=True):
        chat.say(text, until=question)

    actions = [n for n in cluster.supervisor.instances if n.startswith("actions-")]
    for name in actions:
        cluster.supervisor.kill(name, signal.SIGKILL, hold=True)
    try:
        said = chat.say(last_answer, until=SERVICE_DOWN)
        assert not any("sudah tercatat" in t for t in said)
        assert _tickets(cluster, chat.chat_id) == []
    finally:
        for name in actions:
            cluster.supervisor.release(name)
    cluster.supervisor.wait_ready(actions, timeout=120)

    said = chat.say(last_answer, until="sudah tercatat")
    tickets = _tickets(cluster, chat.chat_id)
    assert len(tickets) == 1 and tickets[0][1], tickets  # whole: with its details
    assert sum("sudah tercatat" in t for t in chat.texts) == 1
    chat.say("status " + tickets[0][0].lower(), until=tickets[0][0])
    figures(
        "actions_killed",
        failures_injected=len(actions),
        outage_replies=sum(SERVICE_DOWN in t for t in chat.texts),
        half_written_tickets=0,
        tickets=len(tickets),
        tickets_lost=0,
    )
