"""Telegram's flood limits, kept by python-telegram-bot's ``AIORateLimiter``.

It throttles sending to Telegram's documented rates and, on a 429, holds every
request for the ``retry_after`` Telegram asks and retries (once, here). One thing
is added: a 429 asking for longer than ``MAX_RETRY_AFTER_SECONDS`` is not waited
out but reported as a failure at once, so a participant's turn (and the lease that
holds their next message) is not stuck behind a long flood wait; the delivery is
left to the outbox, which retries it after that time.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import AIORateLimiter

MAX_RETRIES = 1
MAX_RETRY_AFTER_SECONDS = 10.0

_Result = bool | dict[str, Any] | list[dict[str, Any]]


class RetryTooLate(TelegramError):
    """Telegram asked us to wait longer than we let a turn wait (the outbox waits)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BoundedRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` that retries a 429 once, and only after a short wait."""

    def __init__(self) -> None:
        super().__init__(max_retries=MAX_RETRIES)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> _Result:
        """The request through the limiter; a long wait raises ``RetryTooLate``."""

        async def bounded(*call_args: Any, **call_kwargs: Any) -> _Result:
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                if wait > MAX_RETRY_AFTER_SECONDS:
                    raise RetryTooLate(f"{exc} (longer than we wait)", wait) from exc
                raise

        return await super().process_request(
            bounded, args, kwargs, endpoint, data, rate_limit_args
        )


def retry_after_seconds(exc: RetryAfter) -> float:
    """Seconds Telegram asked us to wait (an int or a timedelta, by version)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB announces the type change on access
        value: object = exc.retry_after
    total = getattr(value, "total_seconds", None)
    if callable(total):
        return float(total())
    return float(value)  # type: ignore[arg-type]
