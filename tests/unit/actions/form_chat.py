"""Driving a form's validation action turn by turn, the way Rasa's form does.

A turn that sets no slot is rejected (Rasa leaves it to the rules); otherwise the
events are applied and ``requested_slot`` says what is asked next (the validation
action always names it).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.interruptions import InterruptibleForm

ROOT = Path(__file__).resolve().parents[3]
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
REJECTED = "REJECTED"


class FormChat:
    """One participant answering one form."""

    def __init__(self, form: InterruptibleForm) -> None:
        self.form = form
        self.slots: dict[str, Any] = {}
        self.asked: str | None = None
        self.messages: list[dict[str, Any]] = []
        # Set when the validation action ends the form itself (``ActiveLoop(None)``),
        # and the follow-up action it names, if any.
        self.ended = False
        self.followup: str | None = None

    def say(
        self, text: str, intent: str = "inform", button: bool = False
    ) -> list[dict[str, Any]]:
        """The bot's messages for ``text`` (a REJECTED response if rejected)."""
        message = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.95},
            "entities": [],
            "metadata": {"button": button},
        }
        tracker = Tracker(
            "telegram:1",
            {**self.slots, "requested_slot": self.asked},
            message,
            [],
            False,
            None,
            {"name": self.form.form_name()} if self.asked else {},
            "action_listen",
        )
        dispatcher = CollectingDispatcher()
        events = asyncio.run(self.form.run(dispatcher, tracker, DOMAIN))
        if not any(e["name"] != "requested_slot" for e in events):
            return [{"response": REJECTED}]
        for event in events:
            if event["event"] == "active_loop":
                self.ended = event["name"] is None
            elif event["event"] == "followup":
                self.followup = event["name"]
            elif event["name"] == "requested_slot":
                self.asked = event["value"]
            else:
                self.slots[event["name"]] = event["value"]
        self.messages = dispatcher.messages
        return self.messages

    def responses(self) -> list[str]:
        """The responses (or texts) of the last turn."""
        return [str(m.get("response") or m.get("text")) for m in self.messages]

    def buttons(self) -> list[str]:
        """Every button title of the last turn (the response's own ones too)."""
        titles = []
        for message in self.messages:
            own = DOMAIN["responses"].get(message.get("response"), [{}])[0]
            for button in [*own.get("buttons", []), *message.get("buttons", [])]:
                titles.append(button["title"])
        return titles

    def summary(self) -> str:
        """The summary text of the last turn, as Rasa fills the response."""
        for message in self.messages:
            if message.get("response") == "utter_complaint_review":
                template = DOMAIN["responses"]["utter_complaint_review"][0]["text"]
                return str(template).format(**message)
        raise AssertionError(f"no summary in {self.responses()}")
