"""The participant registry: who is a participant, in which segment, with what status.

Two implementations behind one protocol (PRODUCT.md §4): the embedded demo registry
in our own store (loaded from ``participants.csv`` by ``seed-demo``) and an HTTP
client for a real core system. An outage is ``RegistryUnavailable`` — never ``None``,
which means "no such participant" and would send a real participant away.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import httpx
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.core.crypto import DataCipher, normalise_number, normalise_phone
from bot.store.db import Database
from bot.store.models import RegistryParticipant, utcnow

# The segments and statuses the eligibility rules name. A record with another one
# (a segment added later, such as migrant workers) is still a record: the rules'
# catch-all gives it to a person (ELG-99), where refusing it made the registry look
# down ("gangguan sistem") to a participant it had answered.
SEGMENTS = ("BPU", "PU", "JAKON")
STATUSES = ("aktif", "nonaktif", "berakhir", "meninggal")
_WORD = re.compile(r"[A-Za-z][A-Za-z_-]{0,19}")


class RegistryUnavailable(RuntimeError):
    """The registry could not answer: down, slow, or answered nonsense."""


@dataclass(frozen=True)
class ParticipantRecord:
    """What the registry knows about one participant."""

    nik: str
    kpj: str | None
    full_name: str
    birth_date: date
    sex: str
    segment: str
    status: str
    programs: tuple[str, ...]
    jht_balance: int
    arrears_months: int
    last_paid_month: str | None
    payment_channel: str
    autodebit: bool
    pending_claim: str | None
    registered_office: str | None
    employer: str | None
    # The phone number registered for the participant (international form, 62...):
    # possession of it is what verifies them (PRODUCT.md §3.1 step 3).
    phone: str | None = None

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        before_birthday = (day.month, day.day) < (
            self.birth_date.month,
            self.birth_date.day,
        )
        return day.year - self.birth_date.year - int(before_birthday)


class Registry(Protocol):
    """Looks participants up by NIK."""

    def find(self, nik: str) -> ParticipantRecord | None:
        """The participant with ``nik``; ``None`` if there is none.

        Raises ``RegistryUnavailable`` when the registry cannot answer.
        """


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "ya", "yes")


def _optional(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _phone(value: Any) -> str | None:
    text = _optional(value)
    return normalise_phone(text) if text else None


def record_from_mapping(row: Mapping[str, Any]) -> ParticipantRecord:
    """A record from a CSV row or a JSON object; ``ValueError`` if malformed."""
    try:
        programs = row.get("programs") or ()
        if isinstance(programs, str):
            programs = [p for p in programs.split(";") if p]
        record = ParticipantRecord(
            nik=normalise_number(str(row["nik"])),
            kpj=_optional(row.get("kpj")),
            full_name=str(row["full_name"]).strip(),
            birth_date=date.fromisoformat(str(row["birth_date"])),
            sex=str(row["sex"]).strip().upper(),
            segment=str(row["segment"]).strip().upper(),
            status=str(row["status"]).strip().lower(),
            programs=tuple(str(p).strip().upper() for p in programs),
            jht_balance=int(row.get("jht_balance") or 0),
            arrears_months=int(row.get("arrears_months") or 0),
            last_paid_month=_optional(row.get("last_paid_month")),
            payment_channel=str(row.get("payment_channel") or "").strip().lower(),
            autodebit=_bool(row.get("autodebit")),
            pending_claim=_optional(row.get("pending_claim")),
            registered_office=_optional(row.get("registered_office")),
            employer=_optional(row.get("employer")),
            phone=_phone(row.get("phone")),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"registry record is missing a field: {exc}") from exc
    if not _WORD.fullmatch(record.segment) or not _WORD.fullmatch(record.status):
        shown = f"{record.segment}/{record.status}"
        raise ValueError(f"malformed segment or status: {shown}")
    return record


def read_csv(path: Path) -> list[ParticipantRecord]:
    """The demo participants in ``path`` (columns as in the fixtures README)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [record_from_mapping(row) for row in csv.DictReader(handle)]


