"""Button payloads too long for a provider's button id, kept by a short key.

Telegram allows 64 bytes of callback data, WhatsApp 256 (buttons) and 200 (list
rows). The key is a hash of the payload, so every gateway computes the same key and
storing it twice is harmless; a press on an old keyboard still resolves.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.gateway.channels.rendering.common import KEY_CALLBACK_PREFIX
from bot.store.models import CallbackPayload


def remember(session: Session, keys: Mapping[str, str]) -> None:
    """Store ``key -> payload`` pairs that are not stored yet."""
    if not keys:
        return
    known = set(
        session.scalars(
            select(CallbackPayload.key).where(CallbackPayload.key.in_(list(keys)))
        )
    )
    for key, payload in keys.items():
        if key in known:
            continue
        try:
            with session.begin_nested():
                session.add(CallbackPayload(key=key, payload=payload))
        except IntegrityError:
            pass  # another gateway stored the same pair a moment ago


def resolve(session: Session, data: str) -> str | None:
    """The payload behind ``data``: itself, or the stored payload of a key.

    None when ``data`` is a key the store does not know (a forged or ancient press).
    """
    if not data.startswith(KEY_CALLBACK_PREFIX):
        return data
    return session.scalar(
        select(CallbackPayload.payload).where(CallbackPayload.key == data)
    )
