"""Console routes: login, queue, transcript, ticket, CSV export, charts.

Pages are plain server-rendered HTML (Jinja2 with autoescape, no JavaScript), so they
load fast on a laptop and nothing a participant types can run in a staff browser.
Database work runs in a worker thread; each page is rendered inside its session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Route

from bot.complaints.escalation import event_text, is_overdue
from bot.console import charts, exports, reveal, security
from bot.core.crypto import CryptoError, DataCipher
from bot.core.privacy import mask_identifiers
from bot.core.texts import label
from bot.core.texts import text as copy_text
from bot.core.workdays import JAKARTA, jakarta_date
from bot.handoff import handoffs
from bot.messaging import secrets
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import ChannelUnavailable, Outbound
from bot.parsing.offices import Directory
from bot.staff import accounts as staff
from bot.staff.accounts import StaffUser
from bot.store.db import Database
from bot.store.models import (
    AuditEntry,
    ComplaintDetails,
    Conversation,
    Handoff,
    InternalNote,
    Message,
    Staff,
    StaffMessage,
    Ticket,
    utcnow,
)
from bot.tickets import lifecycle
from bot.tickets.records import STATUSES

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
MAX_REPLY_CHARS = 3000
T = TypeVar("T")

# Short notices after an action (the query string carries only the code).
NOTICES = {
    "taken": "Percakapan sekarang Anda pegang.",
    "sent": "Balasan terkirim ke peserta.",
    "send_failed": "Balasan belum terkirim: saluran peserta gagal. Coba lagi.",
    "noted": "Catatan internal disimpan.",
    "returned": "Percakapan dikembalikan ke bot.",
    "closed": "Percakapan ditutup.",
    "status": "Status tiket diubah dan peserta diberi tahu.",
    "status_unsent": "Status tiket diubah, tetapi pesan ke peserta gagal terkirim.",
    "empty": "Tulis pesannya dulu.",
    "too_long": f"Pesan terlalu panjang (paling banyak {MAX_REPLY_CHARS} huruf).",
}
STATUS_LABELS = {
    "baru": "Baru",
    "diproses": "Diproses",
    "menunggu_peserta": "Menunggu peserta",
    "selesai": "Selesai",
    "ditolak": "Ditolak",
}
HANDOFF_LABELS = {
    "open": "Menunggu",
    "assigned": "Dipegang",
    "returned": "Kembali ke bot",
    "closed": "Ditutup",
}
REASON_LABELS = {
    handoffs.REASON_ASKED: "Peserta minta petugas",
    handoffs.REASON_SENSITIVE: "Aduan sensitif",
    handoffs.REASON_TAKEN: "Diambil petugas",
    "fallback": "Bot dua kali tidak paham",
    "verification_locked": "Verifikasi terkunci",
    "pending_claim": "Klaim sedang diproses",
    "deceased": "Peserta meninggal",
    "registry_down": "Registri tidak tersedia",
}


class Forbidden(Exception):
    """The logged-in staff member may not do this."""


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


class Console:
    """The console's routes and what they need from the gateway."""

    def __init__(
        self,
        db: Database,
        outbound: Outbound,
        cipher: DataCipher,
        directory: Directory,
    ) -> None:
        self._db = db
        self._outbound = outbound
        self._cipher = cipher
        self._directory = directory
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.globals.update(
            status_labels=STATUS_LABELS,
            handoff_labels=HANDOFF_LABELS,
            reason_labels=REASON_LABELS,
            local_time=local_time,
            office_name=self.office_name,
            event_text=event_text,
        )

    def routes(self) -> list[BaseRoute]:
        """Routes relative to the ``/staff`` mount."""
        get, post = ["GET"], ["POST"]
        return [
            Route("/", self.queue, methods=get),
            Route("/login", self.login_form, methods=get),
            Route("/login", self.login, methods=post),
            Route("/logout", self.logout, methods=post),
            Route("/console.css", self.stylesheet, methods=get),
            Route("/conversations/{cid:int}", self.conversation, methods=get),
            Route("/conversations/{cid:int}/take", self.take, methods=post),
            Route("/conversations/{cid:int}/reply", self.reply, methods=post),
            Route(
                "/conversations/{cid:int}/note", self.conversation_note, methods=post
            ),
            Route("/conversations/{cid:int}/return", self.hand_back, methods=post),
            Route("/conversations/{cid:int}/close", self.close, methods=post),
            Route("/secrets/{sid:int}/reveal", self.reveal_secret, methods=post),
            Route("/tickets.csv", self.export_csv, methods=get),
            Route("/tickets/{ref}", self.ticket, methods=get),
            Route("/tickets/{ref}/status", self.ticket_status, methods=post),
            Route("/tickets/{ref}/note", self.ticket_note, methods=post),
            Route("/tickets/{ref}/reveal-phone", self.reveal_phone, methods=post),
            Route("/charts", self.charts_page, methods=get),
            Route("/charts/complaints.png", self.complaints_chart, methods=get),
            Route("/charts/outcomes.png", self.outcomes_chart, methods=get),
        ]

    # --- helpers --------------------------------------------------------------------

    def office_name(self, office_id: str | None, fallback: str | None = None) -> str:
        """The directory name of an office id, or what the participant typed."""
        office = self._directory.get(office_id) if office_id else None
        return office.name if office else (fallback or "-")

    async def _in_session(self, work: Callable[[Session], T]) -> T:
        def run() -> T:
            with self._db.session() as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def _user(self, request: Request) -> StaffUser | None:
        token = request.cookies.get(security.SESSION_COOKIE)
        return await self._in_session(lambda s: staff.user_for_token(s, token))

    def _page(self, name: str, status_code: int = 200, **context: Any) -> Response:
        html = self._env.get_template(name).render(**context)
        return security.secure(HTMLResponse(html, status_code=status_code))

    def _redirect(self, path: str, notice: str | None = None) -> Response:
        url = f"/staff{path}"
        if notice:
            url += "?" + urlencode({"n": notice})
        return security.secure(RedirectResponse(url, status_code=303))

    def _error(self, user: StaffUser | None, message: str, status: int) -> Response:
        return self._page("error.html", status, user=user, message=message)

    async def _guard(
        self,
        request: Request,
        handler: Callable[[Request, StaffUser, dict[str, Any]], Awaitable[Response]],
    ) -> Response:
        """Login required; on POST the CSRF token must match the session's."""
        user = await self._user(request)
        if user is None:
            if request.method == "GET":
                return self._redirect("/login")
            return self._error(None, "Sesi Anda berakhir. Silakan masuk lagi.", 403)
        form: dict[str, Any] = {}
        if request.method == "POST":
            form = dict(await request.form())
            if not security.same_token(form.get("csrf"), user.csrf_token):
                return self._error(
                    user, "Permintaan ditolak: token keamanan tidak cocok.", 403
                )
        try:
            return await handler(request, user, form)
        except Forbidden as exc:
            return self._error(user, str(exc), 403)
        except handoffs.HandoffError as exc:
            return self._error(user, str(exc), 409)

    def _notice(self, request: Request) -> str | None:
        return NOTICES.get(request.query_params.get("n", ""))

    # --- login ----------------------------------------------------------------------

    async def login_form(self, request: Request) -> Response:
        """The login page, with a fresh double-submit CSRF token."""
        token = security.new_token()
        response = self._page("login.html", csrf=token, error=None)
        security.set_cookie(request, response, security.LOGIN_CSRF_COOKIE, token)
        return response

    async def login(self, request: Request) -> Response:
        """Check name and password (argon2); start a session."""
        form = await request.form()
        expected = request.cookies.get(security.LOGIN_CSRF_COOKIE)
        if not security.same_token(form.get("csrf"), expected):
            return self._error(
                None, "Permintaan ditolak: token keamanan tidak cocok.", 403
            )
        name = str(form.get("name") or "")
        password = str(form.get("password") or "")

        def check(session: Session) -> str | None:
            account = staff.authenticate(session, name, password)
            return staff.start_session(session, account) if account else None

        token = await self._in_session(check)
        if token is None:
            fresh = security.new_token()
            response = self._page(
                "login.html",
                401,
                csrf=fresh,
                error="Nama atau kata sandi salah, atau akun sedang dikunci sementara.",
            )
            security.set_cookie(request, response, security.LOGIN_CSRF_COOKIE, fresh)
            return response
        response = self._redirect("/")
        security.set_cookie(request, response, security.SESSION_COOKIE, token)
        security.clear_cookie(request, response, security.LOGIN_CSRF_COOKIE)
        return response

    async def logout(self, request: Request) -> Response:
        """End the session everywhere."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            token = request.cookies.get(security.SESSION_COOKIE)
            await self._in_session(lambda s: staff.end_session(s, token))
            response = self._redirect("/login")
            security.clear_cookie(request, response, security.SESSION_COOKIE)
            return response

        return await self._guard(request, handler)

    async def stylesheet(self, _request: Request) -> Response:
        """The console's only stylesheet (no CDN)."""
        css = (TEMPLATES / "console.css").read_text(encoding="utf-8")
        response = Response(css, media_type="text/css")
        response.headers["Cache-Control"] = "max-age=300"
        return response

    # --- queue ----------------------------------------------------------------------

    async def queue(self, request: Request) -> Response:
        """Handoffs (longest wait first), then tickets (overdue first)."""
        show_all = request.query_params.get("semua") == "1"

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            def render(session: Session) -> Response:
                now = utcnow()
                today = jakarta_date(now)
                counts = handoffs.message_counts(session)
                waiting = [
                    {
                        "h": h,
                        "waiting": waiting_text(h.created_at, now),
                        "messages": counts.get(h.conversation_id, 0),
                    }
                    for h in handoffs.list_handoffs(session, active_only=True)
                ]
                query = select(Ticket)
                if not show_all:
                    query = query.where(Ticket.status.not_in(lifecycle.FINAL))
                tickets = list(session.scalars(query))
                tickets.sort(
                    key=lambda t: (
                        not is_overdue(t, today),
                        t.resolution_due or today,
                        t.id,
                    )
                )
                rows = [{"t": t, "overdue": is_overdue(t, today)} for t in tickets]
                return self._page(
                    "queue.html",
                    user=user,
                    notice=self._notice(request),
                    waiting=waiting,
                    tickets=rows,
                    show_all=show_all,
                )

            return await self._in_session(render)

        return await self._guard(request, handler)

    # --- conversation -----------------------------------------------------------------

    async def conversation(self, request: Request) -> Response:
        """The transcript (numbers masked), notes, and what the holder can do."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            cid = int(request.path_params["cid"])
            return await self._in_session(
                lambda s: self._conversation_page(s, request, user, cid, None)
            )

        return await self._guard(request, handler)

    def _conversation_page(
        self,
        session: Session,
        request: Request,
        user: StaffUser,
        cid: int,
        revealed: dict[int, str] | None,
    ) -> Response:
        conversation = session.get(Conversation, cid)
        if conversation is None:
            return self._error(user, "Percakapan tidak ditemukan.", 404)
        messages = list(
            session.scalars(
                select(Message)
                .where(Message.conversation_id == cid)
                .order_by(Message.id)
            )
        )
        ids = [m.id for m in messages]
        authors = (
            {
                row.message_id: row.staff_id
                for row in session.scalars(
                    select(StaffMessage).where(StaffMessage.message_id.in_(ids))
                )
            }
            if ids
            else {}
        )
        names = {s.id: s.name for s in session.scalars(select(Staff))}
        notes = list(
            session.scalars(
                select(InternalNote)
                .where(InternalNote.conversation_id == cid)
                .order_by(InternalNote.id)
            )
        )
        tickets = list(
            session.scalars(
                select(Ticket).where(Ticket.conversation_id == cid).order_by(Ticket.id)
            )
        )
        active = handoffs.active_for(session, cid)
        history = list(
            session.scalars(
                select(Handoff)
                .where(Handoff.conversation_id == cid)
                .order_by(Handoff.id)
            )
        )
        return self._page(
            "conversation.html",
            user=user,
            notice=self._notice(request),
            conversation=conversation,
            messages=messages,
            authors={mid: names.get(sid, "?") for mid, sid in authors.items()},
            secrets=secrets.secrets_for(session, ids),
            revealed=revealed or {},
            notes=notes,
            tickets=tickets,
            handoff=active,
            handoff_history=history,
            holder=names.get(active.assigned_staff_id or -1) if active else None,
            mine=bool(active and active.assigned_staff_id == user.id),
            max_reply=MAX_REPLY_CHARS,
        )

    async def take(self, request: Request) -> Response:
        """Assign to me (atomic: refused if someone else already holds it)."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            cid = int(request.path_params["cid"])
            await self._in_session(lambda s: handoffs.take_over(s, cid, user))
            return self._redirect(f"/conversations/{cid}", "taken")

        return await self._guard(request, handler)

    async def reply(self, request: Request) -> Response:
        """Send a reply to the participant's channel; only the holder may."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            cid = int(request.path_params["cid"])
            body = str(form.get("text") or "").strip()
            if not body:
                return self._redirect(f"/conversations/{cid}", "empty")
            if len(body) > MAX_REPLY_CHARS:
                return self._redirect(f"/conversations/{cid}", "too_long")

            def key_of(session: Session) -> ConversationKey:
                handoff = handoffs.held_by(session, cid, user)
                conversation = handoff.conversation
                return ConversationKey(conversation.channel, conversation.external_id)

            key = await self._in_session(key_of)
            try:
                delivery = await self._outbound.send(key, BotMessage(text=body))
            except ChannelUnavailable:
                logger.warning("staff reply: channel %s not configured", key.channel)
                return self._redirect(f"/conversations/{cid}", "send_failed")
            await self._in_session(lambda s: handoffs.mark_staff_reply(s, cid, user.id))
            notice = "sent" if delivery.status == "sent" else "send_failed"
            return self._redirect(f"/conversations/{cid}", notice)

        return await self._guard(request, handler)

    async def conversation_note(self, request: Request) -> Response:
        """An internal note: staff only, never sent."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            cid = int(request.path_params["cid"])
            body = str(form.get("text") or "").strip()[:MAX_REPLY_CHARS]
            if not body:
                return self._redirect(f"/conversations/{cid}", "empty")

            def add(session: Session) -> None:
                if session.get(Conversation, cid) is None:
                    raise Forbidden("Percakapan tidak ditemukan.")
                session.add(
                    InternalNote(
                        conversation_id=cid,
                        staff_id=user.id,
                        text=mask_identifiers(body),
                    )
                )

            await self._in_session(add)
            return self._redirect(f"/conversations/{cid}", "noted")

        return await self._guard(request, handler)

    async def hand_back(self, request: Request) -> Response:
        """Give the conversation back to the bot and tell the participant."""
        return await self._finish(request, "returned", "handoff_returned")

    async def close(self, request: Request) -> Response:
        """Close the handoff and tell the participant."""
        return await self._finish(request, "closed", "handoff_closed")

    async def _finish(self, request: Request, status: str, text_key: str) -> Response:
        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            cid = int(request.path_params["cid"])

            def finish(session: Session) -> ConversationKey:
                handoff = handoffs.active_for(session, cid)
                if handoff is None:
                    raise handoffs.HandoffError(
                        "percakapan ini tidak sedang dipegang petugas"
                    )
                handoffs.finish(session, handoff.id, user, status)
                conversation = handoff.conversation
                return ConversationKey(conversation.channel, conversation.external_id)

            key = await self._in_session(finish)
            try:
                await self._outbound.send(key, BotMessage(text=copy_text(text_key)))
            except ChannelUnavailable:
                logger.warning(
                    "handoff %s: channel %s not configured", status, key.channel
                )
            return self._redirect(f"/conversations/{cid}", status)

        return await self._guard(request, handler)

    async def reveal_secret(self, request: Request) -> Response:
        """Show one masked number to a supervisor; audited before it is decrypted."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            sid = int(request.path_params["sid"])

            def show(session: Session) -> Response:
                try:
                    secret = reveal.reveal(session, sid, user, self._cipher)
                except reveal.RevealRefused as exc:
                    raise Forbidden(
                        "Hanya supervisor yang boleh membuka nomor."
                    ) from exc
                if secret is None:
                    return self._error(user, "Nomor tidak ditemukan.", 404)
                try:
                    value = reveal.decrypt(secret, self._cipher)
                except CryptoError:
                    return self._error(
                        user, "Nomor tidak bisa dibuka (kunci salah).", 500
                    )
                message = session.get(Message, secret.message_id)
                assert message is not None  # noqa: S101 - foreign key
                return self._conversation_page(
                    session, request, user, message.conversation_id, {sid: value}
                )

            return await self._in_session(show)

        return await self._guard(request, handler)

    # --- tickets ----------------------------------------------------------------------

    def _find_ticket(self, session: Session, ref: str) -> Ticket:
        from bot.tickets.records import get_by_reference

        ticket = get_by_reference(session, ref)
        if ticket is None:
            raise Forbidden("Tiket tidak ditemukan.")
        return ticket

    async def ticket(self, request: Request) -> Response:
        """Everything about one ticket: fields, deadlines, history, notes."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            ref = request.path_params["ref"]
            return await self._in_session(
                lambda s: self._ticket_page(s, request, user, ref, None, None)
            )

        return await self._guard(request, handler)

    def _ticket_page(
        self,
        session: Session,
        request: Request,
        user: StaffUser,
        ref: str,
        phone: str | None,
        error: str | None,
    ) -> Response:
        ticket = self._find_ticket(session, ref)
        details = session.get(ComplaintDetails, ticket.id)
        notes = list(
            session.scalars(
                select(InternalNote)
                .where(InternalNote.ticket_id == ticket.id)
                .order_by(InternalNote.id)
            )
        )
        today = jakarta_date(utcnow())
        return self._page(
            "ticket.html",
            400 if error else 200,
            user=user,
            notice=self._notice(request),
            error=error,
            t=ticket,
            d=details,
            mask=mask_identifiers,
            staff_role=label("staff_role", ticket.staff_role),
            overdue=is_overdue(ticket, today),
            history=lifecycle.history(session, ticket.id),
            next_statuses=[
                s for s in STATUSES if s in lifecycle.TRANSITIONS.get(ticket.status, ())
            ],
            notes=notes,
            phone=phone,
        )

    async def ticket_status(self, request: Request) -> Response:
        """Change the status (legal moves only) and tell the participant."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            ref = request.path_params["ref"]
            to_status = str(form.get("status") or "")
            note = str(form.get("note") or "")

            def change(session: Session) -> lifecycle.StatusChange | Response:
                ticket = self._find_ticket(session, ref)
                try:
                    return lifecycle.change_status(
                        session,
                        ticket,
                        to_status,
                        staff_id=user.id,
                        note=mask_identifiers(note),
                    )
                except lifecycle.TransitionError as exc:
                    # Nothing was changed: the transition is checked before any write.
                    return self._ticket_page(
                        session, request, user, ref, None, str(exc)
                    )

            result = await self._in_session(change)
            if isinstance(result, Response):
                return result
            delivered = await lifecycle.notify(self._db, self._outbound, result)
            notice = "status" if delivered == "sent" else "status_unsent"
            return self._redirect(f"/tickets/{result.reference}", notice)

        return await self._guard(request, handler)

    async def ticket_note(self, request: Request) -> Response:
        """An internal note on a ticket."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            ref = request.path_params["ref"]
            body = str(form.get("text") or "").strip()[:MAX_REPLY_CHARS]

            def add(session: Session) -> str:
                ticket = self._find_ticket(session, ref)
                if body:
                    session.add(
                        InternalNote(
                            ticket_id=ticket.id,
                            staff_id=user.id,
                            text=mask_identifiers(body),
                        )
                    )
                return ticket.reference

            reference = await self._in_session(add)
            return self._redirect(f"/tickets/{reference}", "noted" if body else "empty")

        return await self._guard(request, handler)

    async def reveal_phone(self, request: Request) -> Response:
        """Show the complainant's phone number to a supervisor, audited."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            if not user.is_supervisor:
                raise Forbidden("Hanya supervisor yang boleh membuka nomor.")
            ref = request.path_params["ref"]

            def show(session: Session) -> Response:
                ticket = self._find_ticket(session, ref)
                details = session.get(ComplaintDetails, ticket.id)
                if details is None or not details.contact_phone_encrypted:
                    return self._error(user, "Tiket ini tidak punya nomor kontak.", 404)
                session.add(
                    AuditEntry(
                        staff_id=user.id,
                        action="reveal_phone",
                        subject=f"ticket:{ticket.reference}",
                    )
                )
                session.flush()
                phone = self._cipher.decrypt(details.contact_phone_encrypted)
                return self._ticket_page(session, request, user, ref, phone, None)

            return await self._in_session(show)

        return await self._guard(request, handler)

    async def export_csv(self, request: Request) -> Response:
        """All tickets as CSV (free text masked, spreadsheet formulas defused)."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            body = await self._in_session(
                lambda s: exports.tickets_csv(s, self.office_name)
            )
            response = PlainTextResponse(body, media_type="text/csv; charset=utf-8")
            stamp = utcnow().astimezone(JAKARTA).strftime("%Y%m%d-%H%M")
            response.headers["Content-Disposition"] = (
                f'attachment; filename="tiket-{stamp}.csv"'
            )
            return security.secure(response)

        return await self._guard(request, handler)

    # --- charts -----------------------------------------------------------------------

    async def charts_page(self, request: Request) -> Response:
        """Complaints per office per week; requests per outcome."""

        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            return self._page("charts.html", user=user, notice=None)

        return await self._guard(request, handler)

    async def complaints_chart(self, request: Request) -> Response:
        """PNG, drawn on the server (matplotlib Agg)."""
        return await self._chart(request, charts.complaints_per_office_week)

    async def outcomes_chart(self, request: Request) -> Response:
        """PNG, drawn on the server (matplotlib Agg)."""
        return await self._chart(request, charts.requests_per_outcome)

    async def _chart(
        self,
        request: Request,
        draw: Callable[[Session, Callable[[str | None, str | None], str]], bytes],
    ) -> Response:
        async def handler(
            request: Request, user: StaffUser, form: dict[str, Any]
        ) -> Response:
            png = await self._in_session(lambda s: draw(s, self.office_name))
            return security.secure(Response(png, media_type="image/png"))

        return await self._guard(request, handler)
