"""Rasa and the action server on loopback, on a fresh store, for the story runner.

The store is a temporary SQLite file with the demo registry loaded (as
``seed-demo`` does) plus the stories' own participants (``participants.csv``: a
segment no rule names, for the catch-all), and the stories' number tokens stored
(``numbers.yml``), so the actions find participants and read NIKs exactly as they do
behind the gateway. One demo participant's verification is locked, as three wrong
codes would lock it, for the story of the lock. A
token resolves only for the conversation it was issued to: each story's sender
takes the tokens over before it starts (``StoryStack.bind``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.core.crypto import DataCipher
from bot.messaging.conversations import ConversationKey, whatsapp_key
from bot.messaging.identity_tokens import IdentityTokens
from bot.resignation import verification
from bot.resignation.registry import SqlRegistry, read_csv
from bot.store.db import Database
from bot.store.migrate import upgrade
from bot.store.models import MessageSecret, utcnow
from tests.integration.processes import (
    ROOT,
    TEST_DATA_KEY,
    Process,
    RasaServer,
    start_action_server,
    start_rasa,
)

NUMBERS = Path(__file__).with_name("numbers.yml")
PARTICIPANTS = ROOT / "bot" / "data" / "participants.csv"
STORY_PARTICIPANTS = Path(__file__).with_name("participants.csv")
# Slamet Riyadi (numbers.yml: niktok7a11ed0c05): locked for the whole run.
LOCKED_NIK = "3309011402660005"
TURN_TIMEOUT = 60.0


def prepare_store(database_url: str) -> tuple[Database, IdentityTokens]:
    """Migrate, load the demo registry and the stories' tokens."""
    upgrade(database_url)
    db = Database(database_url)
    cipher = DataCipher(TEST_DATA_KEY)
    SqlRegistry(db, cipher).load(
        [*read_csv(PARTICIPANTS), *read_csv(STORY_PARTICIPANTS)]
    )
    numbers: dict[str, str] = yaml.safe_load(NUMBERS.read_text(encoding="utf-8"))
    now = utcnow()
    with db.session() as session:
        for token, digits in numbers.items():
            session.add(
                MessageSecret(
                    kind="kpj" if token.startswith("kpj") else "nik",
                    masked="",
                    ciphertext=cipher.encrypt(str(digits)),
                    token=token,
                    token_expires_at=now + timedelta(days=1),
                )
            )
        lock_verification(session, cipher.lookup_hash(LOCKED_NIK, kind="nik"))
    return db, IdentityTokens(db, cipher)


def lock_verification(session: Session, participant_hash: str) -> None:
    """Three failed checks of the participant, counted a day ahead so the lock
    (30 minutes from the third) holds however long the run takes."""
    ahead = utcnow() + timedelta(days=1)
    for _ in range(verification.MAX_FAILURES):
        verification.record_failure(session, "story-lock-seed", participant_hash, ahead)


def gateway_sender(sender: str) -> str:
    """``whatsapp:62…`` as the gateway would key it (the keyed hash of the number);
    any other sender as it is."""
    channel, _, number = sender.partition(":")
    if channel == "whatsapp" and number.isdigit():
        return whatsapp_key(DataCipher(TEST_DATA_KEY), number).sender_id
    return sender


@dataclass
class StoryStack:
    """A running Rasa server and action server sharing one store."""

    rasa: RasaServer
    actions: Process
    db: Database
    tokens: IdentityTokens
    # The conversation the stories' tokens belong to now (``bind``).
    owner: str = ""

    def bind(self, sender: str) -> None:
        """Give the stories' tokens to ``sender``'s conversation, as if it had typed
        the numbers (the actions read a token only in its own conversation)."""
        self.owner = ConversationKey.from_sender_id(sender).sender_id
        numbers = yaml.safe_load(NUMBERS.read_text(encoding="utf-8"))
        with self.db.session() as session:
            session.execute(
                update(MessageSecret)
                .where(MessageSecret.token.in_(list(numbers)))
                .values(owner=self.owner)
            )

    def send(self, sender: str, text: str) -> None:
        """One participant message through Rasa's REST channel, the whole turn."""
        response = httpx.post(
            f"{self.rasa.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers={"Authorization": f"Bearer {self.rasa.token}"},
            timeout=TURN_TIMEOUT,
        )
        response.raise_for_status()

    def events(self, sender: str) -> list[dict[str, Any]]:
        """Every event of ``sender``'s tracker."""
        response = httpx.get(
            f"{self.rasa.url}/conversations/{sender}/tracker",
            params={"include_events": "ALL", "token": self.rasa.token},
            timeout=TURN_TIMEOUT,
        )
        response.raise_for_status()
        events: list[dict[str, Any]] = response.json().get("events") or []
        return events

    def resolve(self, token: str) -> str | None:
        """The number behind a token of the bound conversation, from the store the
        actions use."""
        return self.tokens.resolve(token, self.owner)


@pytest.fixture(scope="session")
def story_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoryStack]:
    var_dir = tmp_path_factory.mktemp("stories-var")
    database_url = f"sqlite:///{var_dir / 'bpu.sqlite3'}"
    db, tokens = prepare_store(database_url)
    rasa = start_rasa()
    try:
        actions = start_action_server(
            rasa.action_port, database_url, {"BPU_VAR_DIR": str(var_dir)}
        )
    except Exception:
        rasa.process.stop()
        raise
    try:
        yield StoryStack(rasa, actions, db, tokens)
    finally:
        actions.stop()
        rasa.process.stop()
        db.dispose()


@pytest.fixture
def sender() -> str:
    """A fresh conversation for each story (locks and slots never carry over)."""
    return f"story-{uuid.uuid4().hex[:12]}"
