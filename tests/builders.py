"""Objects several tests need built the same way."""

from __future__ import annotations

from bot.staff.accounts import StaffUser, add_staff
from bot.store.db import Database


def make_staff(db: Database, name: str, role: str) -> StaffUser:
    """An account with a known password, as the console would see it logged in."""
    with db.session() as session:
        staff = add_staff(session, name, f"{name}-password-123", role)
        return StaffUser(id=staff.id, name=staff.name, role=staff.role, csrf_token="x")
