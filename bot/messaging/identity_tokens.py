"""Long numbers leave the gateway as tokens, so Rasa's tracker never holds a NIK.

The gateway swaps every number ``bot.core.privacy`` finds in an inbound message,
phone numbers aside (a NIK or a KPJ, also when mistyped, typed with any separator,
or completing a number the previous message began), for ``niktok<10 hex>`` /
``kpjtok<10 hex>``. The action server swaps the tokens back, in memory only, to
check and verify the number. Phone numbers stay as they are: the transcript masks
them and other flows may need them.

Each typed number is encrypted once (``message_secrets``): the row the console's
audited reveal reads for the transcript's life also carries the token, valid for
two days (``record``, in the transaction that records the message). Purge then
clears the token and keeps the reveal copy; numbers without a message (``issue``,
``tokenise``) are deleted with their token.

A token belongs to the conversation whose message produced it (its Rasa sender
id, ``owner``): presented from any other conversation it resolves to nothing, so a
token seen in one chat (a log, a screenshot, a shared tracker) cannot make another
chat verify with someone else's NIK.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core import privacy
from bot.core.crypto import DataCipher
from bot.core.digit_runs import TOKEN_PATTERN
from bot.store.db import Database
from bot.store.models import MessageSecret, utcnow

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
        scan = privacy.scan(text, carried)
        if not any(found.kind != privacy.PHONE for found in scan.found):
            return text
        with self._db.session() as session:
            return self.record(session, None, text, scan.found, owner, now or utcnow())

    def record(
        self,
        session: Session,
        message_id: int | None,
        text: str,
        numbers: list[privacy.Found],
        owner: str,
        now: datetime,
        *,
        issue_tokens: bool = True,
    ) -> str:
        """Keep ``numbers`` (found in ``text``, the message ``message_id``) encrypted
        once each, and return ``text`` as Rasa gets it: every number but phones
        replaced by a token of ``owner``.

        With ``issue_tokens`` false only the reveal copies are kept (a gateway with
        no tokenising, in tests) and ``text`` comes back as it is.
        """
        parts: list[str] = []
        last = 0
        for found in numbers:
            tokened = issue_tokens and found.kind != privacy.PHONE
            token = _new_token(found.digits) if tokened else None
            session.add(
                MessageSecret(
                    message_id=message_id,
                    kind=found.kind,
                    masked=privacy.masked(found)[-32:],
                    ciphertext=self._cipher.encrypt(found.digits),
                    token=token,
                    owner=owner if token else None,
                    token_expires_at=now + LIFETIME if token else None,
                )
            )
            if token is not None:
                parts += [text[last : found.start], token]
                last = found.end
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
        row = session.scalar(select(MessageSecret).where(MessageSecret.token == token))
        if (
            row is None
            or row.token_expires_at is None
            or row.token_expires_at < now
            or row.owner != owner
        ):
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
        found = privacy.Found(0, len(digits), _kind(digits), digits)
        with self._db.session() as session:
            return self.record(session, None, digits, [found], owner, now or utcnow())


def _kind(digits: str) -> str:
    if len(digits) == KPJ_DIGITS:
        return privacy.KPJ
    return privacy.NIK if len(digits) == privacy.NIK_DIGITS else privacy.NUMBER
