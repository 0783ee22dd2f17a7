"""The migration history is one line, and it builds the tables the models declare."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text

from bot.core.crypto import DataCipher
from bot.store.db import Database
from bot.store.migrate import alembic_config, upgrade
from bot.store.models import Base, Conversation, IdentityToken, VerificationCode


def test_the_history_has_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_every_revision_but_the_first_has_a_parent() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    bases = script.get_bases()
    assert len(bases) == 1


def test_upgrading_a_fresh_database_creates_every_declared_table(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_upgrading_twice_changes_nothing(db: Database) -> None:
    url = str(db.engine.url)
    before = set(inspect(db.engine).get_table_names())
    upgrade(url)
    assert set(inspect(db.engine).get_table_names()) == before


KEY = "unit-test-data-encryption-key-0123456789"
NUMBER = "6281325550101"


def test_whatsapp_numbers_become_keyed_hashes_on_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0011: a sender id holding a number in clear is rewritten everywhere."""
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", KEY)
    url = f"sqlite:///{tmp_path / 'bpu.sqlite3'}"
    upgrade(url, "0010_digit_tail")
    old = f"whatsapp:{NUMBER}"
    now = "2026-12-01 00:00:00"
    engine = create_engine(url)
    with engine.begin() as connection:
        for id_, channel, external in ((1, "whatsapp", NUMBER), (2, "telegram", "77")):
            connection.execute(
                text(
                    "INSERT INTO conversations (id, channel, external_id, sender_id,"
                    " state, created_at, updated_at) VALUES (:id, :channel,"
                    " :external, :sender, 'bot', :now, :now)"
                ),
                {
                    "id": id_,
                    "channel": channel,
                    "external": external,
                    "sender": f"{channel}:{external}",
                    "now": now,
                },
            )
        connection.execute(
            text(
                "INSERT INTO verification_codes (sender_id, participant_hash,"
                " code_hash, salt, delivered, tries, expires_at, created_at)"
                " VALUES (:sender, 'p', 'c', 's', 1, 0, :now, :now)"
            ),
            {"sender": old, "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO identity_tokens (token, owner, ciphertext, created_at,"
                " expires_at) VALUES ('niktok0000000001', :sender, 'x', :now, :now)"
            ),
            {"sender": old, "now": now},
        )
    engine.dispose()
    upgrade(url)

    cipher = DataCipher(KEY)
    new = f"whatsapp:{cipher.phone_hash(NUMBER)}"
    db = Database(url)
    try:
        with db.session() as session:
            rows = {c.channel: c for c in session.scalars(select(Conversation))}
            whatsapp = rows["whatsapp"]
            assert (whatsapp.sender_id, whatsapp.external_id) == (
                new,
                cipher.phone_hash(NUMBER),
            )
            assert whatsapp.address_ciphertext is not None
            assert cipher.decrypt(whatsapp.address_ciphertext) == NUMBER
            assert whatsapp.address_hint == "…0101"
            assert rows["telegram"].sender_id == "telegram:77"
            assert rows["telegram"].address_ciphertext is None
            assert session.scalars(select(VerificationCode.sender_id)).all() == [new]
            assert session.scalars(select(IdentityToken.owner)).all() == [new]
    finally:
        db.dispose()
