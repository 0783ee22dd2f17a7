"""How console pages are drawn: the templates, the staff-facing notices, redirects.

Pages are plain server-rendered HTML (Jinja2 with autoescape, no JavaScript), so they
load fast on a laptop and nothing a participant types can run in a staff browser.
Every response leaves through ``security.secure`` for the console's headers.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.complaints.escalation import event_text
from bot.console import security
from bot.core.privacy import mask_identifiers
from bot.core.texts import label
from bot.core.workdays import JAKARTA
from bot.parsing.offices import Directory
from bot.resignation.eligibility import basis
from bot.staff.accounts import StaffUser

TEMPLATES = Path(__file__).parent / "templates"
MOUNT = "/staff"
MAX_REPLY_CHARS = 3000

# Short notices after an action (the query string carries only the code).
NOTICES = {
    "taken": "Percakapan sekarang Anda pegang.",
    "sent": "Balasan terkirim ke peserta.",
    "send_failed": "Balasan belum terkirim: saluran peserta gagal. Coba lagi.",
    "send_queued": (
        "Saluran peserta sedang gangguan: balasan diantrekan "
        "dan dikirim otomatis begitu pulih."
    ),
    "noted": "Catatan internal disimpan.",
    "returned": "Percakapan dikembalikan ke bot.",
    "closed": "Percakapan ditutup.",
    "status": "Status tiket diubah dan peserta diberi tahu.",
    "status_unsent": "Status tiket diubah, tetapi pesan ke peserta gagal terkirim.",
    "empty": "Tulis pesannya dulu.",
    "too_long": f"Pesan terlalu panjang (paling banyak {MAX_REPLY_CHARS} huruf).",
}


def waiting_text(since: datetime, now: datetime) -> str:
    """``5 menit``, ``2 jam 10 menit``, ``3 hari``: how long someone has waited."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} menit"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} jam {rest} menit" if rest else f"{hours} jam"
    return f"{hours // 24} hari"


def local_time(moment: datetime) -> str:
    """``24-11-2026 09.30 WIB`` in Jakarta time."""
    return moment.astimezone(JAKARTA).strftime("%d-%m-%Y %H.%M WIB")


class Pages:
    """The template environment and the office directory the pages name offices from."""

    def __init__(self, directory: Directory) -> None:
        self._directory = directory
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # Labels come from the one copy file (bot/core/texts.yml) via ``label``.
        self._env.globals.update(
            label=label,
            mask=mask_identifiers,
            local_time=local_time,
            office_name=self.office_name,
            event_text=event_text,
            rule_basis=basis,
        )

    def office_name(self, office_id: str | None, fallback: str | None = None) -> str:
        """The directory name of an office id, or what the participant typed."""
        office = self._directory.get(office_id) if office_id else None
        return office.name if office else (fallback or "-")

    def render(self, name: str, status_code: int = 200, **context: Any) -> Response:
        """One page as an HTML response with the console's headers."""
        html = self._env.get_template(name).render(**context)
        return security.secure(HTMLResponse(html, status_code=status_code))

    def error(self, user: StaffUser | None, message: str, status_code: int) -> Response:
        """The "cannot do this" page."""
        return self.render("error.html", status_code, user=user, message=message)


def redirect(path: str, notice: str | None = None) -> Response:
    """A 303 to a console path, with a notice code for the next page to show."""
    url = f"{MOUNT}{path}"
    if notice:
        url += "?" + urlencode({"n": notice})
    return security.secure(RedirectResponse(url, status_code=303))


def notice(request: Request) -> str | None:
    """The notice the redirect asked this page to show, if any."""
    return NOTICES.get(request.query_params.get("n", ""))
