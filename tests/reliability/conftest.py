"""The cluster every reliability test shares, started once per session (harness.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.harness import Cluster, running_cluster


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test body is bounded; starting the cluster (Rasa) is not counted."""
    for item in items:
        in_here = item.nodeid.startswith("tests/reliability/")
        if in_here and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(300))
