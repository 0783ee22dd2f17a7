"""The migration history is one line, and it builds the tables the models declare."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text

from bot.core.crypto import DataCipher
from bot.messaging.identity_tokens import IdentityTokens
from bot.store.db import Database
from bot.store.migrate import alembic_config, upgrade
from bot.store.models import Base, Conversation, MessageSecret, VerificationCode


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
            assert session.scalars(select(MessageSecret.owner)).all() == [new]
    finally:
        db.dispose()


def test_identity_tokens_move_into_the_one_encrypted_copy_on_upgrade(
    tmp_path: Path,
) -> None:
    """0012: a token issued before keeps resolving, from ``message_secrets``; the
    second table of encrypted numbers is gone, and a message's secret is kept."""
    url = f"sqlite:///{tmp_path / 'bpu.sqlite3'}"
    upgrade(url, "0011_whatsapp_sender_hash")
    cipher = DataCipher(KEY)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO conversations (id, channel, external_id, sender_id,"
                " state, created_at, updated_at) VALUES (1, 'telegram', '77',"
                " 'telegram:77', 'bot', :now, :now)"
            ),
            {"now": "2026-12-01 00:00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO messages (id, conversation_id, channel, direction, kind,"
                " text, created_at) VALUES (1, 1, 'telegram', 'in', 'text',"
                " 'nik ************0003', :now)"
            ),
            {"now": "2026-12-01 00:00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO message_secrets (message_id, kind, masked, ciphertext)"
                " VALUES (1, 'nik', '************0003', :enc)"
            ),
            {"enc": cipher.encrypt("3309041203710003")},
        )
        for token, digits in (
            ("niktok0000000001", "3309041203710003"),
            ("kpjtok0000000002", "24019876543"),
        ):
            connection.execute(
                text(
                    "INSERT INTO identity_tokens (token, owner, ciphertext,"
                    " created_at, expires_at) VALUES (:token, 'telegram:77', :enc,"
                    " '2026-12-01 00:00:00', '2099-12-03 00:00:00')"
                ),
                {"token": token, "enc": cipher.encrypt(digits)},
            )
    engine.dispose()
    upgrade(url)

    assert "identity_tokens" not in inspect(create_engine(url)).get_table_names()
    db = Database(url)
    try:
        tokens = IdentityTokens(db, cipher)
        assert tokens.resolve("niktok0000000001", "telegram:77") == "3309041203710003"
        assert tokens.resolve("kpjtok0000000002", "telegram:77") == "24019876543"
        assert tokens.resolve("kpjtok0000000002", "telegram:78") is None
        with db.session() as session:
            rows = session.scalars(select(MessageSecret).order_by(MessageSecret.id))
            assert [(r.message_id, r.kind, r.token) for r in rows] == [
                (1, "nik", None),
                (None, "nik", "niktok0000000001"),
                (None, "kpj", "kpjtok0000000002"),
            ]
    finally:
        db.dispose()


def test_downgrading_0012_gives_the_tokens_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bpu.sqlite3'}"
    upgrade(url)
    cipher = DataCipher(KEY)
    db = Database(url)
    try:
        token = IdentityTokens(db, cipher).issue("3309041203710003", "telegram:77")
    finally:
        db.dispose()
    command.downgrade(alembic_config(url), "0011_whatsapp_sender_hash")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT token, owner, ciphertext FROM identity_tokens")
            ).all()
            left = connection.execute(
                text("SELECT COUNT(*) FROM message_secrets")
            ).scalar()
    finally:
        engine.dispose()
    assert [(r.token, r.owner) for r in rows] == [(token, "telegram:77")]
    assert cipher.decrypt(rows[0].ciphertext) == "3309041203710003"
    assert left == 0
