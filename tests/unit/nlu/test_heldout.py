"""The held-out and development NLU sets stay out of the training data.

"Out" means more than "not the same text": a message that differs from a training
example by one or two words measures memory, not understanding. So no held-out or
development example may be within two words (token edit distance after the slang
normaliser, lower case, punctuation dropped) of any training example. For a message
of one or two words "two words" would be all of it, so there the limit is its length
minus one: "terima kasih" is too close to "terima kasih banyak", "halo halo" is not
too close to "hai".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from addons.slang import load_lexicon

ROOT = Path(__file__).resolve().parents[3]
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
DEV = ROOT / "tests" / "nlu" / "dev.yml"
NEAR_WORDS = 2
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


def token_distance(a: list[str], b: list[str], cap: int) -> int:
    """Word-level edit distance of ``a`` and ``b``, counted up to ``cap``."""
    if abs(len(a) - len(b)) >= cap:
        return cap
    previous = list(range(len(b) + 1))
    for i, word in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (word != other),
                )
            )
        if min(current) >= cap:
            return cap
        previous = current
    return min(previous[-1], cap)


def too_close(text: str, training: list[list[str]]) -> list[str] | None:
    """The training example ``text`` is a near copy of, if any."""
    words = _normalised(text).split()
    limit = min(NEAR_WORDS, len(words) - 1)
    for other in training:
        if token_distance(words, other, limit + 1) <= limit:
            return other
    return None


def test_token_distance_counts_words() -> None:
    a = "saya mau berhenti jadi peserta".split()
    assert token_distance(a, a, 3) == 0
    assert token_distance(a, "saya ingin berhenti jadi peserta".split(), 3) == 1
    assert token_distance(a, "saya mau berhenti".split(), 3) == 2
    assert token_distance(a, "tagihan masih muncul".split(), 3) == 3


@pytest.mark.parametrize("path", [HELDOUT, DEV], ids=["heldout", "dev"])
def test_no_example_is_within_two_words_of_a_training_one(path: Path) -> None:
    training = [_normalised(t).split() for texts in _training().values() for t in texts]
    near = {
        text: " ".join(other)
        for texts in _examples(path).values()
        for text in texts
        if (other := too_close(text, training)) is not None
    }
    assert near == {}


def test_the_dev_split_covers_every_trained_intent() -> None:
    dev = _examples(DEV)
    assert sorted(i for i in _training() if len(dev.get(i, [])) < 3) == []


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
