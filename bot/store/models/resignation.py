"""Stopping participation: the demo registry, consents, verification locks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, utcnow


class RegistryParticipant(Base):
    """The embedded demo registry: NIK and KPJ only as ciphertext and keyed hash."""

    __tablename__ = "registry_participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nik_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nik_ciphertext: Mapped[str] = mapped_column(Text, default="")
    kpj_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    kpj_ciphertext: Mapped[str | None] = mapped_column(Text)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1), default="")
    segment: Mapped[str] = mapped_column(String(8), default="")
    status: Mapped[str] = mapped_column(String(16), default="")
    programs: Mapped[str] = mapped_column(String(64), default="")
    jht_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    arrears_months: Mapped[int] = mapped_column(Integer, default=0)
    last_paid_month: Mapped[str | None] = mapped_column(String(7))
    payment_channel: Mapped[str] = mapped_column(String(32), default="")
    autodebit: Mapped[bool] = mapped_column(Boolean, default=False)
    pending_claim: Mapped[str | None] = mapped_column(String(32))
    registered_office: Mapped[str | None] = mapped_column(String(64))
    employer: Mapped[str | None] = mapped_column(String(200))
    # The registered phone number: possession of it verifies the participant.
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    phone_ciphertext: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consent(Base):
    """Proof of consent (UU 27/2022 Pasal 24): when, where, which text, the answer."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(96), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    text_version: Mapped[str] = mapped_column(String(40))
    granted: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VerificationLock(Base):
    """Failed identity checks per counter key, in the store for every process.

    ``sender_id`` holds the key: a sender (``telegram:123``) or a participant
    (``nik:<keyed hash>``), so a lock holds across conversations.
    """

    __tablename__ = "verification_locks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(96), unique=True)
    participant_hash: Mapped[str | None] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class VerificationCode(Base):
    """A one-time code sent to a registered number: only its keyed hash is kept.

    ``delivered`` is false for a challenge whose code went nowhere (no such
    participant, other data differs): it is answered exactly like a real one.
    """

    __tablename__ = "verification_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(96), index=True)
    participant_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    salt: Mapped[str] = mapped_column(String(32))
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SharedContact(Base):
    """A phone number a Telegram participant shared with the contact button.

    Written by the gateway, which saw the contact's ``user_id``; read by the action
    server. Only the number's keyed hash is kept, never the number.
    """

    __tablename__ = "shared_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(96), index=True)
    phone_hash: Mapped[str] = mapped_column(String(64))
    own: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
