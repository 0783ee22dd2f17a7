"""One conversation: the transcript, and taking, answering and handing it back.

Replies and the hand-back message go to the participant's own channel through
``Outbound`` (recorded in the transcript like the bot's replies).
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.console import commands, queries, reveal
from bot.console.auth import SUPERVISOR, SUPERVISOR_ONLY, requires
from bot.console.context import console_of, form_text, render, staff_user
from bot.console.pages import MAX_REPLY_CHARS, redirect
from bot.core.texts import text as copy_text
from bot.handoff import handoffs
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import ChannelUnavailable

logger = logging.getLogger(__name__)


def _cid(request: Request) -> int:
    return int(request.path_params["cid"])


async def _show(
    request: Request, cid: int, revealed: dict[int, str] | None = None
) -> Response:
    user = staff_user(request)
    return await render(
        request,
        "conversation.html",
        lambda s: queries.conversation(s, cid, user),
        revealed=revealed or {},
        max_reply=MAX_REPLY_CHARS,
    )


# The console's notice for how a reply went ("pending": queued for a retry).
SEND_NOTICES = {"sent": "sent", "pending": "send_queued"}


@requires()
async def conversation(request: Request) -> Response:
    """The transcript (numbers masked), notes, and what the holder can do."""
    return await _show(request, _cid(request))


@requires()
async def take(request: Request) -> Response:
    """Assign to me (atomic: refused if someone else already holds it)."""
    cid, user = _cid(request), staff_user(request)
    await console_of(request).db.run(lambda s: commands.take(s, cid, user))
    return redirect(f"/conversations/{cid}", "taken")


@requires()
async def reply(request: Request) -> Response:
    """Send a reply to the participant's channel; only the holder may."""
    cid, user, console = _cid(request), staff_user(request), console_of(request)
    body = (await form_text(request, "text")).strip()
    if not body:
        return redirect(f"/conversations/{cid}", "empty")
    if len(body) > MAX_REPLY_CHARS:
        return redirect(f"/conversations/{cid}", "too_long")
    outbound = console.outbound

    def queue(session: Session) -> tuple[int, int]:
        # The reply, its outbox item and the handoff's note of it: one transaction.
        key = commands.held_conversation_key(session, cid, user)
        outbound.require(key.channel)
        item = outbound.enqueue(session, key, BotMessage(text=body), origin="staff")
        handoffs.mark_staff_reply(session, cid, user.id)
        return item.conversation_id, item.id

    try:
        conversation_id, item_id = await console.db.run(queue)
    except ChannelUnavailable as exc:
        logger.warning("staff reply: %s", exc)
        return redirect(f"/conversations/{cid}", "send_failed")
    (delivery,) = await outbound.deliver_queued(conversation_id, [item_id])
    return redirect(
        f"/conversations/{cid}", SEND_NOTICES.get(delivery.status, "send_failed")
    )


@requires()
async def note(request: Request) -> Response:
    """An internal note: staff only, never sent."""
    cid, user = _cid(request), staff_user(request)
    body = (await form_text(request, "text")).strip()[:MAX_REPLY_CHARS]
    if not body:
        return redirect(f"/conversations/{cid}", "empty")
    await console_of(request).db.run(
        lambda s: commands.note_conversation(s, cid, user, body)
    )
    return redirect(f"/conversations/{cid}", "noted")


async def _finish(request: Request, status: str, text_key: str) -> Response:
    """End the handoff as ``status`` and tell the participant the bot is back."""
    cid, user, console = _cid(request), staff_user(request), console_of(request)
    outbound = console.outbound

    def finish(session: Session) -> tuple[int, int] | None:
        # The handoff's end and the message saying so: one transaction.
        key = commands.finish_handoff(session, cid, user, status)
        if key.channel not in outbound.channels:
            logger.warning("handoff %s: channel %s not configured", status, key.channel)
            return None
        message = BotMessage(text=copy_text(text_key))
        item = outbound.enqueue(session, key, message, origin="staff")
        return item.conversation_id, item.id

    queued = await console.db.run(finish)
    if queued is not None:
        await outbound.deliver_queued(queued[0], [queued[1]])
    return redirect(f"/conversations/{cid}", status)


@requires()
async def hand_back(request: Request) -> Response:
    """Give the conversation back to the bot and tell the participant."""
    return await _finish(request, "returned", "handoff_returned")


@requires()
async def close(request: Request) -> Response:
    """Close the handoff and tell the participant."""
    return await _finish(request, "closed", "handoff_closed")


@requires(SUPERVISOR, refusal=SUPERVISOR_ONLY)
async def reveal_secret(request: Request) -> Response:
    """Show one masked number to a supervisor; audited before it is decrypted."""
    sid, user, console = (
        int(request.path_params["sid"]),
        staff_user(request),
        console_of(request),
    )
    shown = await console.db.run(
        lambda s: reveal.reveal_in_transcript(s, sid, user, console.cipher)
    )
    if shown.value is None:
        return console.pages.error(user, "Nomor tidak bisa dibuka (kunci salah).", 500)
    return await _show(request, shown.conversation_id, {shown.secret_id: shown.value})


ROUTES = [
    Route("/conversations/{cid:int}", conversation, methods=["GET"]),
    Route("/conversations/{cid:int}/take", take, methods=["POST"]),
    Route("/conversations/{cid:int}/reply", reply, methods=["POST"]),
    Route("/conversations/{cid:int}/note", note, methods=["POST"]),
    Route("/conversations/{cid:int}/return", hand_back, methods=["POST"]),
    Route("/conversations/{cid:int}/close", close, methods=["POST"]),
    Route("/secrets/{sid:int}/reveal", reveal_secret, methods=["POST"]),
]
