"""A recorded participant message waiting for its turn, and what a turn needs of its
conversation (bot/gateway/dialogue.py records and answers them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.core import privacy
from bot.handoff import handoffs
from bot.messaging.conversations import ConversationKey
from bot.resignation import codes
from bot.store import ratelimit
from bot.store.models import Conversation


@dataclass(frozen=True)
class Inbound:
    """A recorded participant message waiting for its turn.

    ``text`` is the raw text, kept in memory only for the turn; the store holds the
    masked form. A ``duplicate`` (the provider delivered the same message again) was
    not recorded a second time and gets no answer.
    """

    key: ConversationKey
    message_id: int
    text: str
    kind: str  # "text", "button" (a pressed option), "media" or EXPIRED
    duplicate: bool = False
    conversation_id: int = 0
    rate: ratelimit.RateDecision | None = field(default=None, compare=False)
    # The turn's lease was taken while recording (the usual, uncontended case).
    leased: bool = False
    # The conversation as the recording transaction read it, valid for the turn
    # when the lease was taken there (no earlier turn can change it meanwhile).
    state: ConversationState | None = field(default=None, compare=False)
    # Digits the previous message ended with: a number this one completes is
    # hidden from Rasa as it is from the transcript (bot/core/privacy.py).
    carried: int = 0
    # ``text`` as Rasa gets it (NIK and KPJ as tokens), tokenised while recording,
    # so each number is encrypted once; ``None`` when the gateway does not tokenise.
    forwarded: str | None = None


@dataclass(frozen=True)
class ConversationState:
    """What a turn needs of its conversation: held by people, options last offered."""

    held: bool
    last_buttons: list[dict[str, str]] | None

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationState:
        """The state of ``conversation`` now."""
        return cls(handoffs.is_active(conversation), conversation.last_buttons)


def scan_message(
    session: Session, text: str, carried: int, sender: str
) -> privacy.Scan:
    """The numbers to hide in an inbound message (a whole message: a lone run of 5-9
    digits is a partial number, unless it is the code ``sender`` is asked for)."""
    return privacy.scan(
        text,
        carried,
        message=True,
        code_awaited=lambda: codes.awaited(session, sender),
    )
