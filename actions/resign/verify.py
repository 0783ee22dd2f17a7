"""Verifying the identity, then deciding (PRODUCT.md §3.1 steps 3-4, §4).

The date inside the NIK is checked first, then the registry; both failures count
as attempts, and the third locks verification for the conversation. "No such NIK"
and "NIK found, other data differs" are told in the same words. Runs in a worker
thread (store and registry calls block).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.resign.decision import say_decision, say_locked
from actions.resign.services import services, today
from actions.resign.slots import BIRTH_DATE, KPJ, LOCKED, NIK, OUTCOME, REGISTRY_DOWN
from bot.core.texts import text as copy_text
from bot.messaging.conversations import ConversationKey
from bot.resignation import nik as nik_rules
from bot.resignation import verification
from bot.resignation.eligibility import IDENTITY_MISMATCH, NOT_FOUND
from bot.resignation.registry import ParticipantRecord, RegistryUnavailable

logger = logging.getLogger(__name__)


def identity_result(
    record: ParticipantRecord | None, born: date, kpj: str | None
) -> str | None:
    """``None`` when the identity is verified, else NOT_FOUND or IDENTITY_MISMATCH."""
    if record is None:
        return NOT_FOUND
    if record.birth_date != born:
        return IDENTITY_MISMATCH
    if kpj is not None and record.kpj is not None and kpj != record.kpj:
        return IDENTITY_MISMATCH
    return None


def verify(
    dispatcher: CollectingDispatcher,
    key: ConversationKey,
    slots: dict[str, Any],
    born: date,
) -> dict[str, Any]:
    """The slots after checking the NIK token in ``slots`` with ``born``."""
    nik_digits = services().tokens.resolve(slots.get(NIK) or "")
    if nik_digits is None:
        dispatcher.utter_message(text=copy_text("identity_token_expired"))
        return {NIK: None, BIRTH_DATE: None}
    nik = nik_rules.parse_nik(nik_digits)
    nik_hash = services().cipher.lookup_hash(nik.digits, kind="nik")
    with runtime.database().session() as session:
        until = verification.locked_until(session, key.sender_id)
    if until is not None:
        say_locked(dispatcher, until)
        return {BIRTH_DATE: None, OUTCOME: LOCKED}
    if not nik.matches_birth_date(born):
        return _failed(dispatcher, key, nik_hash, date_in_nik=True)
    try:
        record = services().registry.find(nik.digits)
    except RegistryUnavailable:
        logger.warning("registry unavailable", exc_info=True)
        dispatcher.utter_message(response="utter_resign_registry_down")
        return {BIRTH_DATE: None, OUTCOME: REGISTRY_DOWN}
    kpj_digits = services().tokens.resolve(slots.get(KPJ) or "")
    result = identity_result(record, born, kpj_digits)
    if result is not None or record is None:
        logger.info("verification failed: %s", result)
        return _failed(dispatcher, key, nik_hash, date_in_nik=False)
    with runtime.database().session() as session:
        verification.record_success(session, key.sender_id)
    decision = services().rules.decide(record, today())
    say_decision(dispatcher, record, decision)
    return {BIRTH_DATE: born.isoformat(), OUTCOME: decision.outcome.value}


def _failed(
    dispatcher: CollectingDispatcher,
    key: ConversationKey,
    nik_hash: str,
    *,
    date_in_nik: bool,
) -> dict[str, Any]:
    """Count a failed attempt; the date in the NIK keeps the NIK, others do not."""
    with runtime.database().session() as session:
        attempts = verification.record_failure(session, key.sender_id, nik_hash)
    if attempts.locked_until is not None:
        say_locked(dispatcher, attempts.locked_until)
        return {BIRTH_DATE: None, OUTCOME: LOCKED}
    if date_in_nik:
        dispatcher.utter_message(
            text=copy_text("identity_date_not_in_nik", left=attempts.left)
        )
        return {BIRTH_DATE: None}
    dispatcher.utter_message(response="utter_resign_verify_failed", left=attempts.left)
    return {NIK: None, BIRTH_DATE: None, KPJ: None}
