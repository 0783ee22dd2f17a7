"""Masked numbers staff may reveal: encrypted originals, and an audit of each reveal.

Transcripts keep only masked values (``************0003``). Next to a message we keep
each original number encrypted with ``DataCipher``; a supervisor can decrypt one, and
that act is written to the audit log first.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.crypto import DataCipher
from bot.privacy import _KPJ, _NIK, _PHONE, mask_value
from bot.staff import StaffUser
from bot.store.models import AuditEntry, Message, MessageSecret, utcnow

# Same order as bot.privacy.mask_identifiers, so kinds agree with the masking.
_PATTERNS = (("nik", _NIK), ("phone", _PHONE), ("kpj", _KPJ))


class RevealRefused(PermissionError):
    """Only supervisors may reveal a masked number."""


def find_identifiers(text: str) -> list[tuple[str, str]]:
    """``[(kind, original)]`` for each NIK, phone number and KPJ in ``text``."""
    found: list[tuple[int, str, str]] = []
    remaining = text
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(remaining):
            found.append((match.start(), kind, match.group(1)))
        remaining = pattern.sub(lambda m: "#" * len(m.group(0)), remaining)
    return [(kind, value) for _, kind, value in sorted(found)]


def remember(
    session: Session, message: Message, raw_text: str, cipher: DataCipher
) -> None:
    """Keep the encrypted original of every number masked in ``message``."""
    for kind, value in find_identifiers(raw_text):
        session.add(
            MessageSecret(
                message_id=message.id,
                kind=kind,
                masked=mask_value(value),
                ciphertext=cipher.encrypt(value),
            )
        )


def secrets_for(
    session: Session, message_ids: list[int]
) -> dict[int, list[MessageSecret]]:
    """The revealable numbers of each message."""
    if not message_ids:
        return {}
    rows = session.scalars(
        select(MessageSecret)
        .where(MessageSecret.message_id.in_(message_ids))
        .order_by(MessageSecret.id)
    )
    grouped: dict[int, list[MessageSecret]] = {}
    for row in rows:
        grouped.setdefault(row.message_id, []).append(row)
    return grouped


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
