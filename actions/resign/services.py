"""What the stop-participation actions use, built on first use (never at import)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from rasa_sdk import Tracker

from actions import runtime
from bot.core.crypto import DataCipher
from bot.core.workdays import JAKARTA, WorkingCalendar
from bot.messaging.conversations import ConversationKey
from bot.messaging.identity_tokens import IdentityTokens
from bot.resignation.eligibility import RuleSet, load_rules
from bot.resignation.registry import HttpRegistry, Registry, SqlRegistry


@dataclass(frozen=True)
class Services:
    """The registry, the eligibility rules and the keys."""

    cipher: DataCipher
    tokens: IdentityTokens
    registry: Registry
    rules: RuleSet
    calendar: WorkingCalendar


@lru_cache(maxsize=1)
def services() -> Services:
    """The action server's registry, rules and keys."""
    settings = runtime.settings()
    db = runtime.database()
    cipher = DataCipher(settings.data_key())
    registry: Registry
    if settings.registry_url:
        registry = HttpRegistry(
            settings.registry_url,
            settings.registry_token,
            settings.registry_timeout_seconds,
        )
    else:
        registry = SqlRegistry(db, cipher)
    return Services(
        cipher=cipher,
        tokens=IdentityTokens(db, cipher),
        registry=registry,
        rules=load_rules(),
        calendar=WorkingCalendar(),
    )


def today() -> date:
    """Today in Jakarta: ages and deadlines are counted in Indonesian days."""
    return datetime.now(JAKARTA).date()


def conversation(tracker: Tracker) -> ConversationKey:
    """The channel and chat the tracker belongs to."""
    return ConversationKey.from_sender_id(tracker.sender_id)
