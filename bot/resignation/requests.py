"""Resignation requests (``BRH-``): consent, filing, and what happens next.

A request is a ticket of kind ``resignation`` that carries the eligibility decision
(outcome, rules fired, rule-set version) and the participant only as a keyed hash
and ciphertext (PRODUCT.md §8).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.core.crypto import DataCipher
from bot.core.texts import label
from bot.core.texts import text as copy_text
from bot.core.workdays import WorkingCalendar, jakarta_date
from bot.messaging.conversations import ConversationKey, find
from bot.parsing.references import ReferenceKind
from bot.resignation.eligibility import Decision
from bot.resignation.reasons import ReasonKind, reason_kind
from bot.resignation.registry import ParticipantRecord
from bot.store.models import Consent, Ticket, utcnow
from bot.tickets.records import insert_with_new_reference

CONSENT_PURPOSE = "resignation"
JMO_LIMIT = 15_000_000  # [S24][S26]
PENSION_AGE = 56  # [S19][S20]
APP_CHANNELS = frozenset({"gopay", "dana", "linkaja"})


def consent_version(consent_text: str) -> str:
    """The version of a consent text: its digest, so any change is a new version."""
    digest = hashlib.sha256(consent_text.strip().encode("utf-8")).hexdigest()
    return f"sha256:{digest[:16]}"


def record_consent(
    session: Session,
    key: ConversationKey,
    text_version: str,
    granted: bool,
    now: datetime | None = None,
) -> Consent:
    """Keep proof of the answer to the consent question (UU 27/2022 Pasal 24)."""
    consent = Consent(
        sender_id=key.sender_id,
        channel=key.channel,
        purpose=CONSENT_PURPOSE,
        text_version=text_version,
        granted=granted,
        created_at=now or utcnow(),
    )
    session.add(consent)
    session.flush()
    return consent


def channel_name(payment_channel: str) -> str:
    """``gopay`` -> ``GoPay``."""
    return label("payment_channel", payment_channel)


def rupiah(amount: int) -> str:
    """``4250000`` -> ``4.250.000``."""
    return f"{amount:,}".replace(",", ".")


def next_steps(
    record: ParticipantRecord, today: date, reason: str | None = None
) -> list[str]:
    """What the participant should do next, chosen from their record and reason."""
    return [*bill_steps(record), *jht_steps(record, today, reason)]


def bill_steps(record: ParticipantRecord) -> list[str]:
    """Bills and autodebit: they run on until staff process the request."""
    channel = channel_name(record.payment_channel)
    if record.autodebit:
        return [copy_text("resign_next_autodebit", channel=channel)]
    if record.payment_channel == "agen_perisai":
        return [copy_text("resign_next_bills_agent")]
    if record.payment_channel != "employer":
        return [copy_text("resign_next_bills_app", channel=channel)]
    return []


def jht_steps(
    record: ParticipantRecord,
    today: date,
    reason: str | None = None,
    inactive: bool = False,
) -> list[str]:
    """The JHT next step: BPU JHT is paid on stopping work or at 56 [S19][S20].

    Without either (still working, or no reason given), the balance stays and no
    claim is promised; an inactive participant hears both conditions and the route.
    Where it can be claimed, the route depends on the balance.
    """
    if "JHT" not in record.programs or record.jht_balance <= 0:
        return [copy_text("resign_next_no_jht")]
    balance = rupiah(record.jht_balance)
    if record.age_on(today) >= PENSION_AGE:
        steps = [copy_text("resign_next_jht_age")]
    elif reason_kind(reason) is ReasonKind.STOPPED_WORKING:
        steps = [copy_text("resign_next_jht_stopped_work")]
    elif inactive:
        steps = [copy_text("resign_next_jht_inactive")]
    else:
        return [copy_text("resign_next_jht_still_working", balance=balance)]
    key = (
        "resign_next_jht_jmo"
        if record.jht_balance <= JMO_LIMIT
        else "resign_next_jht_branch"
    )
    return [*steps, copy_text(key, balance=balance)]


def file_request(
    session: Session,
    key: ConversationKey,
    record: ParticipantRecord,
    decision: Decision,
    reason: str,
    cipher: DataCipher,
    calendar: WorkingCalendar,
    working_days: int,
    now: datetime | None = None,
) -> Ticket:
    """File a resignation request with its decision; returns the ticket."""
    filed_at = now or utcnow()
    due = calendar.add_working_days(jakarta_date(filed_at), working_days)
    conversation = find(session, key.sender_id)

    def build(reference: str) -> Ticket:
        return Ticket(
            reference=reference,
            kind="resignation",
            status="baru",
            channel=key.channel,
            conversation_id=conversation.id if conversation else None,
            office_id=record.registered_office,
            outcome=decision.outcome.value,
            rules_fired=decision.rules_fired,
            ruleset_version=decision.version,
            request_reason=reason,
            participant_hash=cipher.lookup_hash(record.nik, kind="nik"),
            participant_ciphertext=cipher.encrypt(record.nik),
            resolution_due=due,
            created_at=filed_at,
            updated_at=filed_at,
        )

    return insert_with_new_reference(session, ReferenceKind.RESIGNATION, build)
