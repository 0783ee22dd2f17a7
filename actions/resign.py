"""Stopping participation online (PRODUCT.md §3.1): consent, identity, decision, filing.

The form's questions depend on the answers so far (``required_slots``): no consent,
no personal data; no verified identity, no reason; an outcome other than ELIGIBLE
ends the form. Answers are read from the message text itself, not from NLU
entities: numbers arrive as tokens from the gateway (``bot/identity_tokens.py``) and
are turned back into digits here, in memory only. Slots hold tokens, never a NIK.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import runtime
from bot.core.crypto import DataCipher
from bot.core.privacy import mask_value
from bot.core.texts import long_date
from bot.core.texts import text as copy_text
from bot.core.workdays import JAKARTA, WorkingCalendar, jakarta_date
from bot.messaging.conversations import ConversationKey
from bot.messaging.identity_tokens import TOKEN_PATTERN, TOKEN_WORD, IdentityTokens
from bot.resignation import nik as nik_rules
from bot.resignation import verification
from bot.resignation.eligibility import (
    IDENTITY_MISMATCH,
    NOT_FOUND,
    Decision,
    Outcome,
    RuleSet,
    load_rules,
)
from bot.resignation.registry import (
    HttpRegistry,
    ParticipantRecord,
    Registry,
    RegistryUnavailable,
    SqlRegistry,
)
from bot.resignation.requests import (
    channel_name,
    consent_version,
    file_request,
    next_steps,
    record_consent,
)

logger = logging.getLogger(__name__)

FORM = "resign_form"
CONSENT = "resign_consent"
NIK = "resign_nik"
BIRTH_DATE = "resign_birth_date"
KPJ = "resign_kpj"
REASON = "resign_reason"
CONFIRM = "resign_confirm"
OUTCOME = "resign_outcome"
ALL_SLOTS = (CONSENT, NIK, BIRTH_DATE, KPJ, REASON, CONFIRM, OUTCOME)

# Outcomes that end the form before the identity is verified.
LOCKED = "LOCKED"
REGISTRY_DOWN = "REGISTRY_UNAVAILABLE"

# Intents that ask something else in the middle of the form (answered by a rule,
# then the form asks its question again).
QUESTIONS = frozenset(
    {
        "ask_stop_bill",
        "ask_jht_claim",
        "ask_requirements",
        "ask_contribution",
        "check_eligibility",
    }
)
LEAVING = frozenset({"cancel", "request_human"})
MIN_CONFIDENCE = 0.6
MAX_REASON = 300

_YES = re.compile(
    r"^(ya+|iya+|y|yes|yup|setuju|boleh|ok|oke|okey|okay|baik|lanjut|benar|betul|"
    r"bener|nggih|inggih|sip|siap|kirim|ya kirim|ya,? kirim|ya setuju|saya setuju)\b"
)
_NO = re.compile(
    r"^(tidak|tdk|ga|gak|nggak|enggak|engga|ndak|no|nope|tolak|jangan|belum|mboten|"
    r"tidak setuju|ga setuju|gak setuju)\b"
)
_WHAT = r"nik|ktp|tanggal lahir|tgl lahir|tanggal|tgl|kpj|alasan"
_WRONG = r"salah|keliru|ganti|ubah|ralat|koreksi|diganti|diubah"
_CORRECTION = re.compile(
    rf"\b(?P<what>{_WHAT})(?:nya)?\b.{{0,20}}\b({_WRONG})\b"
    rf"|\b({_WRONG})\b.{{0,12}}\b(?P<what2>{_WHAT})(?:nya)?\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = re.compile(
    r"\?|\b(gimana|bagaimana|gmn|apa|apakah|berapa|kenapa|mengapa|kapan|bisa)\b",
    re.IGNORECASE,
)
_CORRECTED_SLOT = {
    "nik": NIK,
    "ktp": NIK,
    "kpj": KPJ,
    "alasan": REASON,
}


@dataclass(frozen=True)
class Services:
    """What the resignation actions use, built on first use."""

    cipher: DataCipher
    tokens: IdentityTokens
    registry: Registry
    rules: RuleSet
    calendar: WorkingCalendar


@lru_cache(maxsize=1)
def services() -> Services:
    """The action server's registry, rules and keys (never built at import)."""
    settings = runtime.settings()
    db = runtime.database()
    cipher = DataCipher(settings.data_key())
    registry: Registry
    if settings.registry_url:
        registry = HttpRegistry(
            settings.registry_url,
            settings.registry_token,
            settings.registry_timeout_seconds,
        )
    else:
        registry = SqlRegistry(db, cipher)
    return Services(
        cipher=cipher,
        tokens=IdentityTokens(db, cipher),
        registry=registry,
        rules=load_rules(),
        calendar=WorkingCalendar(),
    )


