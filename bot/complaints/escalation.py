"""Past the resolution deadline: the escalation route and a ready-to-paste chronology.

PRODUCT.md §3.2 step 6. The chronology is what SP4N-LAPOR! asks for (title, chronology,
date of the event [S40]) and what the Ombudsman wants attached (time, place, officer,
proof of the earlier complaint [S48][S50]), built only from the ticket's own fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core.texts import label, long_date, long_datetime, section
from bot.core.workdays import jakarta_date
from bot.store.models import ComplaintDetails, Ticket
from bot.tickets.lifecycle import FINAL


def is_overdue(ticket: Ticket, today: date) -> bool:
    """A complaint past its resolution deadline that is neither done nor refused."""
    return (
        ticket.kind == "complaint"
        and ticket.resolution_due is not None
        and ticket.resolution_due < today
        and ticket.status not in FINAL
    )


@dataclass(frozen=True)
class ChronologyFacts:
    """The ticket's facts in words, ready for the chronology lines."""

    reference: str
    office_name: str | None
    event_at: str | None
    staff_role: str | None
    staff_said: str | None
    description: str | None
    service_wanted: str | None
    harm: str | None
    earlier_attempts: str | None
    sent_elsewhere: bool
    category: str | None
    filed_on: date
    resolution_due: date | None
    status: str
    resolution_wanted: str | None

    @classmethod
    def from_ticket(
        cls,
        ticket: Ticket,
        details: ComplaintDetails | None,
        office_name: str | None,
    ) -> ChronologyFacts:
        """Collect the facts from the ticket row and its complaint details."""
        return cls(
            reference=ticket.reference,
            office_name=office_name or ticket.office_text,
            event_at=ticket.event_at,
            staff_role=ticket.staff_role,
            staff_said=ticket.staff_said,
            description=details.description if details else None,
            service_wanted=details.service_wanted if details else None,
            harm=details.harm if details else None,
            earlier_attempts=details.earlier_attempts if details else None,
            sent_elsewhere=bool(details and details.destination_office),
            category=ticket.category,
            filed_on=jakarta_date(ticket.created_at),
            resolution_due=ticket.resolution_due,
            status=ticket.status,
            resolution_wanted=ticket.resolution_wanted,
        )


def event_text(event_at: str | None) -> str | None:
    """``Selasa, 2 Desember 2025 pukul 09.30`` from the stored ISO value."""
    if not event_at:
        return None
    moment = datetime.fromisoformat(event_at)
    return long_datetime(moment) if "T" in event_at else long_date(moment.date())


def _given(value: str | None) -> bool:
    return bool(value) and (value or "").strip().lower() not in ("tidak ada", "-")


def chronology(facts: ChronologyFacts) -> str:
    """Numbered lines in the first person, ready to paste into a complaint form."""
    lines = section("chronology")
    body: list[str] = []
    event = event_text(facts.event_at)
    if event and facts.office_name:
        body.append(
            lines["visit"].format(
                event=event,
                office=facts.office_name,
                service=facts.service_wanted or "layanan peserta BPU",
            )
        )
    if facts.staff_said:
        body.append(
            lines["refused"].format(
                role=label("staff_role", facts.staff_role).capitalize()
                if facts.staff_role
                else "Petugas",
                said=facts.staff_said,
            )
        )
    if facts.sent_elsewhere:
        body.append(lines["sent_elsewhere"])
    if facts.description:
        body.append(lines["description"].format(description=facts.description))
    if _given(facts.harm):
        body.append(lines["harm"].format(harm=facts.harm))
    if _given(facts.earlier_attempts):
        body.append(lines["attempts"].format(attempts=facts.earlier_attempts))
    body.append(
        lines["filed"].format(
            filed=long_date(facts.filed_on),
            reference=facts.reference,
            category=facts.category or "-",
        )
    )
    if facts.resolution_due is not None:
        body.append(
            lines["overdue"].format(
                resolution_due=long_date(facts.resolution_due),
                status=label("status", facts.status),
            )
        )
    if facts.resolution_wanted:
        body.append(lines["wanted"].format(wanted=facts.resolution_wanted))
    numbered = [f"{i}. {line}" for i, line in enumerate(body, start=1)]
    return "\n".join([lines["title"].format(reference=facts.reference), *numbered])
