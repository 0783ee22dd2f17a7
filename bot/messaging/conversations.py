"""Conversations and their transcript: every message in and out is recorded here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.crypto import DataCipher, normalise_phone
from bot.store.models import Conversation, Message, utcnow

CHANNELS = ("telegram", "whatsapp", "webchat")
# Rasa's own REST channel used directly (``rasa shell``, story tests): no gateway.
DIRECT = "rest"


@dataclass(frozen=True)
class ConversationKey:
    """A participant on a channel; ``sender_id`` is what Rasa's tracker is keyed by."""

    channel: str
    external_id: str
    # Where the provider delivers, when the id is not it: a WhatsApp number, known
    # in clear only while its own webhook is handled (``whatsapp_key``).
    address: str | None = field(default=None, compare=False, repr=False)

    @property
    def sender_id(self) -> str:
        """Channel-prefixed, so a Telegram and a WhatsApp user never share a tracker."""
        return f"{self.channel}:{self.external_id}"

    @classmethod
    def from_sender_id(cls, sender_id: str) -> ConversationKey:
        """Split a Rasa sender id back into channel and external id.

        A sender id without a known channel prefix came to Rasa directly, not
        through the gateway; it is kept whole under the ``rest`` channel.
        """
        channel, sep, external_id = sender_id.partition(":")
        if not sep or channel not in CHANNELS or not external_id:
            return cls(DIRECT, sender_id)
        return cls(channel, external_id)


def whatsapp_key(cipher: DataCipher, wa_id: str) -> ConversationKey:
    """A WhatsApp sender's key: a keyed hash of the number, never the number.

    The hash is the registry's phone hash (``DataCipher.phone_hash``), so
    possession of the registered number is a comparison of hashes
    (bot/resignation/possession.py). The number itself travels as ``address``
    and is kept encrypted on the conversation, for delivery (``remember_address``).
    """
    return ConversationKey("whatsapp", cipher.phone_hash(wa_id), address=wa_id)


def address_hint(address: str) -> str:
    """What staff see of a number: its last four digits."""
    return "…" + normalise_phone(address)[-4:]


def remember_address(
    session: Session, cipher: DataCipher, key: ConversationKey
) -> Conversation:
    """The conversation of ``key``, with its delivery address kept encrypted."""
    conversation = get_or_create(session, key)
    if key.address and conversation.address_ciphertext is None:
        conversation.address_ciphertext = cipher.encrypt(normalise_phone(key.address))
        conversation.address_hint = address_hint(key.address)
    return conversation


def address_of(session: Session, cipher: DataCipher, sender_id: str) -> str | None:
    """The delivery address kept for ``sender_id``'s conversation, decrypted."""
    ciphertext = session.scalar(
        select(Conversation.address_ciphertext).where(
            Conversation.sender_id == sender_id
        )
    )
    return cipher.decrypt(ciphertext) if ciphertext else None


def get_or_create(session: Session, key: ConversationKey) -> Conversation:
    """The conversation for ``key``, created on first contact.

    Two first messages can race (two gateways, or a double delivery); the unique
    constraint decides and the loser reads the winner's row.
    """
    found = session.scalar(
        select(Conversation).where(Conversation.sender_id == key.sender_id)
    )
    if found is not None:
        return found
    conversation = Conversation(
        channel=key.channel, external_id=key.external_id, sender_id=key.sender_id
    )
    try:
        with session.begin_nested():
            session.add(conversation)
    except IntegrityError:
        existing = session.scalar(
            select(Conversation).where(Conversation.sender_id == key.sender_id)
        )
        if existing is None:
            raise
        return existing
    return conversation


def find(session: Session, sender_id: str) -> Conversation | None:
    """The conversation Rasa knows as ``sender_id``, if it was ever recorded."""
    return session.scalar(
        select(Conversation).where(Conversation.sender_id == sender_id)
    )


def record_inbound(
    session: Session,
    conversation: Conversation,
    text: str,
    *,
    kind: str = "text",
    provider_message_id: str | None = None,
) -> Message:
    """Record what the participant sent (``text`` already masked by the caller)."""
    now = utcnow()
    conversation.last_inbound_at = now
    message = Message(
        conversation=conversation,
        channel=conversation.channel,
        direction="in",
        kind=kind,
        text=text,
        provider_message_id=provider_message_id,
        status="received",
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def record_outbound(
    session: Session,
    conversation: Conversation,
    text: str,
    buttons: list[dict[str, str]] | None,
    *,
    status: str,
    provider_message_id: str | None = None,
    status_at: datetime | None = None,
) -> Message:
    """Record what was sent to the participant and whether the provider took it.

    ``status_at`` goes into the INSERT itself: setting it after the flush cost an
    extra UPDATE for every reply (README "Performance").
    """
    message = Message(
        conversation=conversation,
        channel=conversation.channel,
        direction="out",
        text=text,
        buttons=buttons or None,
        provider_message_id=provider_message_id,
        status=status,
        status_at=status_at,
    )
    session.add(message)
    session.flush()
    return message


def pressed_titles(messages: Iterable[Message]) -> dict[int, str]:
    """The title of each button the participant pressed, by inbound message id.

    A press is recorded as its payload (``/affirm``: what Rasa gets); people read
    the title they pressed ("Setuju"). ``messages`` in order: a payload takes the
    title of the latest bot message that offered it, so a press on an older
    message's button still finds its own title; a press by number (``2``, where a
    provider's button id cannot carry the payload) is the latest question's option.
    """
    offered: dict[str, str] = {}
    last: list[str] = []  # the latest question's titles, for a press by number
    titles: dict[int, str] = {}
    for message in messages:
        if message.direction == "out" and message.buttons:
            last = [button.get("title", "") for button in message.buttons]
            offered.update(
                {b.get("payload", ""): b.get("title", "") for b in message.buttons}
            )
        elif message.direction == "in" and message.kind == "button":
            title = offered.get(message.text)
            if (
                not title
                and message.text.isdigit()
                and 0 < int(message.text) <= len(last)
            ):
                title = last[int(message.text) - 1]
            if title:
                titles[message.id] = title
    return titles
