"""Who refused the participant: the words people use, mapped to a canonical role."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot.parsing.offices import normalise

ROLES_FILE = Path(__file__).resolve().parents[1] / "data" / "staff_roles.yml"


@lru_cache(maxsize=2)
def _aliases(path: Path = ROLES_FILE) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["staff_roles"]
    pairs = [
        (normalise(alias), role) for role, aliases in data.items() for alias in aliases
    ]
    pairs.extend((role.replace("_", " "), role) for role in data)
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


def roles(path: Path = ROLES_FILE) -> list[str]:
    """Every canonical role, in file order."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["staff_roles"])


def match_role(text: str) -> str | None:
    """The canonical role named in ``text``; the most specific wording wins."""
    # "satpamnya", "petugas loketnya": the -nya suffix is only "the".
    norm = re.sub(r"(\w{2,})nya\b", r"\1", normalise(text))
    for alias, role in _aliases():
        if re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", norm):
            return role
    return None
