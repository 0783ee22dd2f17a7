"""Fixtures shared by the channel tests: fakes and an in-process gateway."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.gateway import Fakes, LocalGateway, fakes, local_gateway


@pytest.fixture(scope="module")
def world() -> Iterator[Fakes]:
    with fakes() as outside:
        yield outside


@pytest.fixture(scope="module")
def gateway(
    world: Fakes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalGateway]:
    folder: Path = tmp_path_factory.mktemp("gateway")
    url = os.environ.get("TEST_CHANNELS_DATABASE_URL") or (
        f"sqlite:///{folder / 'bpu.sqlite3'}"
    )
    with local_gateway(world, url, str(folder)) as running:
        yield running
