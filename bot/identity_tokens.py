"""Long numbers leave the gateway as tokens, so Rasa's tracker never holds a NIK.

The gateway swaps every run of ten or more digits in an inbound message (a NIK or a
KPJ, also when mistyped) for ``niktok<10 hex>`` / ``kpjtok<10 hex>`` and keeps the
number encrypted here for two days. The action server swaps the tokens back, in
memory only, to check and verify the number. Phone numbers stay as they are: the
transcript masks them and other flows may need them.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.crypto import DataCipher, normalise_number
from bot.store.db import Database
from bot.store.models import IdentityToken, utcnow

LIFETIME = timedelta(days=2)
MIN_DIGITS = 10
KPJ_DIGITS = 11
# Digits with at most one space, dot or dash between two of them.
_NUMBER = re.compile(r"(?<![\d+])\+?\d(?:[ .\-]?\d)*(?!\d)")
_PHONE = re.compile(r"^(?:\+?62[ .\-]?8|0[ .\-]?8)")
TOKEN_PATTERN = re.compile(r"\b(?:nik|kpj)tok[0-9a-f]{10}\b")


def _is_phone(number: str) -> bool:
    return bool(_PHONE.match(number))


def _new_token(digits: str) -> str:
    prefix = "kpjtok" if len(digits) == KPJ_DIGITS else "niktok"
    return prefix + secrets.token_hex(5)


class IdentityTokens:
    """Issues and resolves tokens for numbers in messages."""

    def __init__(self, db: Database, cipher: DataCipher) -> None:
        self._db = db
        self._cipher = cipher

    def tokenise(self, text: str, now: datetime | None = None) -> str:
        """``text`` with every long non-phone number replaced by a token."""
        numbers = [
            m
            for m in _NUMBER.finditer(text)
            if len(normalise_number(m.group(0))) >= MIN_DIGITS
            and not _is_phone(m.group(0))
        ]
        if not numbers:
            return text
        moment = now or utcnow()
        parts: list[str] = []
        last = 0
        with self._db.session() as session:
            session.execute(
                delete(IdentityToken).where(IdentityToken.expires_at < moment)
            )
            for match in numbers:
                digits = normalise_number(match.group(0))
                token = _new_token(digits)
                session.add(
                    IdentityToken(
                        token=token,
                        ciphertext=self._cipher.encrypt(digits),
                        created_at=moment,
                        expires_at=moment + LIFETIME,
                    )
                )
                parts += [text[last : match.start()], token]
                last = match.end()
        parts.append(text[last:])
        return "".join(parts)

    def resolve(self, token: str, now: datetime | None = None) -> str | None:
        """The number behind ``token``; ``None`` when unknown or expired."""
        with self._db.session() as session:
            return self._resolve(session, token, now or utcnow())

    def _resolve(self, session: Session, token: str, now: datetime) -> str | None:
        row = session.scalar(select(IdentityToken).where(IdentityToken.token == token))
        if row is None or row.expires_at < now:
            return None
        return self._cipher.decrypt(row.ciphertext)

    def reveal(self, text: str, now: datetime | None = None) -> str:
        """``text`` with its tokens replaced by their numbers (in memory only).

        Unknown or expired tokens stay as they are, so a check on the result fails
        with "letters in the NIK" rather than passing silently.
        """
        tokens = TOKEN_PATTERN.findall(text)
        if not tokens:
            return text
        moment = now or utcnow()
        with self._db.session() as session:
            values = {t: self._resolve(session, t, moment) for t in set(tokens)}
        return TOKEN_PATTERN.sub(lambda m: values.get(m.group(0)) or m.group(0), text)

    def issue(self, digits: str, now: datetime | None = None) -> str:
        """A token for a number the action server received without one."""
        moment = now or utcnow()
        token = _new_token(digits)
        with self._db.session() as session:
            session.add(
                IdentityToken(
                    token=token,
                    ciphertext=self._cipher.encrypt(digits),
                    created_at=moment,
                    expires_at=moment + LIFETIME,
                )
            )
        return token
