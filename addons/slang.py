"""Informal Indonesian, word by word, rewritten to the words the training data uses.

Older participants text the way they talk: "sy udh ke kntr tp ga dilayanin", Javanese
mixed in ("kulo", "mboten", "matur nuwun"), letters stretched for emphasis
("tolooong"). The lexicon is data (``data/slang.yml``) so adding a word is a data
change; this module only looks words up. Pure Python: the Rasa component
(``addons.normaliser``) and the unit tests share it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml

from addons.dates import find_dates
from addons.numbers import find_numbers

LEXICON_FILE = Path(__file__).parent / "data" / "slang.yml"

_STRETCHED = re.compile(r"([a-z])\1{2,}")
_REDUPLICATED = re.compile(r"^([a-z]{2,})2$")  # "jauh2" -> "jauh"
_WORD = re.compile(r"\w+(?:'\w+)?|\S")


# One placeholder word per kind of masked span (see ``masked_spans``).
PLACEHOLDERS = {
    "nik": "nomornik",
    "kpj": "nomorkpj",
    "reference": "nomortiket",
    "datetime": "waktutanggal",
}


@dataclass(frozen=True)
class Lexicon:
    """Variant -> canonical word (or short phrase)."""

    words: dict[str, str]

    def canonical(self, word: str) -> str | None:
        """The canonical form of ``word``, or None when it needs no rewriting."""
        lowered = word.lower()
        if lowered in self.words:
            return self.words[lowered]
        if match := _REDUPLICATED.match(lowered):
            base = match.group(1)
            return self.words.get(base, base)
        squeezed = _STRETCHED.sub(r"\1", lowered)
        if squeezed != lowered:
            return self.words.get(squeezed, squeezed)
        return None

    def normalise(self, text: str) -> str:
        """``text`` with every word replaced by its canonical form, lower case."""
        out = []
        for word in _WORD.findall(text):
            out.append(self.canonical(word) or word.lower())
        return " ".join(out)


def parse_lexicon(data: dict[str, dict[str, list[str]]]) -> Lexicon:
    """Build a lexicon from the YAML shape ``group: {canonical: [variants]}``.

    A variant listed under two canonical words is a data error, not a silent choice.
    """
    words: dict[str, str] = {}
    for group in data.values():
        for canonical, variants in group.items():
            for variant in variants:
                key = str(variant).lower()
                if key in words and words[key] != canonical:
                    raise ValueError(
                        f"{key!r} maps to both {words[key]!r} and {canonical!r}"
                    )
                words[key] = str(canonical)
    return Lexicon(words)


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    """The lexicon in ``path`` (cached per path)."""
    return parse_lexicon(yaml.safe_load(path.read_text(encoding="utf-8")))


def lexicon_fingerprint(path: Path = LEXICON_FILE) -> str:
    """A hash of the lexicon file, so Rasa retrains when the data changes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def masked_spans(text: str, now: datetime) -> list[tuple[int, int, str]]:
    """Spans of NIK, KPJ, references and dates in ``text``, each with its placeholder.

    The model should learn what a message says around a number or a date, not the
    digits: every NIK reads as the same word, every date as another.
    """
    spans = [(f.start, f.end, PLACEHOLDERS[f.entity]) for f in find_numbers(text)]
    spans += [(d.start, d.end, PLACEHOLDERS["datetime"]) for d in find_dates(text, now)]
    return spans
