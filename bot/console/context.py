"""What every console route reaches for: the gateway's services, who is signed in,
and the one way a route does store work and draws a page from it.

Store work never runs on the event loop: it goes through ``Database.run`` (a worker
thread, one transaction). A page is rendered inside that same session because the
templates still follow lazy relationships (``note.staff.name``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from starlette.authentication import BaseUser
from starlette.requests import Request
from starlette.responses import Response

from bot.console.pages import Pages, notice
from bot.core.crypto import DataCipher
from bot.messaging.outbound import Outbound
from bot.staff.accounts import StaffUser
from bot.store.db import Database


@dataclass(frozen=True)
class Console:
    """The console's long-lived services, kept on the console app's state."""

    db: Database
    outbound: Outbound
    cipher: DataCipher
    pages: Pages


class ConsoleUser(BaseUser):
    """A signed-in staff member, as the authentication middleware hands them on."""

    def __init__(self, staff: StaffUser) -> None:
        self.staff = staff

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.staff.name

    @property
    def identity(self) -> str:
        return str(self.staff.id)


def console_of(request: Request) -> Console:
    """The services of the console app serving ``request``."""
    console = request.app.state.console
    if not isinstance(console, Console):
        raise TypeError("the console app was built without its services")
    return console


def signed_in(request: Request) -> StaffUser | None:
    """The staff member behind the request's session cookie, if any."""
    user = request.user
    return user.staff if isinstance(user, ConsoleUser) else None


def staff_user(request: Request) -> StaffUser:
    """The signed-in staff member of a route behind ``requires``."""
    user = signed_in(request)
    if user is None:
        raise RuntimeError("console route reached without a login guard")
    return user


async def form_text(request: Request, name: str) -> str:
    """One field of the posted form, as text ("" when missing)."""
    return str((await request.form()).get(name) or "")


async def render(
    request: Request,
    template: str,
    load: Callable[[Session], Mapping[str, Any]],
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """Load a page's data and draw it, in one session off the event loop."""
    console = console_of(request)
    page_context = {
        "user": staff_user(request),
        "notice": notice(request),
        **context,
    }

    def draw(session: Session) -> Response:
        data = {**load(session), **page_context}
        return console.pages.render(template, status_code, **data)

    return await console.db.run(draw)