def handoff_events(reason: str) -> list[EventType]:
    """The one exit to a person.

    A pending claim or a deceased participant is a case only staff can finish
    (PRODUCT.md §4): the conversation goes to them with its reason. A locked
    verification or a registry outage gets an offer (§3.1): the participant may
    rather call 175 or try again later, and the lock must still hold if they do.
    """
    if reason in ("verification_locked", "registry_unavailable"):
        logger.info("handoff offered: %s", reason)
        return [FollowupAction("utter_handoff_offer")]
    logger.info("handing off: %s", reason)
    return [SlotSet("handoff_reason", reason), FollowupAction("action_handoff")]


def today() -> date:
    """Today in Jakarta: ages and deadlines are counted in Indonesian days."""
    return datetime.now(JAKARTA).date()


def _key(tracker: Tracker) -> ConversationKey:
    return ConversationKey.from_sender_id(tracker.sender_id)


def _intent(message: dict[str, Any]) -> str | None:
    intent = message.get("intent") or {}
    if float(intent.get("confidence") or 0.0) < MIN_CONFIDENCE:
        return None
    name = intent.get("name")
    return str(name) if name else None


def _pressed(message: dict[str, Any]) -> bool:
    return bool((message.get("metadata") or {}).get("button"))


def _yes_no(message: dict[str, Any], text: str) -> bool | None:
    """True, False, or None when the message is neither a yes nor a no."""
    lowered = text.strip().lower()
    if lowered in ("/affirm", "1") or _YES.match(lowered):
        return True
    if lowered in ("/deny", "2") or _NO.match(lowered):
        return False
    intent = _intent(message)
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    return None


def _corrected_slot(text: str) -> str | None:
    match = _CORRECTION.search(text)
    if not match:
        return None
    what = (match.group("what") or match.group("what2") or "").lower()
    return _CORRECTED_SLOT.get(what, BIRTH_DATE)


def required_slots(slots: dict[str, Any]) -> list[str]:
    """The questions still to ask, given the answers so far."""
    wanted = [CONSENT]
    outcome = slots.get(OUTCOME)
    if slots.get(CONSENT) is not True or outcome not in (None, Outcome.ELIGIBLE.value):
        return wanted
    wanted += [NIK, BIRTH_DATE]
    if outcome != Outcome.ELIGIBLE.value:
        return wanted
    return [*wanted, REASON, CONFIRM]


def _sources(ids: tuple[str, ...]) -> str:
    return ", ".join(ids)


