"""Long numbers leave the gateway as tokens, so Rasa's tracker never holds a NIK.

The gateway swaps every run of ten or more digits in an inbound message (a NIK or a
KPJ, also when mistyped) for ``niktok<10 hex>`` / ``kpjtok<10 hex>`` and keeps the
number encrypted here for two days. The action server swaps the tokens back, in
memory only, to check and verify the number. Phone numbers stay as they are: the
transcript masks them and other flows may need them.

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

from bot.core.crypto import DataCipher, normalise_number
from bot.store.db import Database
from bot.store.models import IdentityToken, utcnow

LIFETIME = timedelta(days=2)
MIN_DIGITS = 10
KPJ_DIGITS = 11
NIK_DIGITS = 16
# Digits with at most one space, dot or dash between two of them.
_NUMBER = re.compile(r"(?<![\d+])\+?\d(?:[ .\-]?\d)*(?!\d)")
_PHONE = re.compile(r"^(?:\+?62[ .\-]?8|0[ .\-]?8)")
TOKEN_PATTERN = re.compile(r"(?:nik|kpj)tok[0-9a-f]{10}")
# A token with whatever is stuck to it ("NIKniktok...", "niktok...A").
TOKEN_WORD = re.compile(r"[0-9A-Za-z]*?(?:nik|kpj)tok[0-9a-f]{10}[0-9A-Za-z]*")


def _is_phone(number: str) -> bool:
    return bool(_PHONE.match(number))


def _new_token(digits: str) -> str:
    prefix = "kpjtok" if len(digits) == KPJ_DIGITS else "niktok"
    return prefix + secrets.token_hex(5)


def _split_run(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of a digit run to tokenise, split where a NIK or KPJ ends.

    "3374010501900004 1990-01-05" is a NIK and a date typed together: the run
    is cut at the space after the 16th digit, so the date stays readable.
    """
    groups = [
        (m.start() + start, m.end() + start)
        for m in re.finditer(r"\S+", text[start:end])
    ]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(groups):
        count = 0
        cut = None
        for j in range(i, len(groups)):
            count += len(normalise_number(text[groups[j][0] : groups[j][1]]))
            if count == NIK_DIGITS:
                cut = j
                break
            if count == KPJ_DIGITS:
                cut = j  # a KPJ, unless the following groups make a NIK
            if count > NIK_DIGITS:
                break
        if cut is None:
            rest = (groups[i][0], groups[-1][1])
            if len(normalise_number(text[rest[0] : rest[1]])) >= MIN_DIGITS:
                spans.append(rest)
            break
        spans.append((groups[i][0], groups[cut][1]))
        i = cut + 1
    return spans


class IdentityTokens:
    """Issues and resolves tokens for numbers in messages."""

    def __init__(self, db: Database, cipher: DataCipher) -> None:
        self._db = db
        self._cipher = cipher

    def tokenise(self, text: str, owner: str, now: datetime | None = None) -> str:
        """``text`` with every long non-phone number replaced by a token of ``owner``
        (the Rasa sender id of the conversation the message belongs to)."""
        spans = [
            span
            for run in _NUMBER.finditer(text)
            if not _is_phone(run.group(0))
            for span in _split_run(text, run.start(), run.end())
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
            for start, end in spans:
                digits = normalise_number(text[start:end])
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
