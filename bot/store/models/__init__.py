"""Tables of the store, one module per feature; every table is importable from here.

Rasa's tracker store holds dialogue state only; everything staff and participants
rely on later (transcripts, tickets, deadlines) lives here. Importing this package
registers every table on ``Base.metadata`` (Alembic's autogenerate needs them all).
"""

from bot.store.models.base import Base, UtcDateTime, utcnow
from bot.store.models.conversations import (
    CallbackPayload,
    Conversation,
    Message,
    MessageSecret,
    RateWindow,
)
from bot.store.models.handoff import Handoff
from bot.store.models.outbox import OutboxItem
from bot.store.models.resignation import (
    Consent,
    RegistryParticipant,
    SharedContact,
    VerificationCode,
    VerificationLock,
)
from bot.store.models.staff import (
    AuditEntry,
    InternalNote,
    Staff,
    StaffMessage,
    StaffSession,
)
from bot.store.models.tickets import ComplaintDetails, Ticket, TicketStatusChange

__all__ = [
    "AuditEntry",
    "Base",
    "CallbackPayload",
    "ComplaintDetails",
    "Consent",
    "Conversation",
    "Handoff",
    "InternalNote",
    "Message",
    "MessageSecret",
    "OutboxItem",
    "RateWindow",
    "RegistryParticipant",
    "SharedContact",
    "Staff",
    "StaffMessage",
    "StaffSession",
    "Ticket",
    "TicketStatusChange",
    "UtcDateTime",
    "VerificationCode",
    "VerificationLock",
    "utcnow",
]
