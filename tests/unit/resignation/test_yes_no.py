"""A yes or a no to the resignation's consent and confirmation (actions/resign/form.py).

Consent lets the bot process personal data: a hesitant question the NLU happens to
read as an affirm must never count as one.
"""

from __future__ import annotations

from typing import Any

import pytest

from actions.resign.form import yes_no


def _message(text: str, intent: str, confidence: float = 0.9) -> dict[str, Any]:
    return {"text": text, "intent": {"name": intent, "confidence": confidence}}


@pytest.mark.parametrize("text", ["hmm gimana ya", "terus piye?", "maksudnya apa"])
def test_a_question_is_no_yes_whatever_the_nlu_read(text: str) -> None:
    assert yes_no(_message(text, "affirm"), text) is None


@pytest.mark.parametrize(
    ("text", "intent", "answer"),
    [
        ("/affirm", "affirm", True),
        ("1", "inform", True),
        ("iya setuju", "affirm", True),
        ("boleh silakan", "affirm", True),
        ("2", "inform", False),
        ("tidak mau", "deny", False),
    ],
)
def test_plain_answers_are_read(text: str, intent: str, answer: bool) -> None:
    assert yes_no(_message(text, intent), text) is answer
