"""Checks on domain.yml that Rasa itself does not make."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
DOMAIN: dict[str, Any] = yaml.safe_load(
    (ROOT / "domain.yml").read_text(encoding="utf-8")
)


def _texts() -> list[tuple[str, str]]:
    return [
        (name, variant["text"])
        for name, variants in DOMAIN["responses"].items()
        for variant in variants
        if "text" in variant
    ]


def test_no_response_has_a_blank_line() -> None:
    # Rasa's REST channel sends each paragraph as its own message, which would
    # scatter one answer over several chat bubbles.
    assert [name for name, text in _texts() if "\n\n" in text] == []


def test_every_response_used_by_the_actions_exists() -> None:
    code = "".join(p.read_text() for p in (ROOT / "actions").rglob("*.py"))
    used = set(re.findall(r'response="(utter_\w+)"', code))
    assert used, "the actions utter nothing?"
    assert used - set(DOMAIN["responses"]) == set()


# Questions an action composes itself: the complaint summary
# (actions/complaint/review.py).
COMPOSED_QUESTIONS = {"complaint_review"}


def test_every_form_question_exists() -> None:
    for form in DOMAIN["forms"].values():
        for slot in form["required_slots"]:
            if slot not in COMPOSED_QUESTIONS:
                assert f"utter_ask_{slot}" in DOMAIN["responses"], slot


def test_button_payloads_fit_telegram_callback_data() -> None:
    for variants in DOMAIN["responses"].values():
        for variant in variants:
            for button in variant.get("buttons", []):
                assert len(button["payload"].encode()) <= 64, button
                assert len(button["title"]) <= 20, (
                    button
                )  # WhatsApp's reply-button limit