class ValidateResignForm(Action):
    """Reads each answer, verifies the identity, decides, and picks the next question.

    Returning no slot at all for a requested slot makes Rasa reject the form for
    this turn, so a rule can answer a question or cancel; the form then asks again.
    """

    def name(self) -> str:
        return "validate_resign_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await asyncio.to_thread(self._run, dispatcher, tracker, domain)

    def _run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slots = {name: tracker.get_slot(name) for name in ALL_SLOTS}
        requested = tracker.get_slot("requested_slot")
        if tracker.active_loop_name != FORM or requested is None:
            # The form starts: nothing from an earlier attempt carries over.
            dispatcher.utter_message(response="utter_resign_intro")
            updates: dict[str, Any] | None = dict.fromkeys(ALL_SLOTS)
        else:
            try:
                updates = self._answer(dispatcher, tracker, domain, requested, slots)
            except SQLAlchemyError:
                logger.exception("store unavailable in the resignation form")
                dispatcher.utter_message(response="utter_resign_not_saved")
                updates = {}
        if updates is None:
            return []  # not an answer: let the rules handle it
        slots.update(updates)
        wanted = required_slots(slots)
        next_slot = next((s for s in wanted if slots.get(s) is None), None)
        if next_slot == CONFIRM:
            self._summary(dispatcher, slots)
        events: list[EventType] = [SlotSet(k, v) for k, v in updates.items()]
        events.append(SlotSet("requested_slot", next_slot))
        return events

    # --- one answer -------------------------------------------------------------

    def _answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        requested: str,
        slots: dict[str, Any],
    ) -> dict[str, Any] | None:
        message = tracker.latest_message
        text = (message.get("text") or "").strip()
        pressed = _pressed(message)
        if requested != CONSENT and not pressed:
            corrected = _corrected_slot(text)
            if corrected is not None:
                dispatcher.utter_message(text=copy_text("correction_ack"))
                return self._reset_for(corrected)
        if not pressed and self._is_interruption(message, requested, text):
            return None
        if requested == CONSENT:
            return self._consent(dispatcher, tracker, domain, message, text)
        if requested == NIK:
            return self._nik(dispatcher, tracker, slots, text)
        if requested == BIRTH_DATE:
            return self._birth_date(dispatcher, tracker, slots, text)
        if requested == REASON:
            return self._reason(dispatcher, text)
        if requested == CONFIRM:
            answer = _yes_no(message, text)
            if answer is None:
                dispatcher.utter_message(text=copy_text("yes_no_unclear"))
            return {CONFIRM: answer}
        return {}

    @staticmethod
    def _reset_for(slot: str) -> dict[str, Any]:
        if slot == REASON:
            return {REASON: None, CONFIRM: None}
        # A changed identity must be verified again, and decided again.
        reset: dict[str, Any] = {OUTCOME: None, REASON: None, CONFIRM: None}
        reset[slot] = None
        if slot == KPJ:
            reset[BIRTH_DATE] = None
        return reset

    @staticmethod
    def _is_interruption(message: dict[str, Any], requested: str, text: str) -> bool:
        intent = _intent(message)
        if intent in LEAVING:
            return True
        if intent not in QUESTIONS:
            return False
        if requested in (NIK, BIRTH_DATE) and (
            TOKEN_PATTERN.search(text) or re.search(r"\d", text)
        ):
            return False  # numbers answer the question, whatever NLU thinks
        if requested == REASON:
            # A reason often sounds like a question topic ("tagihan gopay terus").
            return bool(_QUESTION_WORDS.search(text))
        return True

    def _consent(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        message: dict[str, Any],
        text: str,
    ) -> dict[str, Any]:
        answer = _yes_no(message, text)
        if answer is None:
            dispatcher.utter_message(text=copy_text("yes_no_unclear"))
            return {CONSENT: None}
        key = _key(tracker)
        version = consent_version(_response_text(domain, "utter_ask_resign_consent"))
        db = runtime.database()
        with db.session() as session:
            record_consent(session, key, version, answer)
            until = verification.locked_until(session, key.sender_id)
        if answer and until is not None:
            self._say_locked(dispatcher, until)
            return {CONSENT: True, OUTCOME: LOCKED}
        return {CONSENT: answer}

    # --- identity -----------------------------------------------------------------

    def _nik(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        slots: dict[str, Any],
        text: str,
    ) -> dict[str, Any]:
        numbers, expired = _numbers(text)
        niks = [n for n in numbers if len(n.digits) == nik_rules.NIK_LENGTH]
        kpjs = [
            n
            for n in numbers
            if len(n.digits) == nik_rules.KPJ_LENGTH and not n.has_letters
        ]
        updates: dict[str, Any] = {}
        try:
            if niks and not niks[0].has_letters:
                nik = nik_rules.parse_nik(niks[0].raw)
            elif numbers:
                wrong = niks[0] if niks else max(numbers, key=lambda n: len(n.digits))
                if kpjs and not niks:
                    raise nik_rules.IdentityError(
                        copy_text("identity_kpj_given_as_nik")
                    )
                nik_rules.parse_nik(wrong.raw)  # raises with the precise problem
                return {NIK: None}
            elif expired:
                raise nik_rules.IdentityError(copy_text("identity_token_expired"))
            else:
                raise nik_rules.IdentityError(copy_text("identity_nik_missing"))
        except nik_rules.IdentityError as problem:
            dispatcher.utter_message(text=str(problem))
            return {NIK: None}
        tokens = services().tokens
        updates[NIK] = tokens.issue(nik.digits)
        if kpjs:
            updates[KPJ] = tokens.issue(kpjs[0].digits)
        # The date of birth may come in the same message, or be known already
        # (the NIK was corrected after the date was given).
        born = self._date_in(text)
        if born is None and slots.get(BIRTH_DATE):
            born = date.fromisoformat(str(slots[BIRTH_DATE]))
        if isinstance(born, date):
            return self._check_and_verify(
                dispatcher, tracker, {**slots, **updates}, updates, nik, born
            )
        return updates

    @staticmethod
    def _date_in(text: str) -> date | nik_rules.IdentityError | None:
        """A date of birth in ``text``, looked for outside the long numbers."""
        without_numbers = TOKEN_WORD.sub(" ", text)
        for number in nik_rules.numbers_in(without_numbers):
            without_numbers = without_numbers.replace(number.raw, " ")
        try:
            return nik_rules.find_birth_date(without_numbers, today())
        except nik_rules.IdentityError as problem:
            return problem

    def _birth_date(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        slots: dict[str, Any],
        text: str,
    ) -> dict[str, Any]:
        tokens = services().tokens
        born = self._date_in(text)
        if born is None:
            dispatcher.utter_message(text=copy_text("identity_date_missing"))
            return {BIRTH_DATE: None}
        if isinstance(born, nik_rules.IdentityError):
            dispatcher.utter_message(text=str(born))
            return {BIRTH_DATE: None}
        nik_digits = tokens.resolve(slots.get(NIK) or "")
        if nik_digits is None:
            dispatcher.utter_message(text=copy_text("identity_token_expired"))
            return {NIK: None, BIRTH_DATE: None}
        return self._check_and_verify(
            dispatcher, tracker, slots, {}, nik_rules.parse_nik(nik_digits), born
        )

    def _check_and_verify(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        slots: dict[str, Any],
        updates: dict[str, Any],
        nik: nik_rules.Nik,
        born: date,
    ) -> dict[str, Any]:
        """The date in the NIK first, then the registry; both count as attempts."""
        cipher = services().cipher
        key = _key(tracker)
        nik_hash = cipher.lookup_hash(nik.digits, kind="nik")
        db = runtime.database()
        with db.session() as session:
            until = verification.locked_until(session, key.sender_id)
        if until is not None:
            self._say_locked(dispatcher, until)
            return {**updates, OUTCOME: LOCKED}
        if not nik.matches_birth_date(born):
            return self._failed(dispatcher, key, nik_hash, updates, date_in_nik=True)
        try:
            record = services().registry.find(nik.digits)
        except RegistryUnavailable:
            logger.warning("registry unavailable", exc_info=True)
            dispatcher.utter_message(response="utter_resign_registry_down")
            return {**updates, OUTCOME: REGISTRY_DOWN}
        kpj_digits = services().tokens.resolve(slots.get(KPJ) or "")
        result = _identity_result(record, born, kpj_digits)
        if result is not None or record is None:
            logger.info("verification failed: %s", result)
            return self._failed(dispatcher, key, nik_hash, updates, date_in_nik=False)
        with db.session() as session:
            verification.record_success(session, key.sender_id)
        decision = services().rules.decide(record, today())
        self._say_decision(dispatcher, record, decision)
        return {
            **updates,
            BIRTH_DATE: born.isoformat(),
            OUTCOME: decision.outcome.value,
        }

    def _failed(
        self,
        dispatcher: CollectingDispatcher,
        key: ConversationKey,
        nik_hash: str,
        updates: dict[str, Any],
        *,
        date_in_nik: bool,
    ) -> dict[str, Any]:
        """Count a failed attempt; the date in the NIK keeps the NIK, others do not."""
        db = runtime.database()
        with db.session() as session:
            attempts = verification.record_failure(session, key.sender_id, nik_hash)
        if attempts.locked_until is not None:
            self._say_locked(dispatcher, attempts.locked_until)
            return {**updates, OUTCOME: LOCKED}
        if date_in_nik:
            dispatcher.utter_message(
                text=copy_text("identity_date_not_in_nik", left=attempts.left)
            )
            return {**updates, BIRTH_DATE: None}
        dispatcher.utter_message(
            response="utter_resign_verify_failed", left=attempts.left
        )
        return {**updates, NIK: None, BIRTH_DATE: None, KPJ: None}

    @staticmethod
    def _say_locked(dispatcher: CollectingDispatcher, until: datetime) -> None:
        dispatcher.utter_message(
            response="utter_resign_locked", until=f"{until.astimezone(JAKARTA):%H.%M}"
        )

    @staticmethod
    def _say_decision(
        dispatcher: CollectingDispatcher,
        record: ParticipantRecord,
        decision: Decision,
    ) -> None:
        jht = next_steps(record, today())
        values = {
            "name": record.full_name,
            "rule_id": decision.rule.id,
            "sources": _sources(decision.rule.sources),
            "employer": record.employer or "-",
            "status": record.status,
            "claim": record.pending_claim or "-",
            "jht_route": "\n".join(s for s in jht if "JHT" in s) or "-",
        }
        dispatcher.utter_message(response=decision.rule.message, **values)
        if decision.outcome is not Outcome.ELIGIBLE:
            return
        for note in decision.notes:
            dispatcher.utter_message(
                response=note.message,
                arrears=record.arrears_months,
                channel=channel_name(record.payment_channel),
                rule_id=note.id,
                sources=_sources(note.sources),
            )

    # --- reason and summary -----------------------------------------------------

    @staticmethod
    def _reason(dispatcher: CollectingDispatcher, text: str) -> dict[str, Any]:
        reason = " ".join(text.split())[:MAX_REASON]
        if len(reason) < 3 or reason.startswith("/"):
            dispatcher.utter_message(text=copy_text("reason_too_short"))
            return {REASON: None}
        return {REASON: reason}

    def _summary(self, dispatcher: CollectingDispatcher, slots: dict[str, Any]) -> None:
        try:
            record = _verified_record(slots)
        except RegistryUnavailable:
            record = None
        if record is None:
            return  # the question alone still makes sense
        dispatcher.utter_message(
            response="utter_resign_summary",
            name=record.full_name,
            nik_masked=mask_value(record.nik),
            reason=slots.get(REASON) or "-",
        )


