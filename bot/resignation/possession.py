"""Possession of the registered phone number, the factor a KTP photocopy lacks.

Three ways to prove it (PRODUCT.md §3.1 step 3): on WhatsApp the sender's own
number, which WhatsApp verified; on Telegram a contact shared with the "share my
number" button whose ``user_id`` is the sender's own (the gateway records it here,
keyed hash only); otherwise a one-time code (bot/resignation/codes.py). Numbers are
compared by keyed hash, so none is held in clear.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.crypto import DataCipher
from bot.messaging.conversations import ConversationKey
from bot.store.models import SharedContact, utcnow

# A shared contact answers the question it was shared for, not one asked later.
CONTACT_VALID = timedelta(minutes=10)


def same_number(
    cipher: DataCipher, registered: str | None, candidate_hash: str
) -> bool:
    """Whether ``candidate_hash`` is the hash of the registered number."""
    if not registered:
        return False
    return hmac.compare_digest(cipher.phone_hash(registered), candidate_hash)


_PHONE_HASH = re.compile(r"[0-9a-f]{64}")


def sender_number_hash(cipher: DataCipher, key: ConversationKey) -> str | None:
    """The hash of the sender's own number where the channel verified it.

    WhatsApp addresses a participant by their phone number (``wa_id``), which
    WhatsApp verified when they registered; no other channel does. The gateway
    keys a WhatsApp conversation by that number's phone hash
    (``bot.messaging.conversations.whatsapp_key``): it is the hash compared here,
    and the number is never needed. An id of any other form (a number in clear,
    sent to Rasa by something other than the gateway) proves nothing.
    """
    if key.channel != "whatsapp" or not _PHONE_HASH.fullmatch(key.external_id):
        return None
    return key.external_id


def record_contact(
    session: Session,
    cipher: DataCipher,
    sender_id: str,
    phone: str,
    *,
    own: bool,
    now: datetime | None = None,
) -> None:
    """The gateway saw a contact shared by ``sender_id`` (``own``: their own)."""
    session.add(
        SharedContact(
            sender_id=sender_id,
            phone_hash=cipher.phone_hash(phone),
            own=own,
            created_at=now or utcnow(),
        )
    )


def latest_contact(
    session: Session, sender_id: str, now: datetime | None = None
) -> SharedContact | None:
    """The contact ``sender_id`` shared last, if it is recent enough to count."""
    since = (now or utcnow()) - CONTACT_VALID
    return session.scalar(
        select(SharedContact)
        .where(SharedContact.sender_id == sender_id, SharedContact.created_at > since)
        .order_by(SharedContact.id.desc())
        .limit(1)
    )
