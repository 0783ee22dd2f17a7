"""Cookies, CSRF and response headers of the console.

The session cookie is HttpOnly, SameSite=Strict, scoped to ``/staff`` and Secure
whenever the console is reached over https (directly or behind a proxy that says so).
Every POST carries the session's CSRF token; the login form, before any session,
uses a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "bpu_staff"
LOGIN_CSRF_COOKIE = "bpu_login_csrf"
COOKIE_PATH = "/staff"

# No script at all: the console is plain HTML forms, so nothing injected can run.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def is_https(request: Request) -> bool:
    """Whether the browser reached us over https (a proxy says so in a header)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return request.url.scheme == "https" or forwarded == "https"


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """A console cookie with the safe attributes."""
    response.set_cookie(
        name,
        value,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    """Remove a console cookie."""
    response.delete_cookie(
        name,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )


def new_token() -> str:
    """A random token for CSRF."""
    return secrets.token_urlsafe(32)


def same_token(given: object, expected: str | None) -> bool:
    """Constant-time comparison of a submitted token with the expected one."""
    if not isinstance(given, str) or not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def secure(response: Response) -> Response:
    """Add the console's security headers."""
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response
