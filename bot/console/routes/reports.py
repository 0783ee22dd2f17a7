"""The charts page and its two PNGs, drawn on the server (matplotlib Agg)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.console import charts, security
from bot.console.auth import requires
from bot.console.context import console_of, staff_user

Draw = Callable[[Session, Callable[[str | None, str | None], str]], bytes]


@requires()
async def charts_page(request: Request) -> Response:
    """Complaints per office per week; requests per outcome."""
    pages = console_of(request).pages
    return pages.render("charts.html", user=staff_user(request), notice=None)


async def _png(request: Request, draw: Draw) -> Response:
    console = console_of(request)
    png = await console.db.run(lambda s: draw(s, console.pages.office_name))
    return security.secure(Response(png, media_type="image/png"))


@requires()
async def complaints_chart(request: Request) -> Response:
    """Complaints per office per week."""
    return await _png(request, charts.complaints_per_office_week)


@requires()
async def outcomes_chart(request: Request) -> Response:
    """Resignation requests per eligibility outcome."""
    return await _png(request, charts.requests_per_outcome)


ROUTES = [
    Route("/charts", charts_page, methods=["GET"]),
    Route("/charts/complaints.png", complaints_chart, methods=["GET"]),
    Route("/charts/outcomes.png", outcomes_chart, methods=["GET"]),
]
