"""A ticket's reference is unique even when another process takes it first."""

from __future__ import annotations

import pytest

from bot.parsing.references import ReferenceKind
from bot.store.db import Database
from bot.store.models import Ticket
from bot.tickets.records import get_by_reference, insert_with_new_reference


def _ticket(reference: str) -> Ticket:
    return Ticket(reference=reference, kind="complaint", channel="web")


def test_a_reference_taken_in_between_is_replaced(db: Database) -> None:
    with db.session() as session:
        taken = insert_with_new_reference(session, ReferenceKind.COMPLAINT, _ticket)
        offered: list[str] = []

        def racing(reference: str) -> Ticket:
            # The first attempt loses the race: its reference is already stored.
            offered.append(reference)
            return _ticket(taken.reference if len(offered) == 1 else reference)

        stored = insert_with_new_reference(session, ReferenceKind.COMPLAINT, racing)
    assert len(offered) == 2
    assert stored.reference == offered[1] != taken.reference
    assert stored.reference.startswith("ADU-")
    with db.session() as session:
        assert get_by_reference(session, taken.reference) is not None
        assert get_by_reference(session, stored.reference) is not None


def test_a_reference_that_keeps_clashing_fails_loudly(db: Database) -> None:
    with db.session() as session:
        taken = insert_with_new_reference(session, ReferenceKind.RESIGNATION, _ticket)
        with pytest.raises(RuntimeError, match="resignation"):
            insert_with_new_reference(
                session, ReferenceKind.RESIGNATION, lambda _: _ticket(taken.reference)
            )
