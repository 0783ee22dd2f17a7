"""Office information: only verified facts are stated; an unnamed office is asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.office_info import ActionAnswerOfficeInfo, office_asked_about
from bot.parsing.offices import Directory, load_directory

OFFICES = Path(__file__).resolve().parents[3] / "bot" / "data" / "offices.yml"


@pytest.fixture
def directory(monkeypatch: pytest.MonkeyPatch) -> Directory:
    loaded = load_directory(OFFICES)
    monkeypatch.setattr(runtime, "directory", lambda: loaded)
    return loaded


async def _answer(message: dict[str, Any]) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    tracker = Tracker("t", {}, message, [], False, None, None, "action_listen")
    await ActionAnswerOfficeInfo().run(dispatcher, tracker, {})
    messages: list[dict[str, Any]] = dispatcher.messages
    return messages


def test_the_office_comes_from_the_entity_or_the_text(directory: Directory) -> None:
    by_entity = {"text": "x", "entities": [{"entity": "office", "value": "kc_klaten"}]}
    by_alias = {
        "text": "x",
        "entities": [{"entity": "office", "value": "bpjs tk solo"}],
    }
    by_text = {"text": "alamat kantor boyolali dimana", "entities": []}
    assert office_asked_about(directory, by_entity).id == "kc_klaten"  # type: ignore[union-attr]
    assert office_asked_about(directory, by_alias).id == "kc_surakarta"  # type: ignore[union-attr]
    assert office_asked_about(directory, by_text).id == "kcp_boyolali"  # type: ignore[union-attr]
    assert office_asked_about(directory, {"text": "kantornya dimana"}) is None


async def test_no_office_named_asks_which(directory: Directory) -> None:
    messages = await _answer({"text": "alamat kantornya dimana", "entities": []})
    assert [m["response"] for m in messages] == ["utter_ask_info_office"]


async def test_an_unverified_address_is_not_stated(directory: Directory) -> None:
    entities = [{"entity": "office", "value": "kc_semarang_pemuda"}]
    messages = await _answer({"text": "alamat kantor semarang", "entities": entities})
    assert [m["response"] for m in messages] == [
        "utter_office_info_unconfirmed",
        "utter_office_info_contact",
    ]
    assert "Pemuda No. 130" not in str(messages)
    assert messages[0]["office_name"] == "Kantor Cabang Semarang Pemuda"
