"""Consent to use personal data (UU 27/2022), recorded with the text it answered.

The consent question is the first of the form; yes and no are both recorded, with
a digest of the question's wording. A conversation whose verification is locked
stops right after the yes: the lock must hold when the participant starts again.
"""

from __future__ import annotations

from datetime import datetime

from rasa_sdk.types import DomainDict

from actions import runtime
from bot.messaging.conversations import ConversationKey
from bot.resignation import verification
from bot.resignation.requests import consent_version, record_consent

QUESTION = "utter_ask_resign_consent"


def _question_text(domain: DomainDict) -> str:
    variants = (domain.get("responses") or {}).get(QUESTION) or [{}]
    return str(variants[0].get("text") or "")


def record(key: ConversationKey, domain: DomainDict, granted: bool) -> datetime | None:
    """Record the answer; returns when the verification lock ends, if locked."""
    version = consent_version(_question_text(domain))
    with runtime.database().session() as session:
        record_consent(session, key, version, granted)
        return verification.locked_until(session, key.sender_id)
