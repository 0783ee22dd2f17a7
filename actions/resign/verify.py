"""Verifying the identity by possession, then deciding (PRODUCT.md §3.1 steps 3-4, §4).

NIK and KPJ say which participant is meant; what a KTP photocopy does not give is
the registered phone: on WhatsApp the sender's own number, on Telegram a contact
shared with the button (only the sender's own), otherwise a one-time code sent to
the registered number. Until one of them is proven nothing from the registry is
said: a NIK that is not there, or whose KPJ differs, gets a code challenge that
sends nothing and is answered in the same words as a real one. Wrong codes count
per sender and per participant (bot/resignation/verification.py). Runs in a worker
thread (store, registry and code delivery block).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.resign.decision import say_decision, say_locked
from actions.resign.services import services, today
from actions.resign.slots import (
    CODE,
    CODE_ROUTE,
    CONTACT,
    CONTACT_ROUTE,
    KPJ,
    LOCKED,
    NIK,
    NO_POSSESSION,
    OUTCOME,
    POSSESSION,
    PROVEN,
    REGISTRY_DOWN,
    VERIFIED,
)
from bot.core.texts import text as copy_text
from bot.handoff import handoffs
from bot.messaging.code_sender import CodeDeliveryError
from bot.messaging.conversations import ConversationKey
from bot.resignation import codes, possession, verification
from bot.resignation.registry import ParticipantRecord, RegistryUnavailable

logger = logging.getLogger(__name__)

# The handoff reason staff see when failed verifications pass the global ceiling.
SURGE_REASON = "verification_surge"


@dataclass(frozen=True)
class Claimed:
    """Who the NIK and KPJ typed say the participant is (not yet proven)."""

    nik_hash: str
    # The registry record when NIK and KPJ both match it; never said before proof.
    record: ParticipantRecord | None


def _claimed(
    dispatcher: CollectingDispatcher, key: ConversationKey, slots: dict[str, Any]
) -> Claimed | dict[str, Any]:
    """The claimed participant, or the slots to set when it cannot be looked up."""
    tokens = services().tokens
    nik = tokens.resolve(slots.get(NIK) or "", key.sender_id)
    kpj = tokens.resolve(slots.get(KPJ) or "", key.sender_id)
    if nik is None or kpj is None:
        dispatcher.utter_message(text=copy_text("identity_token_expired"))
        return {NIK: None, KPJ: None}
    nik_hash = services().cipher.lookup_hash(nik, kind="nik")
    try:
        record = services().registry.find(nik)
    except RegistryUnavailable:
        logger.warning("registry unavailable", exc_info=True)
        dispatcher.utter_message(response="utter_resign_registry_down")
        return {OUTCOME: REGISTRY_DOWN}
    genuine = record is not None and record.kpj is not None and record.kpj == kpj
    return Claimed(nik_hash, record if genuine else None)


def _lock(
    dispatcher: CollectingDispatcher, key: ConversationKey, nik_hash: str
) -> dict[str, Any] | None:
    with runtime.database().session() as session:
        until = verification.locked_until(session, key.sender_id, nik_hash)
    if until is None:
        return None
    say_locked(dispatcher, until)
    return {OUTCOME: LOCKED}


def start(
    dispatcher: CollectingDispatcher,
    key: ConversationKey,
    slots: dict[str, Any],
    *,
    helper: bool,
) -> dict[str, Any]:
    """NIK and KPJ are given: prove possession the way the channel allows."""
    claimed = _claimed(dispatcher, key, slots)
    if not isinstance(claimed, Claimed):
        return claimed
    locked = _lock(dispatcher, key, claimed.nik_hash)
    if locked is not None:
        return locked
    if not helper:
        own = possession.sender_number_hash(services().cipher, key)
        record = claimed.record
        if (
            own is not None
            and record is not None
            and possession.same_number(services().cipher, record.phone, own)
        ):
            return verified(dispatcher, key, claimed.nik_hash, record, {})
        if key.channel == "telegram":
            return {POSSESSION: CONTACT_ROUTE, CONTACT: None, CODE: None}
    return send_code(dispatcher, key, claimed)


def send_code(
    dispatcher: CollectingDispatcher, key: ConversationKey, claimed: Claimed
) -> dict[str, Any]:
    """A one-time code to the registered number; the same words when it goes nowhere
    (no such participant, or the provider did not take it)."""
    sender = services().code_sender
    if sender is None:
        dispatcher.utter_message(response="utter_resign_code_unavailable")
        return {OUTCOME: NO_POSSESSION}
    record = claimed.record
    phone = record.phone if record is not None else None
    with runtime.database().session() as session:
        if codes.sends_left(session, claimed.nik_hash) <= 0:
            dispatcher.utter_message(response="utter_resign_code_limit")
            return {OUTCOME: NO_POSSESSION}
        code = codes.issue(
            session,
            services().cipher,
            key.sender_id,
            claimed.nik_hash,
            delivered=phone is not None,
        )
    if phone is not None:
        try:
            sender.send_code(phone, code)
        except CodeDeliveryError:
            # Said as for a NIK not in the registry: a different answer here would
            # tell whoever typed the NIK that it exists.
            logger.warning("one-time code not delivered", exc_info=True)
            with runtime.database().session() as session:
                codes.undelivered(session, key.sender_id)
    dispatcher.utter_message(response="utter_resign_code_sent")
    return {POSSESSION: CODE_ROUTE, CODE: None}


def contact(
    dispatcher: CollectingDispatcher, key: ConversationKey, slots: dict[str, Any]
) -> dict[str, Any]:
    """The answer to "share your number": the contact the gateway recorded, if any."""
    with runtime.database().session() as session:
        shared = possession.latest_contact(session, key.sender_id)
        own = shared.own if shared is not None else None
        phone_hash = shared.phone_hash if shared is not None else ""
    if own is False:
        dispatcher.utter_message(response="utter_resign_contact_not_own")
    elif own is None:
        dispatcher.utter_message(response="utter_resign_contact_missing")
    claimed = _claimed(dispatcher, key, slots)
    if not isinstance(claimed, Claimed):
        return claimed
    record = claimed.record
    if (
        own is True
        and record is not None
        and possession.same_number(services().cipher, record.phone, phone_hash)
    ):
        return verified(dispatcher, key, claimed.nik_hash, record, {CONTACT: PROVEN})
    if own is True:
        dispatcher.utter_message(response="utter_resign_contact_other_number")
    return {CONTACT: "code", **send_code(dispatcher, key, claimed)}


def check_code(
    dispatcher: CollectingDispatcher,
    key: ConversationKey,
    slots: dict[str, Any],
    typed: str,
) -> dict[str, Any]:
    """A typed code: right proves possession; wrong counts; spent or late, a person."""
    claimed = _claimed(dispatcher, key, slots)
    if not isinstance(claimed, Claimed):
        return claimed
    with runtime.database().session() as session:
        checked = codes.check(session, services().cipher, key.sender_id, typed)
        attempts = None
        if checked.check in (codes.Check.WRONG, codes.Check.SPENT):
            attempts = verification.record_failure(
                session,
                key.sender_id,
                claimed.nik_hash,
                global_per_minute=runtime.settings().verify_failures_global_per_minute,
            )
            if attempts.surge:
                # Many failures from everyone at once: someone is trying NIKs.
                # Staff see it in the queue (supervisors), with this conversation.
                logger.error("verification failures above the global ceiling")
                handoffs.open_handoff(session, key, SURGE_REASON, supervisor_only=True)
    if checked.check is codes.Check.RIGHT and claimed.record is not None:
        return verified(
            dispatcher, key, claimed.nik_hash, claimed.record, {CODE: PROVEN}
        )
    if attempts is not None and attempts.locked_until is not None:
        say_locked(dispatcher, attempts.locked_until)
        return {OUTCOME: LOCKED}
    if checked.check is codes.Check.WRONG:
        left = min(checked.left, attempts.left if attempts else checked.left)
        dispatcher.utter_message(response="utter_resign_code_wrong", left=left)
        return {CODE: None}
    if checked.check is codes.Check.SPENT:
        dispatcher.utter_message(response="utter_resign_code_spent")
    else:
        dispatcher.utter_message(response="utter_resign_code_expired")
    return {OUTCOME: NO_POSSESSION}


def verified(
    dispatcher: CollectingDispatcher,
    key: ConversationKey,
    nik_hash: str,
    record: ParticipantRecord,
    proof: dict[str, Any],
) -> dict[str, Any]:
    """Possession proven: clear the counts, then the decision (by name from now on)."""
    with runtime.database().session() as session:
        verification.record_success(session, key.sender_id, nik_hash)
    decision = services().rules.decide(record, today())
    say_decision(dispatcher, record, decision)
    return {**proof, VERIFIED: nik_hash, OUTCOME: decision.outcome.value}
