"""Login and logout: argon2 passwords, lockout and sessions live in bot.staff.accounts.

The login form has no session yet, so its CSRF token is a double-submit cookie.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.console import security
from bot.console.auth import CSRF_MISMATCH, requires
from bot.console.context import console_of, form_text
from bot.console.pages import redirect
from bot.staff import accounts

LOGIN_FAILED = "Nama atau kata sandi salah, atau akun sedang dikunci sementara."


def _log_in(session: Session, name: str, password: str) -> str | None:
    """A new session token if the password is right and the account usable."""
    account = accounts.authenticate(session, name, password)
    return accounts.start_session(session, account) if account else None


def _login_page(request: Request, status_code: int, error: str | None) -> Response:
    """The form with a fresh double-submit CSRF token."""
    token = security.new_token()
    response = console_of(request).pages.render(
        "login.html", status_code, csrf=token, error=error
    )
    security.set_cookie(request, response, security.LOGIN_CSRF_COOKIE, token)
    return response


async def login_form(request: Request) -> Response:
    """The login page."""
    return _login_page(request, 200, None)


async def login(request: Request) -> Response:
    """Check name and password; start a session."""
    console = console_of(request)
    expected = request.cookies.get(security.LOGIN_CSRF_COOKIE)
    if not security.same_token(await form_text(request, "csrf"), expected):
        return console.pages.error(None, CSRF_MISMATCH, 403)
    name = await form_text(request, "name")
    password = await form_text(request, "password")
    token = await console.db.run(lambda s: _log_in(s, name, password))
    if token is None:
        return _login_page(request, 401, LOGIN_FAILED)
    response = redirect("/")
    security.set_cookie(request, response, security.SESSION_COOKIE, token)
    security.clear_cookie(request, response, security.LOGIN_CSRF_COOKIE)
    return response


@requires()
async def logout(request: Request) -> Response:
    """End the session everywhere."""
    token = request.cookies.get(security.SESSION_COOKIE)
    await console_of(request).db.run(lambda s: accounts.end_session(s, token))
    response = redirect("/login")
    security.clear_cookie(request, response, security.SESSION_COOKIE)
    return response


ROUTES = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
