"""The held-out NLU set stays out of the training data, and covers every intent."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from addons.slang import load_lexicon

ROOT = Path(__file__).resolve().parents[3]
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def _examples(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, list[str]] = {}
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        lines = [line.strip() for line in block["examples"].splitlines()]
        found.setdefault(block["intent"], []).extend(
            line[2:] for line in lines if line.startswith("- ")
        )
    return found


def _normalised(text: str) -> str:
    plain = _ANNOTATION.sub(r"\1", text)
    words = re.sub(r"[^\w]+", " ", load_lexicon().normalise(plain))
    return " ".join(words.split())


def _training() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for path in sorted((ROOT / "nlu").glob("*.yml")):
        for intent, texts in _examples(path).items():
            merged.setdefault(intent, []).extend(texts)
    return merged


def test_no_heldout_text_appears_in_training_data() -> None:
    training = {_normalised(t) for texts in _training().values() for t in texts}
    leaked = [
        text
        for texts in _examples(HELDOUT).values()
        for text in texts
        if _normalised(text) in training
    ]
    assert leaked == []


def test_heldout_has_at_least_15_examples_for_every_trained_intent() -> None:
    heldout = _examples(HELDOUT)
    short = {
        intent: len(heldout.get(intent, []))
        for intent in _training()
        if len(heldout.get(intent, [])) < 15
    }
    assert short == {}


def test_training_has_at_least_40_examples_per_intent() -> None:
    short = {i: len(t) for i, t in _training().items() if len(t) < 40}
    assert short == {}


def test_no_training_example_is_under_two_intents() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for intent, texts in _training().items():
        for text in texts:
            key = _normalised(text)
            if seen.setdefault(key, intent) != intent:
                clashes.append((text, seen[key], intent))
    assert clashes == []
