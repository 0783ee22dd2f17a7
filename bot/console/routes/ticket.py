"""One ticket: its page, status changes (the participant is told), notes, the
complainant's phone for supervisors, and every ticket as CSV.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.console import commands, exports, queries, reveal, security
from bot.console.auth import SUPERVISOR, SUPERVISOR_ONLY, requires
from bot.console.context import console_of, form_text, render, staff_user
from bot.console.pages import MAX_REPLY_CHARS, redirect
from bot.core.workdays import JAKARTA
from bot.store.models import utcnow
from bot.tickets import lifecycle


def _ref(request: Request) -> str:
    return str(request.path_params["ref"])


async def _show(request: Request, ref: str, **context: Any) -> Response:
    user = staff_user(request)
    return await render(
        request, "ticket.html", lambda s: queries.ticket(s, ref, user), **context
    )


@requires()
async def ticket(request: Request) -> Response:
    """Everything about one ticket: fields, deadlines, history, notes."""
    return await _show(request, _ref(request))


@requires()
async def change_status(request: Request) -> Response:
    """Change the status (legal moves only) and tell the participant."""
    ref, user, console = _ref(request), staff_user(request), console_of(request)
    to_status = await form_text(request, "status")
    note = await form_text(request, "note")
    try:
        change = await console.db.run(
            lambda s: commands.change_ticket_status(s, ref, to_status, user, note)
        )
    except lifecycle.TransitionError as exc:
        # Nothing was changed: the transition is checked before any write.
        return await _show(request, ref, status_code=400, error=str(exc))
    delivered = await lifecycle.notify(console.db, console.outbound, change)
    notice = "status" if delivered == "sent" else "status_unsent"
    return redirect(f"/tickets/{change.reference}", notice)


@requires()
async def note(request: Request) -> Response:
    """An internal note on a ticket."""
    ref, user = _ref(request), staff_user(request)
    body = (await form_text(request, "text")).strip()[:MAX_REPLY_CHARS]
    reference = await console_of(request).db.run(
        lambda s: commands.note_ticket(s, ref, user, body)
    )
    return redirect(f"/tickets/{reference}", "noted" if body else "empty")


@requires(SUPERVISOR, refusal=SUPERVISOR_ONLY)
async def reveal_phone(request: Request) -> Response:
    """Show the complainant's phone number to a supervisor, audited."""
    ref, user, console = _ref(request), staff_user(request), console_of(request)
    phone = await console.db.run(
        lambda s: reveal.reveal_phone(s, ref, user, console.cipher)
    )
    return await _show(request, ref, phone=phone)


@requires()
async def export_csv(request: Request) -> Response:
    """The tickets the viewer may open, as CSV (masked, formulas defused); audited."""
    console, user = console_of(request), staff_user(request)
    body = await console.db.run(
        lambda s: exports.tickets_csv(s, console.pages.office_name, user)
    )
    response = PlainTextResponse(body, media_type="text/csv; charset=utf-8")
    stamp = utcnow().astimezone(JAKARTA).strftime("%Y%m%d-%H%M")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="tiket-{stamp}.csv"'
    )
    return security.secure(response)


ROUTES = [
    Route("/tickets.csv", export_csv, methods=["GET"]),
    Route("/tickets/{ref}", ticket, methods=["GET"]),
    Route("/tickets/{ref}/status", change_status, methods=["POST"]),
    Route("/tickets/{ref}/note", note, methods=["POST"]),
    Route("/tickets/{ref}/reveal-phone", reveal_phone, methods=["POST"]),
]
