"""Telegram ``Update`` JSON as the Bot API delivers it to a webhook."""

from __future__ import annotations

import itertools
import time
from typing import Any

_update_ids = itertools.count(500_000)
_message_ids = itertools.count(1)


def _user(chat_id: int) -> dict[str, Any]:
    return {
        "id": chat_id,
        "is_bot": False,
        "first_name": "Peserta",
        "language_code": "id",
    }


def _message(chat_id: int, **content: Any) -> dict[str, Any]:
    return {
        "message_id": next(_message_ids),
        "from": _user(chat_id),
        "chat": {"id": chat_id, "first_name": "Peserta", "type": "private"},
        "date": int(time.time()),
        **content,
    }


def text(chat_id: int, body: str) -> dict[str, Any]:
    """A participant typed ``body``."""
    return {"update_id": next(_update_ids), "message": _message(chat_id, text=body)}


def edited(chat_id: int, body: str) -> dict[str, Any]:
    """A participant edited an earlier message to ``body``."""
    message = _message(chat_id, text=body, edit_date=int(time.time()))
    return {"update_id": next(_update_ids), "edited_message": message}


def button(chat_id: int, data: str) -> dict[str, Any]:
    """A participant pressed an inline button carrying ``data``."""
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": _user(chat_id),
            "chat_instance": "42",
            "data": data,
            "message": _message(chat_id, text="(pertanyaan bot)"),
        },
    }


def voice(chat_id: int) -> dict[str, Any]:
    """A voice note."""
    return {
        "update_id": next(_update_ids),
        "message": _message(
            chat_id,
            voice={
                "file_id": "AwACAgIAAxkBAAIB",
                "file_unique_id": "AgADBQ",
                "duration": 4,
            },
        ),
    }


def photo(chat_id: int) -> dict[str, Any]:
    """A photo without caption."""
    size = {
        "file_id": "AgACAgIAAxkBAAIC",
        "file_unique_id": "AQADAg",
        "width": 90,
        "height": 90,
    }
    return {"update_id": next(_update_ids), "message": _message(chat_id, photo=[size])}


def contact(chat_id: int, phone: str, user_id: int | None = None) -> dict[str, Any]:
    """A contact shared with the "share my number" button (``user_id``: whose)."""
    shared = {
        "phone_number": phone,
        "first_name": "Peserta",
        "user_id": chat_id if user_id is None else user_id,
    }
    return {
        "update_id": next(_update_ids),
        "message": _message(chat_id, contact=shared),
    }
