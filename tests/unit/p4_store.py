"""A migrated SQLite store for the p4 unit tests (handoffs, lifecycle, console)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.staff import StaffUser, add_staff
from bot.store.db import Database
from bot.store.migrate import upgrade


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'bpu.sqlite3'}"
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


def make_staff(db: Database, name: str, role: str) -> StaffUser:
    """An account with a known password, as the console would see it logged in."""
    with db.session() as session:
        staff = add_staff(session, name, f"{name}-password-123", role)
        return StaffUser(id=staff.id, name=staff.name, role=staff.role, csrf_token="x")
