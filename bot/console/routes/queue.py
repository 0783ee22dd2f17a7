"""The queue: who waits for a person, and which tickets are open or overdue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.console import queries
from bot.console.auth import requires
from bot.console.context import render, staff_user


@requires()
async def queue(request: Request) -> Response:
    """Handoffs (longest wait first), then tickets (overdue first)."""
    show_all = request.query_params.get("semua") == "1"
    user = staff_user(request)
    return await render(
        request, "queue.html", lambda s: queries.queue(s, user, show_all=show_all)
    )


ROUTES = [Route("/", queue, methods=["GET"])]
