"""Console accounts: argon2 password hashes, roles, login throttling, sessions.

Sessions live in the database (not in a signed cookie alone) so that a logout or a
disabled account takes effect at once on every gateway instance.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.models import Staff, StaffSession, utcnow

ROLES = ("agent", "supervisor")
MIN_PASSWORD_CHARS = 12
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=10)

_hasher = PasswordHasher()


class StaffError(ValueError):
    """A staff account cannot be created or changed as asked."""


@dataclass(frozen=True)
class StaffUser:
    """The logged-in staff member as the console sees them."""

    id: int
    name: str
    role: str
    csrf_token: str

    @property
    def is_supervisor(self) -> bool:
        """Supervisors may reveal masked numbers and take sensitive cases."""
        return self.role == "supervisor"


def add_staff(session: Session, name: str, password: str, role: str) -> Staff:
    """Create an account; the password is kept only as an argon2 hash."""
    name = name.strip()
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if not name or len(name) > 64:
        raise StaffError("name must be 1 to 64 characters")
    if len(password) < MIN_PASSWORD_CHARS:
        raise StaffError(
            f"password must be at least {MIN_PASSWORD_CHARS} characters long"
        )
    if session.scalar(select(Staff.id).where(Staff.name == name)) is not None:
        raise StaffError(f"staff member {name!r} already exists")
    staff = Staff(name=name, password_hash=_hasher.hash(password), role=role)
    session.add(staff)
    session.flush()
    return staff


def count_staff(session: Session) -> int:
    """How many accounts exist (``staff bootstrap`` only acts on an empty table)."""
    return len(list(session.scalars(select(Staff.id))))


def authenticate(
    session: Session, name: str, password: str, now: datetime | None = None
) -> Staff | None:
    """The account if ``password`` is right and the account is usable.

    Five wrong passwords lock the account for 15 minutes; the lock is in the
    database so it holds across gateway instances.
    """
    now = now or utcnow()
    staff = session.scalar(select(Staff).where(Staff.name == name.strip()))
    if staff is None:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    if not staff.active or (staff.locked_until and staff.locked_until > now):
        return None
    try:
        _hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        staff.failed_logins += 1
        if staff.failed_logins >= MAX_FAILED_LOGINS:
            staff.locked_until = now + LOCKOUT
            staff.failed_logins = 0
        return None
    staff.failed_logins = 0
    staff.locked_until = None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    return staff


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, staff: Staff) -> str:
    """A new login session; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_token_hash(token),
            staff_id=staff.id,
            csrf_token=secrets.token_urlsafe(32),
            expires_at=utcnow() + SESSION_LIFETIME,
        )
    )
    return token


def user_for_token(session: Session, token: str | None) -> StaffUser | None:
    """The staff member behind a session cookie, if the session is still valid."""
    if not token:
        return None
    row = session.scalar(
        select(StaffSession).where(StaffSession.token_hash == _token_hash(token))
    )
    if row is None or row.expires_at <= utcnow() or not row.staff.active:
        return None
    return StaffUser(
        id=row.staff.id,
        name=row.staff.name,
        role=row.staff.role,
        csrf_token=row.csrf_token,
    )


def end_session(session: Session, token: str | None) -> None:
    """Log out: the cookie's session stops working everywhere."""
    if token:
        session.execute(
            delete(StaffSession).where(StaffSession.token_hash == _token_hash(token))
        )
