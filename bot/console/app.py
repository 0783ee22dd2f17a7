"""The staff console as one Starlette app, mounted by the gateway at ``/staff``.

It puts together the page routes (``bot.console.routes``), the session middleware
(``bot.console.auth``) and the error pages for refusals, so no route has to catch
them itself.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.auth import SUPERVISOR_ONLY, SessionBackend
from bot.console.context import Console, console_of, signed_in
from bot.console.errors import Refused
from bot.console.pages import TEMPLATES, Pages
from bot.console.reveal import RevealRefused
from bot.console.routes import auth, conversation, queue, reports, ticket
from bot.core.crypto import DataCipher
from bot.handoff.handoffs import HandoffError
from bot.messaging.outbound import Outbound
from bot.parsing.offices import Directory
from bot.store.db import Database


async def stylesheet(_request: Request) -> Response:
    """The console's only stylesheet (no CDN), read off the event loop."""
    return FileResponse(
        TEMPLATES / "console.css",
        media_type="text/css",
        headers={"Cache-Control": "max-age=300"},
    )


def _refusal_page(request: Request, message: str, status_code: int) -> Response:
    return console_of(request).pages.error(signed_in(request), message, status_code)


async def refused(request: Request, exc: Exception) -> Response:
    """A ``Refused`` from any layer, as its error page."""
    assert isinstance(exc, Refused)  # noqa: S101 - registered for Refused only
    return _refusal_page(request, exc.message, exc.status_code)


async def reveal_refused(request: Request, _exc: Exception) -> Response:
    """The store refused to reveal a number to someone who is not a supervisor."""
    return _refusal_page(request, SUPERVISOR_ONLY, 403)


async def handoff_conflict(request: Request, exc: Exception) -> Response:
    """Someone else holds the conversation, or it is no longer handed off."""
    return _refusal_page(request, str(exc), 409)


def routes() -> list[BaseRoute]:
    """Every console route, relative to the ``/staff`` mount."""
    return [
        *queue.ROUTES,
        *auth.ROUTES,
        Route("/console.css", stylesheet, methods=["GET"]),
        *conversation.ROUTES,
        *ticket.ROUTES,
        *reports.ROUTES,
    ]


def create_console(
    db: Database, outbound: Outbound, cipher: DataCipher, directory: Directory
) -> Starlette:
    """The console app with its services; mount it at ``/staff``."""
    app = Starlette(
        routes=routes(),
        middleware=[Middleware(AuthenticationMiddleware, backend=SessionBackend(db))],
        exception_handlers={
            Refused: refused,
            RevealRefused: reveal_refused,
            HandoffError: handoff_conflict,
        },
    )
    app.state.console = Console(
        db=db, outbound=outbound, cipher=cipher, pages=Pages(directory)
    )
    return app
