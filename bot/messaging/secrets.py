"""Encrypted originals of the numbers masked in a transcript message.

Transcripts keep only masked values (``************0003``). Next to a message we keep
each original number encrypted with ``DataCipher``, so a supervisor can reveal it in
the console (``bot.console.reveal``, audited); the gateway writes them as it records
(``IdentityTokens.record``: the same row carries the token Rasa sees).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.privacy import scan
from bot.store.models import MessageSecret


def find_identifiers(text: str, carried: int = 0) -> list[tuple[str, str]]:
    """``[(kind, digits)]`` of each number ``bot.core.privacy`` masks in ``text``."""
    return [(found.kind, found.digits) for found in scan(text, carried).found]


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
        if row.message_id is not None:
            grouped.setdefault(row.message_id, []).append(row)
    return grouped
