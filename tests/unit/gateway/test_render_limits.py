"""Every response the bot can send fits both providers' limits.

The checks are the fake provider servers' own validators, so a response added to
domain.yml later that breaks a limit fails here, before any conversation test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.gateway.channels.rendering import telegram, whatsapp
from bot.gateway.channels.rendering.common import short_titles, shorten
from bot.messaging.messages import BotMessage, Button
from tests.fakes.telegram_api import TelegramApiError, validate_send_message
from tests.fakes.whatsapp_api import GraphError, validate_message

ROOT = Path(__file__).resolve().parents[3]
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
TEMPLATES = {("bpu_pesan_baru", "id"): 1}


def _domain_messages() -> list[tuple[str, BotMessage]]:
    messages = []
    for name, variants in DOMAIN["responses"].items():
        for variant in variants:
            buttons = tuple(
                Button(str(b["title"]), str(b["payload"]))
                for b in variant.get("buttons", [])
            )
            # Placeholders kept as words: the text length the template itself needs.
            text = str(variant.get("text", "")).replace("{", "").replace("}", "")
            messages.append((name, BotMessage(text=text, buttons=buttons)))
    return messages


def _telegram_ok(message: BotMessage) -> None:
    keys: dict[str, str] = {}
    for part in telegram.render(message, keys):
        params: dict[str, Any] = {"chat_id": 1, "text": part.text}
        if part.reply_markup is not None:
            params["reply_markup"] = part.reply_markup.to_dict()
        validate_send_message(params)


def _whatsapp_ok(message: BotMessage) -> None:
    for payload in whatsapp.render(message, "6281234567890").payloads:
        validate_message(payload, TEMPLATES)
    validate_message(
        whatsapp.template(message, "6281234567890", "bpu_pesan_baru", "id"), TEMPLATES
    )


@pytest.mark.parametrize(
    ("name", "message"), _domain_messages(), ids=[n for n, _ in _domain_messages()]
)
def test_every_domain_response_fits_telegram_and_whatsapp(
    name: str, message: BotMessage
) -> None:
    _telegram_ok(message)
    _whatsapp_ok(message)


HARD_CASES = {
    "4 options": BotMessage(
        "Pilih", tuple(Button(f"Opsi {i}", f"/o{i}") for i in range(4))
    ),
    "11 options": BotMessage(
        "Pilih", tuple(Button(f"Opsi {i}", f"/o{i}") for i in range(11))
    ),
    "21-char titles": BotMessage(
        "Pilih", tuple(Button(f"Judul yang panjang no{i}", f"/t{i}") for i in range(3))
    ),
    "same prefix titles": BotMessage(
        "Pilih",
        tuple(Button(f"Lapor kantor cabang menolak {i}", f"/t{i}") for i in range(3)),
    ),
    "long payloads": BotMessage(
        "Pilih",
        tuple(Button(f"P{i}", "/inform" + "x" * 300 + str(i)) for i in range(5)),
    ),
    "duplicate payloads": BotMessage(
        "Pilih", (Button("Ya", "/affirm"), Button("Iya", "/affirm"))
    ),
    "empty payload": BotMessage("Pilih", (Button("Kosong", ""),)),
    "5000-char text with buttons": BotMessage(
        ("Kalimat panjang. " * 300).strip(), (Button("Ya", "/affirm"),)
    ),
    "10000-char text": BotMessage(("kata " * 2000).strip()),
    "only buttons": BotMessage("", (Button("Ya", "/affirm"), Button("Tidak", "/deny"))),
}


@pytest.mark.parametrize("case", sorted(HARD_CASES))
def test_hard_cases_fit_both_providers(case: str) -> None:
    _telegram_ok(HARD_CASES[case])
    _whatsapp_ok(HARD_CASES[case])


def test_the_fakes_refuse_what_the_providers_refuse() -> None:
    """The validators are strict enough to catch a rendering bug."""
    base = {"messaging_product": "whatsapp", "to": "62812", "type": "interactive"}

    def buttons(*titles: str) -> dict[str, Any]:
        return {
            **base,
            "interactive": {
                "type": "button",
                "body": {"text": "Pilih"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": f"b{i}", "title": t}}
                        for i, t in enumerate(titles)
                    ]
                },
            },
        }

    def rows(count: int) -> dict[str, Any]:
        return {
            **base,
            "interactive": {
                "type": "list",
                "body": {"text": "Pilih"},
                "action": {
                    "button": "Lihat",
                    "sections": [
                        {"rows": [{"id": f"r{i}", "title": "x"} for i in range(count)]}
                    ],
                },
            },
        }

    validate_message(buttons("a", "b", "c"))
    validate_message(rows(10))
    for bad in (
        buttons("a", "b", "c", "d"),  # a 4th reply button
        buttons("x" * 21),  # a 21-character title
        buttons("a", "a"),  # equal titles
        rows(11),  # an 11th row
        {**base, "type": "text", "text": {"body": "x" * 4097}},
        {**base, "type": "text", "text": {"body": " "}},
    ):
        with pytest.raises(GraphError):
            validate_message(bad)
    template = whatsapp.template(BotMessage("a"), "62812", "bpu_pesan_baru", "id")
    with pytest.raises(GraphError) as unknown:
        validate_message(template, {("lain", "id"): 1})
    assert unknown.value.code == 132001
    with pytest.raises(GraphError) as count:
        validate_message(template, {("bpu_pesan_baru", "id"): 2})
    assert count.value.code == 132000

    for params in (
        {"chat_id": 1, "text": "x" * 4097},
        {"chat_id": 1, "text": ""},
        {
            "chat_id": 1,
            "text": "x",
            "reply_markup": {
                "inline_keyboard": [[{"text": "a", "callback_data": "y" * 65}]]
            },
        },
        {
            "chat_id": 1,
            "text": "x",
            "reply_markup": {"inline_keyboard": [[{"text": "", "callback_data": "y"}]]},
        },
    ):
        with pytest.raises(TelegramApiError):
            validate_send_message(params)


def test_shortening_is_deterministic_and_keeps_titles_distinct() -> None:
    assert shorten("Kantor Cabang Perintis Boyolali", 20) == "Kantor Cabang…"
    assert shorten("Pendek", 20) == "Pendek"
    buttons = tuple(Button(f"Kantor Cabang Perintis {c}", c) for c in "ABC")
    titles = short_titles(buttons, whatsapp.ROW_TITLE_LIMIT)
    assert titles == short_titles(buttons, whatsapp.ROW_TITLE_LIMIT)
    assert len(set(titles)) == 3
    assert all(len(t) <= whatsapp.ROW_TITLE_LIMIT for t in titles)


def test_a_template_parameter_is_one_line() -> None:
    value = whatsapp.template_parameter("Baris satu.\n\nBaris\tdua     tiga")
    assert value == "Baris satu. Baris dua tiga"