def _numbers(text: str) -> tuple[list[nik_rules.NumberInText], bool]:
    """The long numbers of a message, and whether a token could not be read.

    Each token is revealed with what is stuck to it, on its own: the gateway already
    split the message where one number ends, so a NIK and a date typed together
    are not read as one 24-digit number.
    """
    tokens = services().tokens
    found: list[nik_rules.NumberInText] = []
    expired = False
    for word in TOKEN_WORD.findall(text):
        revealed = tokens.reveal(word)
        expired = expired or bool(TOKEN_PATTERN.search(revealed))
        found += nik_rules.numbers_in(revealed)
    found += nik_rules.numbers_in(TOKEN_WORD.sub(" ", text))
    return found, expired


def _identity_result(
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


def _verified_record(slots: dict[str, Any]) -> ParticipantRecord | None:
    """The registry record behind the NIK token, looked up again."""
    digits = services().tokens.resolve(slots.get(NIK) or "")
    if digits is None:
        return None
    return services().registry.find(digits)


def _response_text(domain: DomainDict, name: str) -> str:
    variants = (domain.get("responses") or {}).get(name) or [{}]
    return str(variants[0].get("text") or "")


def _reset() -> list[EventType]:
    return [SlotSet(name, None) for name in ALL_SLOTS]


class ActionResignFinish(Action):
    """After the form: file the request, or say the other route, or offer a person."""

    def name(self) -> str:
        return "action_resign_finish"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slots = {name: tracker.get_slot(name) for name in ALL_SLOTS}
        if slots[CONSENT] is False:
            dispatcher.utter_message(response="utter_resign_no_consent")
            return _reset()
        outcome = slots[OUTCOME]
        handoff = {
            LOCKED: "verification_locked",
            REGISTRY_DOWN: "registry_unavailable",
            Outcome.PENDING_CLAIM.value: "pending_claim",
            Outcome.DECEASED.value: "deceased",
        }
        if outcome in handoff:
            return [*_reset(), *handoff_events(handoff[outcome])]
        if outcome != Outcome.ELIGIBLE.value:
            return _reset()  # the outcome and its route were said at the decision
        if slots[CONFIRM] is not True:
            dispatcher.utter_message(response="utter_resign_not_sent")
            return _reset()
        try:
            return await asyncio.to_thread(self._file, dispatcher, tracker, slots)
        except (SQLAlchemyError, RegistryUnavailable):
            logger.exception("could not file a resignation request")
            dispatcher.utter_message(response="utter_resign_not_saved")
            return []

    def _file(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        slots: dict[str, Any],
    ) -> list[EventType]:
        record = _verified_record(slots)
        if record is None:
            dispatcher.utter_message(text=copy_text("identity_token_expired"))
            return _reset()
        decision = services().rules.decide(record, today())
        if decision.outcome is not Outcome.ELIGIBLE:
            # The record changed since the check: say the new decision instead.
            ValidateResignForm._say_decision(dispatcher, record, decision)
            return _reset()
        settings = runtime.settings()
        key = _key(tracker)
        with runtime.database().session() as session:
            ticket = file_request(
                session,
                key,
                record,
                decision,
                str(slots[REASON]),
                services().cipher,
                services().calendar,
                settings.resignation_processing_working_days,
            )
            reference, due = ticket.reference, ticket.resolution_due
        dispatcher.utter_message(
            response="utter_resign_filed",
            reference=reference,
            due=long_date(due) if due is not None else "-",
            steps="\n".join(next_steps(record, jakarta_date(datetime.now(JAKARTA)))),
        )
        return _reset()


class ActionResignCancel(Action):
    """ "batal" in the middle of the form: say so and forget the answers."""

    action_name = "action_resign_cancel"
    response: str | None = "utter_resign_cancelled"

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if self.response is not None:
            dispatcher.utter_message(response=self.response)
        return [*_reset(), SlotSet("requested_slot", None)]


class ActionResignForget(ActionResignCancel):
    """The form stopped for a handoff: forget its answers without a word.

    The handoff message already told the participant what happens next; a second
    "cancelled" message would only confuse.
    """

    action_name = "action_resign_forget"
    response = None
