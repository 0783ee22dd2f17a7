"""Every participant-facing text: domain.yml's responses and bot/core/texts.yml."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
# Copy-file sections that hold labels (single words and names), not statements.
LABEL_SECTIONS = {"labels", "weekdays", "months", "intent_labels", "contact", "yes_no"}


def responses() -> dict[str, str]:
    """Each response's text variants (button titles are choices, not statements)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {
        name: "\n".join(str(v.get("text") or "") for v in variants)
        for name, variants in domain["responses"].items()
    }


def response_variants() -> Iterator[tuple[str, str]]:
    """(response name, one variant's text), each variant on its own."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variants in domain["responses"].items():
        for variant in variants:
            yield name, str(variant.get("text") or "")


def _leaves(prefix: str, node: Any) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(f"{prefix}.{key}" if prefix else str(key), value)
    else:
        yield prefix, str(node)


def copy_texts(*, with_labels: bool = False) -> dict[str, str]:
    """The copy file's texts by dotted key (labels only when asked for)."""
    copy = yaml.safe_load((ROOT / "bot/core/texts.yml").read_text(encoding="utf-8"))
    return {
        key: text
        for section, node in copy.items()
        if with_labels or section not in LABEL_SECTIONS
        for key, text in _leaves(str(section), node)
    }
