"""Telegram: webhook (secret token checked on every request) or polling, and sending.

python-telegram-bot parses updates and talks to the Bot API; dialogue state stays in
Rasa. The Bot API is reached through ``TELEGRAM_API_BASE_URL`` so tests can run a
fake server on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from dataclasses import dataclass

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import Bot, Update
from telegram.error import Forbidden, TelegramError
from telegram.request import HTTPXRequest

from bot.conversations import ConversationKey
from bot.dialogue import Dialogue, Inbound
from bot.outbound import Delivery, Outbound
from bot.rasa_client import BotMessage
from bot.rendering import INDEX_CALLBACK_PREFIX
from bot.rendering import telegram as render_telegram
from bot.settings import TelegramSettings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
POLL_TIMEOUT_SECONDS = 25
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
        message = query.message
        if message is None or query.data is None:
            return None
        # "#2" is the second option of a keyboard whose payload was too long for
        # callback_data: the same as typing "2", which the dialogue resolves.
        text = query.data.removeprefix(INDEX_CALLBACK_PREFIX)
        return ParsedUpdate(
            chat_id=message.chat.id,
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
        self, settings: TelegramSettings, dialogue: Dialogue, outbound: Outbound
    ) -> None:
        self.settings = settings
        self._dialogue = dialogue
        request = HTTPXRequest(
            connect_timeout=5.0, read_timeout=10.0, write_timeout=10.0
        )
        poll_request = HTTPXRequest(read_timeout=POLL_TIMEOUT_SECONDS + 10.0)
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
        await self.bot.shutdown()

    # --- inbound ------------------------------------------------------------------

    async def webhook(self, request: Request) -> Response:
        """``POST /telegram/webhook``: authenticate, record, acknowledge, answer."""
        secret = self.settings.webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if secret is None or not hmac.compare_digest(given.encode(), secret.encode()):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        try:
            data = json.loads(await request.body())
            update = Update.de_json(data, self.bot)
        except (ValueError, TypeError, KeyError):
            return JSONResponse({"error": "malformed update"}, status_code=400)
        if not isinstance(data, dict) or update is None:
            return JSONResponse({"error": "malformed update"}, status_code=400)
        parsed = parse_update(update)
        if parsed is None:
            return JSONResponse({"ok": True})
        inbound = await self._accept(parsed)
        task = BackgroundTask(self._respond, parsed, inbound)
        return JSONResponse({"ok": True}, background=task)

    async def _accept(self, parsed: ParsedUpdate) -> Inbound:
        key = ConversationKey("telegram", str(parsed.chat_id))
        return await self._dialogue.accept(
            key,
            parsed.text,
            kind=parsed.kind,
            provider_message_id=parsed.provider_message_id,
        )

    async def _respond(self, parsed: ParsedUpdate, inbound: Inbound) -> None:
        try:
            if parsed.callback_query_id is not None:
                await self._answer_callback(parsed.callback_query_id)
            await self._dialogue.respond(inbound)
        except Exception:
            # The provider already has its 200; a failure here must not escape.
            logger.exception("failed to answer Telegram message %s", inbound.message_id)

    async def _answer_callback(self, callback_query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramError:
            logger.warning("answerCallbackQuery failed", exc_info=True)

    async def _poll(self) -> None:
        offset: int | None = None
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=POLL_TIMEOUT_SECONDS,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except TelegramError:
                logger.warning("getUpdates failed; retrying", exc_info=True)
                await asyncio.sleep(5)
                continue
            for update in updates:
                offset = update.update_id + 1
                parsed = parse_update(update)
                if parsed is not None:
                    await self._respond(parsed, await self._accept(parsed))

    # --- outbound -----------------------------------------------------------------

    async def deliver(
        self, key: ConversationKey, message: BotMessage, proactive: bool
    ) -> Delivery:
        """Send one bot message (in several parts if it is long) to a chat."""
        chat_id = int(key.external_id)
        message_ids = []
        try:
            for part in render_telegram(message):
                sent = await self.bot.send_message(
                    chat_id=chat_id, text=part.text, reply_markup=part.reply_markup
                )
                message_ids.append(str(sent.message_id))
        except Forbidden:
            logger.info("Telegram chat %s blocked the bot", chat_id)
            return Delivery(status="unreachable")
        except TelegramError:
            logger.warning("sendMessage failed for chat %s", chat_id, exc_info=True)
            return Delivery(
                status="failed", provider_message_id=",".join(message_ids) or None
            )
        return Delivery(status="sent", provider_message_id=",".join(message_ids))
