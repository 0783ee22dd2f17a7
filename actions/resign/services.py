"""What the stop-participation actions use, built on first use (never at import)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from rasa_sdk import Tracker

from actions import runtime
from bot.core.crypto import DataCipher
from bot.core.workdays import JAKARTA, WorkingCalendar
from bot.messaging.code_sender import WhatsAppCodeSender
from bot.messaging.conversations import ConversationKey
from bot.messaging.identity_tokens import IdentityTokens
from bot.resignation.codes import CodeSender
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
    # Sends one-time codes to registered numbers; None when no channel can.
    code_sender: CodeSender | None = None


def code_sender() -> CodeSender | None:
    """WhatsApp's authentication template, when its name is set (an SMS gateway
    would stand here behind the same interface)."""
    whatsapp = runtime.settings().whatsapp
    if whatsapp is None or not whatsapp.code_template_name:
        return None
    return WhatsAppCodeSender(
        whatsapp.api_base_url,
        whatsapp.phone_number_id,
        whatsapp.access_token,
        whatsapp.code_template_name,
        whatsapp.template_language,
    )


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
        code_sender=code_sender(),
    )


def today() -> date:
    """Today in Jakarta: ages and deadlines are counted in Indonesian days."""
    return datetime.now(JAKARTA).date()


def conversation(tracker: Tracker) -> ConversationKey:
    """The channel and chat the tracker belongs to."""
    return ConversationKey.from_sender_id(tracker.sender_id)
