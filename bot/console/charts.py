"""The console's two charts, drawn on the server as PNG (no JavaScript, no CDN).

matplotlib's object API with the Agg canvas: no global pyplot state, so two
requests drawing at once in worker threads do not interfere.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.workdays import jakarta_date
from bot.store.models import Ticket, utcnow

WEEKS = 8
NO_DATA = "Belum ada data"


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def complaints_per_office_week(
    session: Session, office_name: Callable[[str | None, str | None], str]
) -> bytes:
    """Stacked bars: complaints filed per week (Monday start), one colour per office."""
    this_week = _week_start(jakarta_date(utcnow()))
    weeks = [this_week - timedelta(weeks=i) for i in range(WEEKS - 1, -1, -1)]
    counts: Counter[tuple[date, str]] = Counter()
    for ticket in session.scalars(select(Ticket).where(Ticket.kind == "complaint")):
        week = _week_start(jakarta_date(ticket.created_at))
        if week >= weeks[0]:
            counts[(week, office_name(ticket.office_id, ticket.office_text))] += 1
    offices = sorted({office for _, office in counts})
    figure = Figure(figsize=(8, 3.6))
    axes = figure.add_subplot()
    labels = [w.strftime("%d/%m") for w in weeks]
    bottoms = [0] * len(weeks)
    for office in offices:
        values = [counts[(w, office)] for w in weeks]
        axes.bar(labels, values, bottom=bottoms, label=office)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    if not offices:
        axes.text(0.5, 0.5, NO_DATA, ha="center", va="center", transform=axes.transAxes)
    else:
        axes.legend(fontsize="small", loc="upper left")
    axes.set_title("Aduan per kantor per minggu (minggu mulai Senin)")
    axes.set_ylabel("jumlah aduan")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.tight_layout()
    return _png(figure)


def requests_per_outcome(
    session: Session, office_name: Callable[[str | None, str | None], str]
) -> bytes:
    """Horizontal bars: resignation requests per eligibility outcome."""
    counts: Counter[str] = Counter(
        ticket.outcome or "belum diputuskan"
        for ticket in session.scalars(
            select(Ticket).where(Ticket.kind == "resignation")
        )
    )
    figure = Figure(figsize=(8, 3.6))
    axes = figure.add_subplot()
    if counts:
        names = sorted(counts, key=lambda k: counts[k])
        axes.barh(names, [counts[n] for n in names], color="#2b6cb0")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        axes.text(0.5, 0.5, NO_DATA, ha="center", va="center", transform=axes.transAxes)
        axes.set_yticks([])
        axes.set_xticks([])
    axes.set_title("Permohonan berhenti per hasil pemeriksaan")
    axes.set_xlabel("jumlah permohonan")
    figure.tight_layout()
    return _png(figure)