class SqlRegistry:
    """The embedded demo registry in our store; NIKs only as ciphertext and hash."""

    def __init__(self, db: Database, cipher: DataCipher) -> None:
        self._db = db
        self._cipher = cipher

    def find(self, nik: str) -> ParticipantRecord | None:
        nik_hash = self._cipher.lookup_hash(nik, kind="nik")
        try:
            with self._db.session() as session:
                row = session.scalar(
                    select(RegistryParticipant).where(
                        RegistryParticipant.nik_hash == nik_hash
                    )
                )
                if row is None:
                    return None
                return self._record(row)
        except SQLAlchemyError as exc:
            raise RegistryUnavailable("demo registry query failed") from exc

    def _record(self, row: RegistryParticipant) -> ParticipantRecord:
        kpj = self._cipher.decrypt(row.kpj_ciphertext) if row.kpj_ciphertext else None
        phone = (
            self._cipher.decrypt(row.phone_ciphertext) if row.phone_ciphertext else None
        )
        return ParticipantRecord(
            nik=self._cipher.decrypt(row.nik_ciphertext),
            kpj=kpj,
            full_name=row.full_name,
            birth_date=row.birth_date,
            sex=row.sex,
            segment=row.segment,
            status=row.status,
            programs=tuple(p for p in row.programs.split(";") if p),
            jht_balance=row.jht_balance,
            arrears_months=row.arrears_months,
            last_paid_month=row.last_paid_month,
            payment_channel=row.payment_channel,
            autodebit=row.autodebit,
            pending_claim=row.pending_claim,
            registered_office=row.registered_office,
            employer=row.employer,
            phone=phone,
        )

    def count(self) -> int:
        """How many participants the demo registry holds."""
        with self._db.session() as session:
            return int(session.scalar(select(func.count(RegistryParticipant.id))) or 0)

    def load(self, records: Iterable[ParticipantRecord]) -> int:
        """Insert or update ``records`` (keyed by the NIK's hash); returns the count."""
        now = utcnow()
        loaded = 0
        with self._db.session() as session:
            for record in records:
                nik_hash = self._cipher.lookup_hash(record.nik, kind="nik")
                row = session.scalar(
                    select(RegistryParticipant).where(
                        RegistryParticipant.nik_hash == nik_hash
                    )
                )
                if row is None:
                    row = RegistryParticipant(nik_hash=nik_hash)
                    session.add(row)
                row.nik_ciphertext = self._cipher.encrypt(record.nik)
                row.kpj_hash = (
                    self._cipher.lookup_hash(record.kpj, kind="kpj")
                    if record.kpj
                    else None
                )
                row.kpj_ciphertext = (
                    self._cipher.encrypt(record.kpj) if record.kpj else None
                )
                row.full_name = record.full_name
                row.birth_date = record.birth_date
                row.sex = record.sex
                row.segment = record.segment
                row.status = record.status
                row.programs = ";".join(record.programs)
                row.jht_balance = record.jht_balance
                row.arrears_months = record.arrears_months
                row.last_paid_month = record.last_paid_month
                row.payment_channel = record.payment_channel
                row.autodebit = record.autodebit
                row.pending_claim = record.pending_claim
                row.registered_office = record.registered_office
                row.employer = record.employer
                row.phone_hash = (
                    self._cipher.phone_hash(record.phone) if record.phone else None
                )
                row.phone_ciphertext = (
                    self._cipher.encrypt(record.phone) if record.phone else None
                )
                row.updated_at = now
                loaded += 1
        return loaded


class HttpRegistry:
    """Client for a core system's participant look-up.

    ``POST {base_url}/participants/lookup`` with ``{"nik": "..."}`` and a bearer
    token; 200 with a record, 404 when there is no such participant. Anything else
    (timeout, 5xx, a body that is not a record) is ``RegistryUnavailable``.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None,
        timeout_seconds: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0)),
            transport=transport,
        )

    def find(self, nik: str) -> ParticipantRecord | None:
        try:
            response = self._client.post(
                "/participants/lookup", json={"nik": normalise_number(nik)}
            )
        except httpx.HTTPError as exc:
            raise RegistryUnavailable(f"registry request failed: {exc!r}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise RegistryUnavailable(f"registry answered {response.status_code}")
        try:
            body = response.json()
            if not isinstance(body, dict):
                raise ValueError("not an object")
            return record_from_mapping(body)
        except ValueError as exc:
            raise RegistryUnavailable("registry answered a malformed record") from exc

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()
