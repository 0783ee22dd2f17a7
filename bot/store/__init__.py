"""The store: SQLAlchemy models and session handling."""

from bot.store.db import Database, make_engine
from bot.store.models import Base, Conversation, Message, Ticket, utcnow

__all__ = [
    "Base",
    "Conversation",
    "Database",
    "Message",
    "Ticket",
    "make_engine",
    "utcnow",
]
