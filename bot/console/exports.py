"""CSV export of tickets for staff (spreadsheets, reports to management).

Every export is audited, in the same transaction that reads the rows: who, when, and
which tickets (how many, up to which id, with or without the supervisor-only ones),
so a file found where it should not be can be traced to one download.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console import access
from bot.core.privacy import mask_identifiers
from bot.staff.accounts import StaffUser
from bot.store.models import AuditEntry, ComplaintDetails, Ticket, utcnow

COLUMNS = [
    "nomor",
    "jenis",
    "status",
    "kanal",
    "dibuat",
    "kantor",
    "waktu_kejadian",
    "yang_menolak",
    "kategori",
    "hasil",
    "tanggapan_pertama_paling_lambat",
    "penyelesaian_paling_lambat",
    "layanan_diurus",
    "akibat",
    "upaya_sebelumnya",
    "yang_diminta",
    "anonim",
    "rahasia",
    "sensitif",
]


def _cell(value: object) -> str:
    """Masked, and never read as a formula by a spreadsheet (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    text = mask_identifiers(str(value))
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def _audit(session: Session, viewer: StaffUser, tickets: list[Ticket]) -> None:
    scope = "termasuk" if viewer.is_supervisor else "tanpa"
    newest = max((t.id for t in tickets), default=0)
    session.add(
        AuditEntry(
            staff_id=viewer.id,
            action="export_tickets",
            subject=(
                f"tickets.csv: {len(tickets)} baris, id <= {newest}, "
                f"{scope} aduan khusus supervisor"
            ),
            created_at=utcnow(),
        )
    )


def tickets_csv(
    session: Session,
    office_name: Callable[[str | None, str | None], str],
    viewer: StaffUser,
) -> str:
    """Every ticket ``viewer`` may open, newest first, one row each; audited."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    details = {d.ticket_id: d for d in session.scalars(select(ComplaintDetails))}
    hidden = set() if viewer.is_supervisor else access.restricted_tickets(session)
    tickets = [
        t
        for t in session.scalars(select(Ticket).order_by(Ticket.created_at.desc()))
        if t.id not in hidden
    ]
    _audit(session, viewer, tickets)
    for t in tickets:
        d = details.get(t.id)
        writer.writerow(
            [
                _cell(v)
                for v in (
                    t.reference,
                    t.kind,
                    t.status,
                    t.channel,
                    t.created_at.isoformat(),
                    office_name(t.office_id, t.office_text),
                    t.event_at,
                    t.staff_role,
                    t.category,
                    t.outcome,
                    t.first_response_due,
                    t.resolution_due,
                    d.service_wanted if d else None,
                    d.harm if d else None,
                    d.earlier_attempts if d else None,
                    t.resolution_wanted,
                    d.anonymous if d else None,
                    t.confidential,
                    d.sensitive if d else None,
                )
            ]
        )
    return out.getvalue()
