"""Who is signed in, and the one guard every console route sits behind.

``SessionBackend`` runs as Starlette's ``AuthenticationMiddleware``: it reads the
session cookie and looks the session up in the database (``bot.staff.accounts``), so
a logout or a disabled account counts at once on every gateway. ``requires`` is the
guard each route declares; it owns the three checks in their old order: a login,
then the CSRF token on every POST, then the role.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
)
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from bot.console import security
from bot.console.context import ConsoleUser, console_of, signed_in
from bot.console.pages import redirect
from bot.staff import accounts
from bot.store.db import Database

Endpoint = Callable[[Request], Awaitable[Response]]

# Scopes a session grants: every account is staff; supervisors are also supervisor.
STAFF = "staff"
SUPERVISOR = "supervisor"

SESSION_ENDED = "Sesi Anda berakhir. Silakan masuk lagi."
CSRF_MISMATCH = "Permintaan ditolak: token keamanan tidak cocok."
NOT_ALLOWED = "Anda tidak berhak melakukan ini."
SUPERVISOR_ONLY = "Hanya supervisor yang boleh membuka nomor."


class SessionBackend(AuthenticationBackend):
    """The staff member behind the ``bpu_staff`` cookie, with their role as scope."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def authenticate(
        self, conn: HTTPConnection
    ) -> tuple[AuthCredentials, BaseUser] | None:
        token = conn.cookies.get(security.SESSION_COOKIE)
        if not token:
            return None
        user = await self._db.run(lambda s: accounts.user_for_token(s, token))
        if user is None:
            return None
        scopes = [STAFF, SUPERVISOR] if user.is_supervisor else [STAFF]
        return AuthCredentials(scopes), ConsoleUser(user)


def requires(
    scope: str = STAFF, *, refusal: str = NOT_ALLOWED
) -> Callable[[Endpoint], Endpoint]:
    """Guard a route: login, CSRF on POST, then ``scope``; ``refusal`` says why not.

    Without a login a page (GET) redirects to the login form and anything else is
    refused with 403, as a form posted from an expired session should not vanish
    silently into a redirect.
    """

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            user = signed_in(request)
            pages = console_of(request).pages
            if user is None:
                if request.method == "GET":
                    return redirect("/login")
                return pages.error(None, SESSION_ENDED, 403)
            if request.method == "POST":
                form = await request.form()
                if not security.same_token(form.get("csrf"), user.csrf_token):
                    return pages.error(user, CSRF_MISMATCH, 403)
            if scope not in request.auth.scopes:
                return pages.error(user, refusal, 403)
            return await endpoint(request)

        return guarded

    return decorate
