"""Reading a NIK, a KPJ and a one-time code out of the participant's message.

Answers are read from the text itself, not from NLU entities: long numbers arrive
as tokens from the gateway (bot/messaging/identity_tokens.py) and are turned back
into digits here, in memory only, to check their format. What goes back into a
slot is a fresh token. Runs in a worker thread (the tokens live in the store).
Tokens belong to one conversation: ``owner`` is its sender id
(``ConversationKey.sender_id``), and another conversation's token reads as nothing.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.resign.services import services
from actions.resign.slots import KPJ, NIK
from bot.core.texts import text as copy_text
from bot.messaging.identity_tokens import TOKEN_PATTERN, TOKEN_WORD
from bot.resignation import nik as nik_rules


def numbers(text: str, owner: str) -> tuple[list[nik_rules.NumberInText], bool]:
    """The long numbers of a message, and whether a token could not be read.

    Each token is revealed with what is stuck to it, on its own: the gateway already
    split the message where one number ends, so a NIK and a date typed together
    are not read as one 24-digit number.
    """
    tokens = services().tokens
    found: list[nik_rules.NumberInText] = []
    expired = False
    for word in TOKEN_WORD.findall(text):
        revealed = tokens.reveal(word, owner)
        expired = expired or bool(TOKEN_PATTERN.search(revealed))
        found += nik_rules.numbers_in(revealed)
    found += nik_rules.numbers_in(TOKEN_WORD.sub(" ", text))
    return found, expired


def _nik(text: str, owner: str) -> tuple[nik_rules.Nik, str | None]:
    """The NIK of the message and the KPJ digits beside it; raises what is wrong."""
    found, expired = numbers(text, owner)
    niks = [n for n in found if len(n.digits) == nik_rules.NIK_LENGTH]
    kpjs = [
        n for n in found if len(n.digits) == nik_rules.KPJ_LENGTH and not n.has_letters
    ]
    kpj = kpjs[0].digits if kpjs else None
    if niks and not niks[0].has_letters:
        return nik_rules.parse_nik(niks[0].raw), kpj
    if not found:
        key = "identity_token_expired" if expired else "identity_nik_missing"
        raise nik_rules.IdentityError(copy_text(key))
    if kpjs and not niks:
        raise nik_rules.IdentityError(copy_text("identity_kpj_given_as_nik"))
    wrong = niks[0] if niks else max(found, key=lambda n: len(n.digits))
    nik_rules.parse_nik(wrong.raw)  # raises with the precise problem
    raise nik_rules.IdentityError(copy_text("identity_nik_missing"))


def read_nik(dispatcher: CollectingDispatcher, text: str, owner: str) -> dict[str, Any]:
    """``{NIK: token}`` (and the KPJ typed with it), or ``{NIK: None}`` and why."""
    try:
        nik, kpj = _nik(text, owner)
    except nik_rules.IdentityError as problem:
        dispatcher.utter_message(text=str(problem))
        return {NIK: None}
    tokens = services().tokens
    found: dict[str, Any] = {NIK: tokens.issue(nik.digits, owner)}
    if kpj is not None:
        found[KPJ] = tokens.issue(kpj, owner)
    return found


def read_kpj(dispatcher: CollectingDispatcher, text: str, owner: str) -> dict[str, Any]:
    """``{KPJ: token}``, or ``{KPJ: None}`` and exactly what is wrong."""
    found, expired = numbers(text, owner)
    kpjs = [n for n in found if len(n.digits) == nik_rules.KPJ_LENGTH]
    try:
        if not found:
            key = "identity_token_expired" if expired else "identity_kpj_missing"
            raise nik_rules.IdentityError(copy_text(key))
        if not kpjs and any(len(n.digits) == nik_rules.NIK_LENGTH for n in found):
            raise nik_rules.IdentityError(copy_text("identity_nik_given_as_kpj"))
        wrong = kpjs[0] if kpjs else max(found, key=lambda n: len(n.digits))
        digits = nik_rules.parse_kpj(wrong.raw)  # raises with the precise problem
    except nik_rules.IdentityError as problem:
        dispatcher.utter_message(text=str(problem))
        return {KPJ: None}
    return {KPJ: services().tokens.issue(digits, owner)}


_CODE = re.compile(r"(?<![0-9])[0-9](?:[ .\-]?[0-9]){5}(?![0-9])")


def code_in(text: str) -> str | None:
    """The six digits of a one-time code in ``text`` ("123456", "123 456")."""
    if TOKEN_WORD.search(text):
        return None  # a long number is no code
    found = _CODE.findall(text)
    if len(found) != 1:
        return None
    return re.sub(r"[^0-9]", "", found[0])
