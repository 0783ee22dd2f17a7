"""A supervisor reveals one masked number; the audit entry is written first.

The encrypted originals are kept by ``bot.messaging.secrets`` as messages are recorded.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.core.crypto import DataCipher
from bot.staff.accounts import StaffUser
from bot.store.models import AuditEntry, MessageSecret, utcnow


class RevealRefused(PermissionError):
    """Only supervisors may reveal a masked number."""


def reveal(
    session: Session, secret_id: int, staff: StaffUser, cipher: DataCipher
) -> MessageSecret | None:
    """Decrypt one number for a supervisor, writing the audit entry first."""
    if not staff.is_supervisor:
        raise RevealRefused("hanya supervisor yang boleh membuka nomor")
    secret = session.get(MessageSecret, secret_id)
    if secret is None:
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
