"""Telegram: webhook (secret token checked on every request) or polling, and sending.

python-telegram-bot parses updates and talks to the Bot API; dialogue state stays in
Rasa. The Bot API is reached through ``TELEGRAM_API_BASE_URL`` so tests can run a
fake server on loopback.

What the stock Rasa connector gets wrong and this one does not: every request is
authenticated; an authentic update is always acknowledged with 200 (a failure is
logged, never turned into a redelivery); every button press is answered
(``answerCallbackQuery``); callback data never exceeds 64 bytes (long payloads go by
a stored key); texts over 4096 characters are split on paragraphs; edited messages
are not new turns; media get a polite answer; a 403 marks the participant
unreachable; a 429 is retried after the time Telegram asks for.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import warnings
from dataclasses import dataclass

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import Bot, Update
from telegram.error import Conflict, Forbidden, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.core.settings import TelegramSettings
from bot.gateway import callback_keys
from bot.gateway.channels.rendering import INDEX_CALLBACK_PREFIX
from bot.gateway.channels.rendering import telegram as render_telegram
from bot.gateway.dialogue import EXPIRED, Dialogue, Inbound
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.store.db import Database

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
POLL_TIMEOUT_SECONDS = 25
# A 429 asking us to wait longer than this is reported as a failure instead.
MAX_RETRY_AFTER_SECONDS = 10.0
MAX_BODY_BYTES = 1024 * 1024
# Telegram's own commands: /start is the first thing every new chat sends.
COMMANDS = {"/start": "/greet", "/help": "/greet", "/menu": "/greet"}


@dataclass(frozen=True)
class ParsedUpdate:
    """What an update asks of us, independent of how it arrived."""

    chat_id: int
    text: str
    kind: str  # "text", "button" or "media"
    provider_message_id: str
    callback_query_id: str | None = None


def parse_update(update: Update) -> ParsedUpdate | None:
    """The participant's input in ``update``, or None for updates we ignore.

    Edited messages are not new turns (the participant already got an answer), and
    chats other than private ones are not served.
    """
    if update.callback_query is not None:
        query = update.callback_query
        if not query.data:
            return None
        # "#2" is the second option of the last question: the same as typing "2",
        # which the dialogue resolves. "k:..." is a stored key (resolved later).
        text = query.data.removeprefix(INDEX_CALLBACK_PREFIX)
        chat_id = query.message.chat.id if query.message else query.from_user.id
        return ParsedUpdate(
            chat_id=chat_id,
            text=text,
            kind="button",
            provider_message_id=f"cb:{query.id}",
            callback_query_id=query.id,
        )
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    kind = "text" if message.text is not None else "media"
    text = message.text if message.text is not None else _media_label(update)
    return ParsedUpdate(
        chat_id=message.chat.id,
        text=COMMANDS.get(text.split("@")[0].strip().lower(), text),
        kind=kind,
        provider_message_id=f"{message.chat.id}:{message.message_id}",
    )


def _media_label(update: Update) -> str:
    message = update.message
    for attribute, label in (
        ("photo", "[foto]"),
        ("voice", "[pesan suara]"),
        ("audio", "[audio]"),
        ("video", "[video]"),
        ("video_note", "[video]"),
        ("sticker", "[stiker]"),
        ("document", "[dokumen]"),
        ("location", "[lokasi]"),
        ("contact", "[kontak]"),
    ):
        if message is not None and getattr(message, attribute, None):
            return label
    return "[pesan bukan teks]"


class TelegramChannel:
    """Receives updates and sends the bot's messages through the Bot API."""

    def __init__(
        self,
        settings: TelegramSettings,
        dialogue: Dialogue,
        outbound: Outbound,
        db: Database | None = None,
        *,
        poll_timeout: int = POLL_TIMEOUT_SECONDS,
    ) -> None:
        self.settings = settings
        self._dialogue = dialogue
        self._db = db
        self._poll_timeout = poll_timeout
        self._turns: set[asyncio.Task[None]] = set()
        request = HTTPXRequest(
            connect_timeout=5.0, read_timeout=10.0, write_timeout=10.0
        )
        poll_request = HTTPXRequest(read_timeout=poll_timeout + 10.0)
        self.bot = Bot(
            settings.bot_token,
            base_url=settings.api_base_url,
            request=request,
            get_updates_request=poll_request,
        )
        self._poller: asyncio.Task[None] | None = None
        outbound.register("telegram", self.deliver)

    async def start(self) -> None:
        """Check the token (getMe), then register the webhook or start polling."""
        await self.bot.initialize()
        if self.settings.webhook_url:
            await self.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=self.settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            logger.info("Telegram webhook registered")
        elif not self.settings.webhook_enabled:
            await self.bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll(), name="telegram-poller")
            logger.info("Telegram polling started")

    async def stop(self) -> None:
        """Stop polling and close the HTTP clients."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self._turns:
            await asyncio.wait(self._turns, timeout=15)
        await self.bot.shutdown()

    # --- inbound ------------------------------------------------------------------

    async def webhook(self, request: Request) -> Response:
        """``POST /telegram/webhook``: authenticate, record, acknowledge, answer."""
        secret = self.settings.webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if secret is None or not hmac.compare_digest(given.encode(), secret.encode()):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse({"error": "too large"}, status_code=413)
        # Authentic from here on: whatever happens, Telegram gets its 200, or it
        # would redeliver the update again and again (and hold back later ones).
        try:
            data = json.loads(body)
            update = Update.de_json(data, self.bot) if isinstance(data, dict) else None
        except Exception:  # any unreadable body: acknowledged, not redelivered
            update = None
        if update is None:
            logger.warning("authentic Telegram webhook with a malformed update ignored")
            return JSONResponse({"ok": True, "ignored": "malformed update"})
        try:
            parsed = parse_update(update)
            if parsed is None:
                await self._answer_unusable(update)
                return JSONResponse({"ok": True})
            inbound = await self._accept(parsed)
        except Exception:
            logger.exception(
                "Telegram update %s could not be recorded", update.update_id
            )
            return JSONResponse({"ok": True})
        if inbound.duplicate:
            return JSONResponse({"ok": True, "duplicate": True})
        task = BackgroundTask(self._respond, parsed, inbound)
        return JSONResponse({"ok": True}, background=task)

    async def _accept(self, parsed: ParsedUpdate) -> Inbound:
        key = ConversationKey("telegram", str(parsed.chat_id))
        text, kind = parsed.text, parsed.kind
        if kind == "button":
            payload = await asyncio.to_thread(self._resolve_button, text)
            text, kind = (payload, kind) if payload is not None else (text, EXPIRED)
        return await self._dialogue.accept(
            key,
            text,
            kind=kind,
            provider_message_id=parsed.provider_message_id,
        )

    def _resolve_button(self, data: str) -> str | None:
        if self._db is None:
            return data
        with self._db.session() as session:
            payload = callback_keys.resolve(session, data)
        if payload is None:
            logger.warning("unknown Telegram callback key %r", data)
        return payload

    async def _respond(self, parsed: ParsedUpdate, inbound: Inbound) -> None:
        try:
            if parsed.callback_query_id is not None:
                await self._answer_callback(parsed.callback_query_id)
            await self._dialogue.respond(inbound)
        except Exception:
            # The provider already has its 200; a failure here must not escape.
            logger.exception("failed to answer Telegram message %s", inbound.message_id)

    async def _answer_unusable(self, update: Update) -> None:
        """A press we cannot use is still answered, or the client keeps spinning."""
        if update.callback_query is not None:
            await self._answer_callback(update.callback_query.id)

    async def _answer_callback(self, callback_query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramError:
            logger.warning("answerCallbackQuery failed", exc_info=True)

    async def _poll(self) -> None:
        """Long-poll ``getUpdates``; each update becomes its own task.

        Turns of one participant still run in order (the dialogue's lease), while
        a slow turn of one participant does not hold up everyone else.
        """
        offset: int | None = None
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=self._poll_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except Conflict:
                logger.warning("getUpdates conflicts with a webhook or another poller")
                await asyncio.sleep(5)
                continue
            except RetryAfter as exc:
                await asyncio.sleep(_retry_after(exc))
                continue
            except TelegramError:
                logger.warning("getUpdates failed; retrying", exc_info=True)
                await asyncio.sleep(5)
                continue
            for update in updates:
                offset = update.update_id + 1
                try:
                    parsed = parse_update(update)
                    if parsed is None:
                        await self._answer_unusable(update)
                        continue
                    inbound = await self._accept(parsed)
                except Exception:
                    logger.exception(
                        "update %s could not be recorded", update.update_id
                    )
                    continue
                if inbound.duplicate:
                    continue
                task = asyncio.create_task(self._respond(parsed, inbound))
                self._turns.add(task)
                task.add_done_callback(self._turns.discard)

    # --- outbound -----------------------------------------------------------------

    async def deliver(
        self, key: ConversationKey, message: BotMessage, proactive: bool
    ) -> Delivery:
        """Send one bot message (in several parts if it is long) to a chat."""
        chat_id = int(key.external_id)
        keys: dict[str, str] = {}
        parts = render_telegram(message, keys)
        if keys and self._db is not None:
            await asyncio.to_thread(self._remember_keys, keys)
        message_ids: list[str] = []
        try:
            for part in parts:
                sent = await self._send(chat_id, part.text, part.reply_markup)
                # Telegram numbers messages per chat: prefix the chat to be unique.
                message_ids.append(f"{chat_id}:{sent}")
        except Forbidden as exc:
            logger.info("Telegram chat %s blocked the bot", chat_id)
            return Delivery(status="unreachable", error=str(exc))
        except TelegramError as exc:
            logger.warning("sendMessage failed for chat %s", chat_id, exc_info=True)
            return Delivery(
                status="failed",
                provider_message_id=",".join(message_ids) or None,
                error=str(exc),
            )
        return Delivery(status="sent", provider_message_id=",".join(message_ids))

    async def _send(self, chat_id: int, text: str, markup: object) -> int:
        """``sendMessage``, waiting once when Telegram asks us to slow down (429)."""
        try:
            sent = await self.bot.send_message(
                chat_id=chat_id,
                text=text,
                reply_markup=markup,  # type: ignore[arg-type]
            )
        except RetryAfter as exc:
            wait = _retry_after(exc)
            if wait > MAX_RETRY_AFTER_SECONDS:
                raise
            await asyncio.sleep(wait)
            sent = await self.bot.send_message(
                chat_id=chat_id,
                text=text,
                reply_markup=markup,  # type: ignore[arg-type]
            )
        return sent.message_id

    def _remember_keys(self, keys: dict[str, str]) -> None:
        if self._db is None:
            return
        with self._db.session() as session:
            callback_keys.remember(session, keys)


def _retry_after(exc: RetryAfter) -> float:
    """Seconds Telegram asked us to wait (an int or a timedelta, by version)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB announces the type change on access
        return _seconds(exc.retry_after)


def _seconds(value: object) -> float:
    """``retry_after`` is an int or a timedelta depending on the library version."""
    total = getattr(value, "total_seconds", None)
    if callable(total):
        return float(total())
    return float(value)  # type: ignore[arg-type]
