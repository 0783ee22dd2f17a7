"""The demo registry in the store and the HTTP client against a fake core system."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.core.crypto import DataCipher
from bot.resignation.eligibility import Outcome, load_rules
from bot.resignation.registry import (
    HttpRegistry,
    RegistryUnavailable,
    SqlRegistry,
    read_csv,
)
from bot.store.db import Database
from bot.store.models import RegistryParticipant
from tests.fakes.server import ServerThread

ROOT = Path(__file__).resolve().parents[3]
CSV = ROOT / "bot" / "data" / "participants.csv"
KEY = "unit-test-data-encryption-key-0123456789"
SUTRISNO = "3309041203710003"
TOKEN = "core-token"


def test_demo_registry_finds_by_nik_and_keeps_no_plain_nik(
    db: Database, tmp_path: Path
) -> None:
    registry = SqlRegistry(db, DataCipher(KEY))
    assert registry.load(read_csv(CSV)) == 12
    assert registry.load(read_csv(CSV)) == 12  # loading again updates, not duplicates
    assert registry.count() == 12
    found = registry.find("3309 0412 0371 0003")
    assert found is not None
    assert found.full_name == "Sutrisno Wibowo"
    assert found.birth_date == date(1971, 3, 12)
    assert found.programs == ("JKK", "JKM", "JHT")
    assert found.phone == "6281325550101"  # the registered number, for possession
    assert registry.find("3309041203719999") is None
    with db.session() as session:
        rows = session.scalars(select(RegistryParticipant)).all()
        for row in rows:
            assert not row.nik_ciphertext.isdigit()
            assert len(row.nik_hash) == 64
    raw = (tmp_path / "bpu.sqlite3").read_bytes()
    for record in read_csv(CSV):
        assert record.nik.encode() not in raw
        assert record.kpj is not None and record.kpj.encode() not in raw
        assert record.phone is not None and record.phone.encode() not in raw


# --- the HTTP client ------------------------------------------------------------------

RECORD: dict[str, Any] = {
    "nik": SUTRISNO,
    "kpj": "24019876543",
    "full_name": "Sutrisno Wibowo",
    "birth_date": "1971-03-12",
    "sex": "L",
    "segment": "BPU",
    "status": "aktif",
    "programs": ["JKK", "JKM", "JHT"],
    "jht_balance": 4250000,
    "arrears_months": 0,
    "payment_channel": "gopay",
    "autodebit": False,
}


class FakeCore:
    """A core system whose behaviour each test chooses."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[tuple[str | None, Any]] = []
        self.app = Starlette(
            routes=[Route("/participants/lookup", self.lookup, methods=["POST"])]
        )

    async def lookup(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append((request.headers.get("authorization"), body))
        if self.mode == "slow":
            await asyncio.sleep(3)
        if self.mode == "error":
            return PlainTextResponse("boom", status_code=500)
        if self.mode == "garbage":
            return PlainTextResponse("<html>maintenance</html>")
        if self.mode == "wrong_shape":
            return JSONResponse({"nik": SUTRISNO})
        if self.mode == "no_segment":
            return JSONResponse({**RECORD, "segment": " "})
        if self.mode == "new_segment":
            return JSONResponse({**RECORD, "segment": "pmi"})
        if body.get("nik") != SUTRISNO:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse(RECORD)


@pytest.fixture(scope="module")
def core() -> Iterator[tuple[FakeCore, str]]:
    fake = FakeCore()
    with ServerThread(fake.app) as server:
        yield fake, server.url


@pytest.fixture
def client(core: tuple[FakeCore, str]) -> Iterator[tuple[FakeCore, HttpRegistry]]:
    fake, url = core
    fake.mode = "ok"
    registry = HttpRegistry(url, TOKEN, timeout_seconds=0.5)
    yield fake, registry
    registry.close()


def test_http_registry_finds_and_sends_the_token(
    client: tuple[FakeCore, HttpRegistry],
) -> None:
    fake, registry = client
    found = registry.find("3309-0412-0371-0003")
    assert found is not None
    assert found.full_name == "Sutrisno Wibowo"
    assert found.segment == "BPU"
    assert fake.requests[-1] == (f"Bearer {TOKEN}", {"nik": SUTRISNO})


def test_http_registry_404_is_not_found(
    client: tuple[FakeCore, HttpRegistry],
) -> None:
    _fake, registry = client
    assert registry.find("3309041203719999") is None


def test_a_segment_no_rule_names_is_a_record_for_the_catch_all(
    client: tuple[FakeCore, HttpRegistry],
) -> None:
    """Migrant workers (PMI), say: refused, the registry looked down to them."""
    fake, registry = client
    fake.mode = "new_segment"
    found = registry.find(SUTRISNO)
    assert found is not None
    assert found.segment == "PMI"
    decision = load_rules().decide(found, date(2026, 12, 3))
    assert decision.outcome is Outcome.NEEDS_STAFF


@pytest.mark.parametrize(
    "mode", ["slow", "error", "garbage", "wrong_shape", "no_segment"]
)
def test_http_registry_trouble_is_unavailable_never_not_found(
    client: tuple[FakeCore, HttpRegistry], mode: str
) -> None:
    fake, registry = client
    fake.mode = mode
    with pytest.raises(RegistryUnavailable):
        registry.find(SUTRISNO)


def test_http_registry_down_is_unavailable() -> None:
    from tests.fakes.server import free_port

    registry = HttpRegistry(f"http://127.0.0.1:{free_port()}", None, 0.5)
    try:
        with pytest.raises(RegistryUnavailable):
            registry.find(SUTRISNO)
    finally:
        registry.close()
