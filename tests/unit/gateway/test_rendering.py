"""Buttons and long texts as each channel shows them."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.gateway.channels.rendering import telegram, webchat
from bot.gateway.channels.rendering.common import (
    choose_by_number,
    split_text,
    with_numbered_options,
)
from bot.messaging.messages import BotMessage, Button

ASK = BotMessage(
    text="Siapa yang menolak Bapak/Ibu?",
    buttons=(Button("Satpam", "Satpam"), Button("Petugas loket", "Petugas loket")),
)


def test_options_are_written_out_as_numbered_lines() -> None:
    assert with_numbered_options(ASK) == (
        "Siapa yang menolak Bapak/Ibu?\n\n1. Satpam\n2. Petugas loket"
    )


def test_webchat_gets_text_and_numbered_buttons() -> None:
    assert webchat.render(ASK) == {
        "text": "Siapa yang menolak Bapak/Ibu?",
        "buttons": [
            {"number": 1, "title": "Satpam", "payload": "Satpam"},
            {"number": 2, "title": "Petugas loket", "payload": "Petugas loket"},
        ],
    }


def test_telegram_gets_one_inline_button_per_row() -> None:
    [message] = telegram.render(ASK)
    assert message.text.endswith("1. Satpam\n2. Petugas loket")
    assert isinstance(message.reply_markup, InlineKeyboardMarkup)
    rows = message.reply_markup.inline_keyboard
    assert [[(b.text, b.callback_data) for b in row] for row in rows] == [
        [("Satpam", "Satpam")],
        [("Petugas loket", "Petugas loket")],
    ]


def test_a_payload_over_64_bytes_becomes_its_option_number() -> None:
    long_payload = '/inform{"resolution_wanted": "' + "x" * 60 + '"}'
    message = BotMessage(text="Pilih", buttons=(Button("Lain", long_payload),))
    [rendered] = telegram.render(message)
    assert isinstance(rendered.reply_markup, InlineKeyboardMarkup)
    assert rendered.reply_markup.inline_keyboard[0][0].callback_data == "#1"


def test_the_share_my_number_question_is_a_reply_keyboard_with_request_contact() -> (
    None
):
    """Telegram shares a verified number only through a request_contact button."""
    message = BotMessage(
        text="Tekan tombol",
        buttons=(
            Button("Bagikan nomor saya", telegram.SHARE_CONTACT_PAYLOAD),
            Button("Kirim kode", '/inform{"possession":"code"}'),
        ),
    )
    [rendered] = telegram.render(message)
    assert isinstance(rendered.reply_markup, ReplyKeyboardMarkup)
    rows = rendered.reply_markup.keyboard
    assert [(b.text, b.request_contact) for [b] in rows] == [
        ("Bagikan nomor saya", True),
        ("Kirim kode", False),
    ]
    assert rendered.reply_markup.one_time_keyboard


def test_long_texts_split_on_paragraphs_and_keep_the_keyboard_last() -> None:
    paragraph = "kalimat " * 300  # ~2400 characters
    message = BotMessage(text=f"{paragraph}\n\n{paragraph}", buttons=ASK.buttons)
    parts = telegram.render(message)
    assert len(parts) == 2
    assert all(len(p.text) <= telegram.TEXT_LIMIT for p in parts)
    assert parts[0].reply_markup is None
    assert parts[1].reply_markup is not None
    assert parts[0].text == paragraph.strip()


def test_split_text_never_loses_words() -> None:
    text = " ".join(f"kata{i}" for i in range(3000))
    chunks = split_text(text, 500)
    assert all(len(c) <= 500 for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_choose_by_number() -> None:
    buttons = [
        {"title": "Ya", "payload": "/affirm"},
        {"title": "Tidak", "payload": "/deny"},
    ]
    assert choose_by_number("1", buttons) == "/affirm"
    assert choose_by_number(" 2. ", buttons) == "/deny"
    assert choose_by_number("3", buttons) is None
    assert choose_by_number("12 orang", buttons) is None
    assert choose_by_number("1", None) is None
