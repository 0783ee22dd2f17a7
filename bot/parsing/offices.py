"""The office directory and the matching of the names people use for offices.

Participants name offices loosely ("kantor bpjs tk boyolali", "solo"), often two in one
message ("di Boyolali disuruh ke Semarang"). The office where something happened is
the one *not* introduced by "ke" (to); the other is where they were sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

# Words that make "ke <office>" an instruction to go elsewhere rather than a visit:
# "disuruh ke Semarang", "harus ke kantor Semarang", "dikon ten Semarang" (Javanese).
_DIRECTIVES = frozenset(
    "disuruh suruh nyuruh harus kudu diarahkan arahkan diminta dioper dilempar "
    "dirujuk katanya bilang dikon kon mesti wajib".split()
)


@dataclass(frozen=True)
class Office:
    """An office from the directory; unverified details are never stated as fact."""

    id: str
    name: str
    type: str
    city: str
    parent: str | None
    address: str | None
    verified: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class OfficeMention:
    """Where an office was named in a text, and whether it was a destination."""

    office: Office
    start: int
    end: int
    destination: bool


class Directory:
    """All offices, with an alias index for matching free text."""

    def __init__(self, offices: list[Office]) -> None:
        self.offices = {office.id: office for office in offices}
        aliases: list[tuple[str, Office]] = []
        for office in offices:
            names = {office.id.replace("_", " "), office.name.lower(), *office.aliases}
            aliases.extend((normalise(alias), office) for alias in names)
        # Longest alias first, so "kantor cabang semarang" beats "semarang".
        aliases.sort(key=lambda item: len(item[0]), reverse=True)
        self._aliases = aliases

    def get(self, office_id: str) -> Office | None:
        """The office with ``office_id``, if it exists."""
        return self.offices.get(office_id)

    def mentions(self, text: str) -> list[OfficeMention]:
        """Every office named in ``text``, in order of appearance, without overlaps."""
        norm = normalise(text)
        taken: list[tuple[int, int]] = []
        found: list[OfficeMention] = []
        for alias, office in self._aliases:
            for match in re.finditer(rf"(?<!\w){re.escape(alias)}(?!\w)", norm):
                span = match.span()
                if any(span[0] < end and start < span[1] for start, end in taken):
                    continue
                taken.append(span)
                before = norm[: span[0]].split()[-4:]
                destination = ("ke" in before or "ten" in before) and bool(
                    _DIRECTIVES.intersection(before)
                )
                found.append(OfficeMention(office, span[0], span[1], destination))
        found.sort(key=lambda m: m.start)
        return found

    def match(self, text: str) -> Office | None:
        """The office where the event happened: the first one not named as a goal."""
        mentions = self.mentions(text)
        for mention in mentions:
            if not mention.destination:
                return mention.office
        return None

    def destination(self, text: str) -> Office | None:
        """The office the participant was sent to ("disuruh ke Semarang"), if any."""
        for mention in self.mentions(text):
            if mention.destination:
                return mention.office
        return None


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _office(entry: dict[str, Any]) -> Office:
    return Office(
        id=entry["id"],
        name=entry["name"],
        type=entry["type"],
        city=entry["city"],
        parent=entry.get("parent"),
        address=entry.get("address"),
        verified=bool(entry.get("verified", False)),
        aliases=tuple(entry.get("aliases") or ()),
    )


@lru_cache(maxsize=4)
def load_directory(path: Path) -> Directory:
    """Load the office directory YAML (cached per path)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Directory([_office(entry) for entry in data["offices"]])
