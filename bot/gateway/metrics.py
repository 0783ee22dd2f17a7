"""The gateway's Prometheus metrics (``GET /metrics``, prometheus-client).

Counters and the turn-latency histogram are updated as things happen; the gauges
that describe the store (outbox depth, open handoffs, overdue complaints) are read
from it when Prometheus scrapes, so every gateway reports the same, shared truth.
Each app has its own registry: several apps in one test process never collide.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.workdays import jakarta_date
from bot.handoff.handoffs import ACTIVE
from bot.messaging import outbox
from bot.messaging.delivery import Delivery
from bot.store.models import Handoff, Ticket, utcnow
from bot.tickets.lifecycle import FINAL

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Seconds; the product's target is a p95 of 150 ms through the whole path.
TURN_BUCKETS = (0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True)
class StoreFigures:
    """What the gauges show, read in one transaction."""

    outbox_depth: int
    open_handoffs: int
    overdue_tickets: int


def read_figures(session: Session) -> StoreFigures:
    """The store's figures for a scrape."""
    handoffs = session.scalar(
        select(func.count(Handoff.id)).where(Handoff.status.in_(ACTIVE))
    )
    overdue = session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.kind == "complaint",
            Ticket.resolution_due < jakarta_date(utcnow()),
            Ticket.status.not_in(FINAL),
        )
    )
    return StoreFigures(outbox.depth(session), int(handoffs or 0), int(overdue or 0))


class Metrics:
    """Every metric of one gateway process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.messages_in = Counter(
            "bpu_messages_in", "Participant messages recorded", ["channel"], registry=r
        )
        self.messages_out = Counter(
            "bpu_messages_out",
            "Delivery attempts by outcome (sent, retry, failed, unreachable)",
            ["channel", "outcome"],
            registry=r,
        )
        self.turn_seconds = Histogram(
            "bpu_turn_seconds",
            "From a recorded message to its replies handed to the provider",
            ["channel"],
            buckets=TURN_BUCKETS,
            registry=r,
        )
        self.dialogue_errors = Counter(
            "bpu_dialogue_errors",
            "Turns Rasa could not answer (rasa) or answered empty: an action failed",
            ["kind"],
            registry=r,
        )
        self.outbox_retries = Counter(
            "bpu_outbox_retries",
            "Delivery attempts to be retried",
            ["channel"],
            registry=r,
        )
        self.outbox_depth = Gauge(
            "bpu_outbox_depth", "Outbound messages waiting", registry=r
        )
        self.open_handoffs = Gauge(
            "bpu_open_handoffs",
            "Conversations waiting for or held by staff",
            registry=r,
        )
        self.overdue_tickets = Gauge(
            "bpu_overdue_tickets", "Complaints past their resolution date", registry=r
        )

    def on_attempt(self, channel: str, delivery: Delivery) -> None:
        """Count one delivery attempt (the outbox's hook)."""
        self.messages_out.labels(channel, delivery.status).inc()
        if delivery.status == "retry":
            self.outbox_retries.labels(channel).inc()

    def render(self, figures: StoreFigures) -> bytes:
        """The exposition text, with the store's figures as of now."""
        self.outbox_depth.set(figures.outbox_depth)
        self.open_handoffs.set(figures.open_handoffs)
        self.overdue_tickets.set(figures.overdue_tickets)
        return generate_latest(self.registry)
