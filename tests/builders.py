"""Objects several tests need built the same way."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.staff.accounts import StaffUser, add_staff
from bot.store.db import Database
from bot.store.models import OutboxItem, utcnow


def make_staff(db: Database, name: str, role: str) -> StaffUser:
    """An account with a known password, as the console would see it logged in."""
    with db.session() as session:
        staff = add_staff(session, name, f"{name}-password-123", role)
        return StaffUser(id=staff.id, name=staff.name, role=staff.role, csrf_token="x")


def outbox_items(db: Database) -> list[OutboxItem]:
    """Every outbox item, oldest first."""
    with db.session() as session:
        return list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


def make_outbox_due(db: Database) -> None:
    """Move every waiting item's next attempt to now (time passing, not waited)."""
    with db.session() as session:
        for item in session.scalars(select(OutboxItem)):
            item.next_attempt_at = utcnow() - timedelta(seconds=1)
