"""A supervisor reveals one masked number; the audit entry is written first.

The encrypted originals are kept by ``bot.messaging.secrets`` as messages are recorded;
a complainant's contact phone is kept encrypted on the complaint's details.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.console.errors import Refused
from bot.console.queries import find_ticket
from bot.core.crypto import CryptoError, DataCipher
from bot.staff.accounts import StaffUser
from bot.store.models import (
    AuditEntry,
    ComplaintDetails,
    Message,
    MessageSecret,
    utcnow,
)


class RevealRefused(PermissionError):
    """Only supervisors may reveal a masked number."""


def reveal(
    session: Session, secret_id: int, staff: StaffUser, cipher: DataCipher
) -> MessageSecret | None:
    """Decrypt one number for a supervisor, writing the audit entry first."""
    if not staff.is_supervisor:
        raise RevealRefused("hanya supervisor yang boleh membuka nomor")
    secret = session.get(MessageSecret, secret_id)
    if secret is None or secret.message_id is None:
        # A number the action server tokenised is in no transcript: not revealable.
        return None
    session.add(
        AuditEntry(
            staff_id=staff.id,
            action=f"reveal_{secret.kind}",
            subject=f"message:{secret.message_id}/secret:{secret.id}",
            created_at=utcnow(),
        )
    )
    session.flush()
    return secret


def decrypt(secret: MessageSecret, cipher: DataCipher) -> str:
    """The original number (call only after ``reveal`` audited it)."""
    return cipher.decrypt(secret.ciphertext)


@dataclass(frozen=True)
class Revealed:
    """A revealed number and the conversation to show it in."""

    conversation_id: int
    secret_id: int
    value: str | None  # None: the key cannot decrypt it (the audit entry stays)


def reveal_in_transcript(
    session: Session, secret_id: int, staff: StaffUser, cipher: DataCipher
) -> Revealed:
    """Audit, then decrypt, one number of a transcript; 404 if there is none."""
    secret = reveal(session, secret_id, staff, cipher)
    if secret is None:
        raise Refused("Nomor tidak ditemukan.", 404)
    try:
        value: str | None = decrypt(secret, cipher)
    except CryptoError:
        value = None
    message = session.get(Message, secret.message_id)
    assert message is not None  # noqa: S101 - foreign key
    return Revealed(message.conversation_id, secret.id, value)


def reveal_phone(
    session: Session, reference: str, staff: StaffUser, cipher: DataCipher
) -> str:
    """Audit, then decrypt, a complainant's contact phone for a supervisor."""
    if not staff.is_supervisor:
        raise RevealRefused("hanya supervisor yang boleh membuka nomor")
    ticket = find_ticket(session, reference, staff)
    details = session.get(ComplaintDetails, ticket.id)
    if details is None or not details.contact_phone_encrypted:
        raise Refused("Tiket ini tidak punya nomor kontak.", 404)
    session.add(
        AuditEntry(
            staff_id=staff.id,
            action="reveal_phone",
            subject=f"ticket:{ticket.reference}",
        )
    )
    session.flush()
    return cipher.decrypt(details.contact_phone_encrypted)
