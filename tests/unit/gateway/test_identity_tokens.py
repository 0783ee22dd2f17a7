"""Long numbers become tokens before Rasa sees them; the action server reads them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.core.crypto import DataCipher
from bot.messaging.identity_tokens import IdentityTokens
from bot.store.db import Database
from bot.store.migrate import upgrade

KEY = "unit-test-data-encryption-key-0123456789"
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)
CHAT = "telegram:1001"
OTHER = "telegram:2002"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[IdentityTokens, Path]]:
    path = tmp_path / "bpu.sqlite3"
    upgrade(f"sqlite:///{path}")
    db = Database(f"sqlite:///{path}")
    yield IdentityTokens(db, DataCipher(KEY)), path
    db.dispose()


def test_nik_and_kpj_become_tokens_and_come_back(
    store: tuple[IdentityTokens, Path],
) -> None:
    tokens, path = store
    sent = "nik 3309 0412 0371 0003 kpj 24019876543 lahir 12-03-1971"
    forwarded = tokens.tokenise(sent, CHAT, now=NOW)
    assert re.fullmatch(
        r"nik niktok[0-9a-f]{10} kpj kpjtok[0-9a-f]{10} lahir 12-03-1971", forwarded
    )
    assert tokens.reveal(forwarded, CHAT, now=NOW) == (
        "nik 3309041203710003 kpj 24019876543 lahir 12-03-1971"
    )
    raw = path.read_bytes()
    assert b"3309041203710003" not in raw
    assert b"24019876543" not in raw


def test_short_numbers_phones_and_plain_text_pass_through(
    store: tuple[IdentityTokens, Path],
) -> None:
    tokens, _path = store
    for text in ("halo", "12 agustus 1970", "0812-3456-7890", "+6281234567890", "2"):
        assert tokens.tokenise(text, CHAT, now=NOW) == text


def test_a_mistyped_nik_is_still_hidden(store: tuple[IdentityTokens, Path]) -> None:
    tokens, _path = store
    forwarded = tokens.tokenise("330904120371000", CHAT, now=NOW)
    assert forwarded.startswith("niktok")
    assert tokens.reveal(forwarded, CHAT, now=NOW) == "330904120371000"


def test_tokens_expire_after_two_days(store: tuple[IdentityTokens, Path]) -> None:
    tokens, _path = store
    token = tokens.tokenise("3309041203710003", CHAT, now=NOW)
    assert (
        tokens.resolve(token, CHAT, now=NOW + timedelta(days=1)) == "3309041203710003"
    )
    assert tokens.resolve(token, CHAT, now=NOW + timedelta(days=2, seconds=1)) is None
    assert tokens.reveal(token, CHAT, now=NOW + timedelta(days=3)) == token
    assert tokens.resolve("niktok0000000000", CHAT, now=NOW) is None


def test_a_token_resolves_only_in_the_conversation_it_was_issued_to(
    store: tuple[IdentityTokens, Path],
) -> None:
    """A token copied into another chat (or its tracker) reads as nothing there."""
    tokens, _path = store
    token = tokens.tokenise("3309041203710003", CHAT, now=NOW)
    issued = tokens.issue("24019876543", CHAT, now=NOW)
    assert tokens.resolve(token, CHAT, now=NOW) == "3309041203710003"
    assert tokens.resolve(token, OTHER, now=NOW) is None
    assert tokens.resolve(issued, OTHER, now=NOW) is None
    assert tokens.reveal(f"nik {token}", OTHER, now=NOW) == f"nik {token}"
    assert tokens.resolve(token, "", now=NOW) is None
