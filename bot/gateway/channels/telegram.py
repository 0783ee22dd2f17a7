"""Telegram: webhook (secret token checked on every request) or polling, and sending.

python-telegram-bot parses updates, polls (``Updater``), and talks to the Bot API
with its rate limiter (``AIORateLimiter``: a 429 is retried after the time Telegram
asks for); dialogue state stays in Rasa. The Bot API is reached through
``TELEGRAM_API_BASE_URL`` so tests can run a fake server on loopback.

What the stock Rasa connector gets wrong and this one does not: every request is
authenticated; an authentic update is always acknowledged with 200 (a failure is
logged, never turned into a redelivery); every button press is answered
(``answerCallbackQuery``); callback data never exceeds 64 bytes (long payloads go by
a stored key); texts over 4096 characters are split on paragraphs; edited messages
are not new turns; media get a polite answer; a 403 marks the participant
unreachable.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import Update
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot, Updater
from telegram.request import HTTPXRequest

from bot.core.crypto import DataCipher
from bot.core.settings import TelegramSettings
from bot.gateway.channels.base import (
    Channel,
    Incoming,
    StoreUnavailable,
    Turn,
    media_label,
    store_unavailable,
)
from bot.gateway.channels.body import read_capped
from bot.gateway.channels.rendering import telegram as rendering
from bot.gateway.channels.telegram_rate import (
    BoundedRateLimiter,
    RetryTooLate,
    retry_after_seconds,
)
from bot.gateway.dialogue import Dialogue, Inbound
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.resignation import possession
from bot.store.db import Database

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
POLL_TIMEOUT_SECONDS = 25
# Seconds ``stop`` gives updates already fetched by polling to be recorded: the
# Updater confirms them to Telegram as it stops, so they are not fetched again.
QUEUE_DRAIN_SECONDS = 10.0
MAX_BODY_BYTES = 1024 * 1024
# Telegram's own commands: /start is the first thing every new chat sends.
COMMANDS = {"/start": "/greet", "/help": "/greet", "/menu": "/greet"}
# What a shared contact is forwarded as: the answer to the contact question.
SHARE_CONTACT_PAYLOAD = rendering.SHARE_CONTACT_PAYLOAD
# Message attributes that carry media, and the kind of media each is.
MEDIA_KINDS = {
    "photo": "photo",
    "voice": "voice",
    "audio": "audio",
    "video": "video",
    "video_note": "video",
    "sticker": "sticker",
    "document": "document",
    "location": "location",
    "contact": "contact",
}


def classify_error(exc: TelegramError, sent_ids: list[str]) -> Delivery:
    """A refusal the outbox retries (429, 5xx, time-out, network) or one it records.

    python-telegram-bot raises ``RetryAfter`` for a 429, ``NetworkError`` for 5xx
    answers, time-outs and dropped connections, and ``BadRequest`` (a subclass of
    ``NetworkError``) for a request Telegram will never take.
    """
    provider_id = ",".join(sent_ids) or None
    if isinstance(exc, RetryTooLate):
        return Delivery("retry", provider_id, str(exc), retry_after=exc.retry_after)
    if isinstance(exc, RetryAfter):
        wait = retry_after_seconds(exc)
        return Delivery("retry", provider_id, str(exc), retry_after=wait)
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        return Delivery("retry", provider_id, str(exc))
    return Delivery("failed", provider_id, str(exc))


def parse_update(update: Update) -> Incoming | None:
    """The participant's input in ``update``, or None for updates we ignore.

    Edited messages are not new turns (the participant already got an answer), and
    chats other than private ones are not served.
    """
    if update.callback_query is not None:
        query = update.callback_query
        if not query.data:
            return None
        chat_id = query.message.chat.id if query.message else query.from_user.id
        return Incoming(
            sender=str(chat_id),
            text=query.data,
            kind="button",
            provider_message_id=f"cb:{query.id}",
            press_id=query.id,
        )
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    # Telegram numbers messages per chat: prefix the chat to be unique.
    message_id = f"{message.chat.id}:{message.message_id}"
    if message.contact is not None and message.contact.phone_number:
        # Only a contact whose user_id is the sender's own proves the number
        # (PRODUCT.md §3.1 step 3); the number itself is never forwarded.
        sender_user = message.from_user.id if message.from_user else None
        return Incoming(
            str(message.chat.id),
            SHARE_CONTACT_PAYLOAD,
            "button",
            message_id,
            shared_phone=message.contact.phone_number,
            shared_own=sender_user is not None
            and message.contact.user_id == sender_user,
        )
    if message.text is None:
        kind = next((k for a, k in MEDIA_KINDS.items() if getattr(message, a)), None)
        return Incoming(str(message.chat.id), media_label(kind), "media", message_id)
    text = COMMANDS.get(message.text.split("@")[0].strip().lower(), message.text)
    return Incoming(str(message.chat.id), text, "text", message_id)


class TelegramChannel(Channel):
    """Receives updates and sends the bot's messages through the Bot API.

    Polling is python-telegram-bot's ``Updater`` (``getUpdates`` with offsets, the
    leftover webhook removed, back-off on errors and on 429). Its queue is consumed
    here rather than by a ``telegram.ext.Application``: every update, polled or
    pushed to the webhook, must take the one path through ``Channel.accept``
    (recorded through the Dialogue in arrival order, duplicates dropped) before its
    turn is spawned, and an Application would add a second life cycle owning the
    bot and dispatch through handler groups that this path does not need.
    """

    name = "telegram"

    def __init__(
        self,
        settings: TelegramSettings,
        dialogue: Dialogue,
        outbound: Outbound,
        db: Database | None = None,
        *,
        poll_timeout: int = POLL_TIMEOUT_SECONDS,
        cipher: DataCipher | None = None,
    ) -> None:
        super().__init__(dialogue, db)
        self._cipher = cipher
        self.settings = settings
        self._poll_timeout = poll_timeout
        self.bot = ExtBot(
            settings.bot_token,
            base_url=settings.api_base_url,
            request=HTTPXRequest(
                connect_timeout=5.0, read_timeout=10.0, write_timeout=10.0
            ),
            get_updates_request=HTTPXRequest(read_timeout=poll_timeout + 10.0),
            rate_limiter=BoundedRateLimiter(),
        )
        self._updater: Updater | None = None
        self._consumer: asyncio.Task[None] | None = None
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
            self._updater = Updater(self.bot, asyncio.Queue())
            await self._updater.initialize()
            queue = await self._updater.start_polling(
                timeout=self._poll_timeout, allowed_updates=ALLOWED_UPDATES
            )
            self._consumer = asyncio.create_task(
                self._consume(queue), name="telegram-updates"
            )
            logger.info("Telegram polling started")

    async def stop(self) -> None:
        """Stop polling, finish the turns under way and close the HTTP clients."""
        if self._updater is not None and self._updater.running:
            await self._updater.stop()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(
                    self._updater.update_queue.join(), QUEUE_DRAIN_SECONDS
                )
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
        await self.drain()
        await self.bot.shutdown()

    # --- inbound ------------------------------------------------------------------

    async def webhook(self, request: Request) -> Response:
        """``POST /telegram/webhook``: authenticate, record, acknowledge, answer."""
        secret = self.settings.webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if secret is None or not hmac.compare_digest(given.encode(), secret.encode()):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        body = await read_capped(request, MAX_BODY_BYTES)
        if body is None:
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
            turns = await self._accept_update(update)
        except StoreUnavailable:
            return store_unavailable()
        self.answer(turns)
        return JSONResponse({"ok": True})

    async def _consume(self, queue: asyncio.Queue[object]) -> None:
        """Updates the Updater fetched, one at a time: recorded in arrival order."""
        while True:
            update = await queue.get()
            try:
                if isinstance(update, Update):
                    self.answer(await self._accept_update(update))
            except StoreUnavailable:
                # Polled updates are confirmed by the next getUpdates offset.
                logger.error("Telegram update %s lost: store unreachable", update)
            finally:
                queue.task_done()

    async def _accept_update(self, update: Update) -> list[Turn]:
        try:
            incoming = parse_update(update)
            if incoming is None:
                await self._answer_unusable(update)
                return []
        except Exception:
            logger.exception("Telegram update %s could not be read", update.update_id)
            return []
        return await self.accept([incoming])

    async def record(self, incoming: Incoming) -> Inbound:
        """A shared contact is kept as a keyed hash for the form, then recorded."""
        if incoming.shared_phone and self._db is not None and self._cipher:
            await asyncio.to_thread(self._record_contact, incoming)
        return await super().record(incoming)

    def _record_contact(self, incoming: Incoming) -> None:
        if self._db is None or self._cipher is None:
            return
        with self._db.session() as session:
            possession.record_contact(
                session,
                self._cipher,
                ConversationKey(self.name, incoming.sender).sender_id,
                str(incoming.shared_phone),
                own=incoming.shared_own,
            )

    async def before_answer(self, incoming: Incoming) -> None:
        """Every press is answered, or the participant's client keeps spinning."""
        if incoming.press_id is not None:
            await self._answer_callback(incoming.press_id)

    async def _answer_unusable(self, update: Update) -> None:
        """A press we cannot use is still answered."""
        if update.callback_query is not None:
            await self._answer_callback(update.callback_query.id)

    async def _answer_callback(self, callback_query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramError:
            logger.warning("answerCallbackQuery failed", exc_info=True)

    # --- outbound -----------------------------------------------------------------

    async def deliver(
        self, key: ConversationKey, message: BotMessage, proactive: bool
    ) -> Delivery:
        """Send one bot message (in several parts if it is long) to a chat."""
        chat_id = int(key.external_id)
        keys: dict[str, str] = {}
        parts = rendering.render(message, keys)
        await self.remember_keys(keys)
        message_ids: list[str] = []
        try:
            for part in parts:
                sent = await self.bot.send_message(
                    chat_id=chat_id, text=part.text, reply_markup=part.reply_markup
                )
                # Telegram numbers messages per chat: prefix the chat to be unique.
                message_ids.append(f"{chat_id}:{sent.message_id}")
        except Forbidden as exc:
            logger.info("Telegram chat %s blocked the bot", chat_id)
            return Delivery(status="unreachable", error=str(exc))
        except TelegramError as exc:
            delivery = classify_error(exc, message_ids)
            logger.warning(
                "sendMessage to chat %s: %s (%s)", chat_id, delivery.status, exc
            )
            return delivery
        return Delivery(status="sent", provider_message_id=",".join(message_ids))
