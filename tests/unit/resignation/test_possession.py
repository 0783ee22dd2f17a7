"""Possession of the registered number: phone forms, the WhatsApp sender, contacts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.core.crypto import DataCipher, normalise_phone
from bot.messaging.conversations import ConversationKey, whatsapp_key
from bot.resignation import possession
from bot.resignation.helper import speaks_for_someone
from bot.store.db import Database

CIPHER = DataCipher("k" * 40)
NOW = datetime(2026, 12, 3, 3, 0, tzinfo=timezone.utc)
REGISTERED = "6281325550101"


@pytest.mark.parametrize(
    "typed", ["081325550101", "+62 813-2555-0101", "6281325550101", "81325550101"]
)
def test_phone_numbers_compare_in_one_form(typed: str) -> None:
    assert normalise_phone(typed) == REGISTERED
    assert possession.same_number(CIPHER, REGISTERED, CIPHER.phone_hash(typed))


def test_another_number_or_none_registered_does_not_match() -> None:
    assert not possession.same_number(CIPHER, REGISTERED, CIPHER.phone_hash("0811"))
    assert not possession.same_number(CIPHER, None, CIPHER.phone_hash(REGISTERED))


def test_only_whatsapp_verifies_the_sender_number() -> None:
    whatsapp = whatsapp_key(CIPHER, "+62 813-2555-0101")
    assert whatsapp.external_id == CIPHER.phone_hash(REGISTERED)  # never the number
    assert REGISTERED not in whatsapp.sender_id
    assert possession.sender_number_hash(CIPHER, whatsapp) == CIPHER.phone_hash(
        REGISTERED
    )
    for channel in ("telegram", "webchat", "rest"):
        key = ConversationKey(channel, whatsapp.external_id)
        assert possession.sender_number_hash(CIPHER, key) is None
    # A number in clear as the id (Rasa reached without the gateway) proves nothing.
    clear = ConversationKey("whatsapp", REGISTERED)
    assert possession.sender_number_hash(CIPHER, clear) is None


def test_a_shared_contact_counts_for_ten_minutes_hashed(db: Database) -> None:
    with db.session() as session:
        possession.record_contact(
            session, CIPHER, "telegram:7", "+6281325550101", own=True, now=NOW
        )
    with db.session() as session:
        found = possession.latest_contact(session, "telegram:7", NOW)
        assert found is not None and found.own
        assert REGISTERED not in found.phone_hash
        assert possession.same_number(CIPHER, REGISTERED, found.phone_hash)
        assert possession.latest_contact(session, "telegram:8", NOW) is None
        late = NOW + possession.CONTACT_VALID + timedelta(seconds=1)
        assert possession.latest_contact(session, "telegram:7", late) is None


@pytest.mark.parametrize(
    "text",
    [
        "saya anaknya",
        "Saya anaknya pak, mau bantu bapak saya berhenti",
        "mau bantu ibu saya berhenti bpjs",
        "ini untuk ayah saya",
        "saya mewakili orang tua",
        "bapak saya mau berhenti jadi peserta",
        "aku istrinya",
    ],
)
def test_someone_helping_is_recognised(text: str) -> None:
    assert speaks_for_someone(text)


@pytest.mark.parametrize(
    "text",
    [
        "saya mau berhenti jadi peserta bpu",
        "berhenti bpjs tk saya",
        "saya sudah tidak bekerja",
        "tolong nonaktifkan kepesertaan saya",
    ],
)
def test_a_participant_speaking_for_themselves_is_not_a_helper(text: str) -> None:
    assert not speaks_for_someone(text)
