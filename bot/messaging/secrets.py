"""Encrypted originals of the numbers masked in a transcript message.

Transcripts keep only masked values (``************0003``). Next to a message we keep
each original number encrypted with ``DataCipher``, so a supervisor can reveal it in
the console (``bot.console.reveal``, audited); the gateway writes them as it records.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.crypto import DataCipher
from bot.core.privacy import KPJ_PATTERN, NIK_PATTERN, PHONE_PATTERN, mask_value
from bot.store.models import Message, MessageSecret

# Same order as bot.core.privacy.mask_identifiers, so kinds agree with the masking.
_PATTERNS = (("nik", NIK_PATTERN), ("phone", PHONE_PATTERN), ("kpj", KPJ_PATTERN))


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
