"""Fixtures shared by the channel tests: fakes and an in-process gateway."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.gateway import Fakes, LocalGateway, fakes, local_gateway
from tests.postgres import postgres_database


@pytest.fixture(scope="module")
def world() -> Iterator[Fakes]:
    with fakes() as outside:
        yield outside


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def channel_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Each channel test runs on both stores: the rate limit, the lease and
    de-duplication have a PostgreSQL branch of their own."""
    if request.param == "sqlite":
        folder: Path = tmp_path_factory.mktemp("store")
        yield f"sqlite:///{folder / 'bpu.sqlite3'}"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture(scope="module")
def gateway(
    world: Fakes, channel_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalGateway]:
    folder: Path = tmp_path_factory.mktemp("gateway")
    with local_gateway(world, channel_database, str(folder)) as running:
        yield running
