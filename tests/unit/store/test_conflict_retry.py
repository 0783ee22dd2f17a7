"""A transaction PostgreSQL aborted to end a deadlock runs again; an outage does not."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import OperationalError

from bot.store.db import CONFLICT_ATTEMPTS, retry_on_conflict


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _failing(sqlstate: str, times: int) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def work() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("INSERT ...", {}, _PgError(sqlstate))
        return "recorded"

    return calls, work


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_a_deadlock_or_serialisation_failure_is_run_again(sqlstate: str) -> None:
    calls, work = _failing(sqlstate, CONFLICT_ATTEMPTS - 1)
    assert retry_on_conflict(work) == "recorded"
    assert len(calls) == CONFLICT_ATTEMPTS


def test_a_conflict_that_keeps_happening_is_raised() -> None:
    calls, work = _failing("40P01", CONFLICT_ATTEMPTS)
    with pytest.raises(OperationalError):
        retry_on_conflict(work)
    assert len(calls) == CONFLICT_ATTEMPTS


def test_an_unreachable_store_is_not_retried() -> None:
    calls, work = _failing("08006", 1)
    with pytest.raises(OperationalError):
        retry_on_conflict(work)
    assert len(calls) == 1
