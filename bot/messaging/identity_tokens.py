"""Long numbers leave the gateway as tokens, so Rasa's tracker never holds a NIK.

The gateway swaps every number ``bot.core.privacy`` finds in an inbound message,
phone numbers aside (a NIK or a KPJ, also when mistyped, typed with any separator,
or completing a number the previous message began), for ``niktok<10 hex>`` /
``kpjtok<10 hex>`` and keeps the number encrypted here for two days. The action
server swaps the tokens back, in memory only, to check and verify the number. Phone
numbers stay as they are: the transcript masks them and other flows may need them.

A token belongs to the conversation whose message produced it (its Rasa sender
id, ``owner``): presented from any other conversation it resolves to nothing, so a
token seen in one chat (a log, a screenshot, a shared tracker) cannot make another
chat verify with someone else's NIK.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.core import privacy
from bot.core.crypto import DataCipher
from bot.core.digit_runs import TOKEN_PATTERN
from bot.store.db import Database
from bot.store.models import IdentityToken, utcnow

__all__ = ["TOKEN_PATTERN", "TOKEN_WORD", "IdentityTokens"]

LIFETIME = timedelta(days=2)
KPJ_DIGITS = privacy.KPJ_DIGITS
# A token with whatever is stuck to it ("NIKniktok...", "niktok...A").
TOKEN_WORD = re.compile(r"[0-9A-Za-z]*?(?:nik|kpj)tok[0-9a-f]{10}[0-9A-Za-z]*")


def _new_token(digits: str) -> str:
    prefix = "kpjtok" if len(digits) == KPJ_DIGITS else "niktok"
    return prefix + secrets.token_hex(5)


class IdentityTokens:
    """Issues and resolves tokens for numbers in messages."""

    def __init__(self, db: Database, cipher: DataCipher) -> None:
        self._db = db
        self._cipher = cipher

    def tokenise(
        self, text: str, owner: str, carried: int = 0, now: datetime | None = None
    ) -> str:
        """``text`` with every number but phones replaced by a token of ``owner``
        (the Rasa sender id of the conversation the message belongs to).

        ``carried``: the digits the previous message ended with, so that the end of
        a number split over two messages is hidden too.
        """
        spans = [
            (found.start, found.end, found.digits)
            for found in privacy.scan(text, carried).found
            if found.kind != privacy.PHONE
        ]
        if not spans:
            return text
        moment = now or utcnow()
        parts: list[str] = []
        last = 0
        with self._db.session() as session:
            session.execute(
                delete(IdentityToken).where(IdentityToken.expires_at < moment)
            )
            for start, end, digits in spans:
                token = self._store(session, digits, owner, moment)
                parts += [text[last:start], token]
                last = end
        parts.append(text[last:])
        return "".join(parts)

    def resolve(
        self, token: str, owner: str, now: datetime | None = None
    ) -> str | None:
        """The number behind ``token`` for conversation ``owner``; ``None`` when
        unknown, expired or another conversation's."""
        with self._db.session() as session:
            return self._resolve(session, token, owner, now or utcnow())

    def _resolve(
        self, session: Session, token: str, owner: str, now: datetime
    ) -> str | None:
        row = session.scalar(select(IdentityToken).where(IdentityToken.token == token))
        if row is None or row.expires_at < now or row.owner != owner:
            return None
        return self._cipher.decrypt(row.ciphertext)

    def reveal(self, text: str, owner: str, now: datetime | None = None) -> str:
        """``text`` with ``owner``'s tokens replaced by their numbers (in memory only).

        Unknown, expired or foreign tokens stay as they are, so a check on the result
        fails with "letters in the NIK" rather than passing silently.
        """
        tokens = TOKEN_PATTERN.findall(text)
        if not tokens:
            return text
        moment = now or utcnow()
        with self._db.session() as session:
            values = {t: self._resolve(session, t, owner, moment) for t in set(tokens)}
        return TOKEN_PATTERN.sub(lambda m: values.get(m.group(0)) or m.group(0), text)

    def issue(self, digits: str, owner: str, now: datetime | None = None) -> str:
        """A token of ``owner`` for a number the action server read from its message."""
        with self._db.session() as session:
            return self._store(session, digits, owner, now or utcnow())

    def _store(self, session: Session, digits: str, owner: str, now: datetime) -> str:
        """A new token for ``digits``, kept encrypted until ``LIFETIME`` has passed."""
        token = _new_token(digits)
        session.add(
            IdentityToken(
                token=token,
                owner=owner,
                ciphertext=self._cipher.encrypt(digits),
                created_at=now,
                expires_at=now + LIFETIME,
            )
        )
        return token
