"""The project's Rasa NLU components (loaded by the Rasa server from config.yml).

Thin adapters: the work is in pure modules (``slang``, ``numbers``, ``dates``,
``bot.parsing.offices``) that the unit tests exercise without Rasa.

- ``SlangNormaliser`` rewrites informal words on spaCy's tokens before featurisation,
  so "sy udh ke kntr" and "saya sudah ke kantor" look alike to DIET.
- ``NumberEntityExtractor`` finds ``nik``, ``kpj`` and ``reference`` by pattern.
- ``DateEntityExtractor`` finds ``datetime`` and gives its ISO 8601 value.
- ``OfficeResolver`` turns any ``office`` DIET found into a directory id.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons import dates, numbers, slang
from addons.dates import find_dates
from addons.numbers import find_numbers
from addons.slang import LEXICON_FILE, lexicon_fingerprint, load_lexicon, masked_spans
from bot.parsing import months, references, timeparse
from bot.parsing.offices import load_directory
from bot.parsing.timeparse import JAKARTA

TOKENS = "text_tokens"
ROOT = Path(__file__).resolve().parent.parent
OFFICES_FILE = ROOT / "bot" / "data" / "offices.yml"
# Taken from the modules themselves, so moving one cannot leave a stale path here.
MASKING_SOURCES = tuple(
    Path(str(module.__file__))
    for module in (slang, numbers, dates, months, references, timeparse)
)


def _lexicon_path(config: dict[str, Any]) -> Path:
    return Path(config.get("lexicon") or LEXICON_FILE)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class SlangNormaliser(GraphComponent):
    """Rewrites token text and lemma with the slang lexicon (addons/data/slang.yml).

    Tokens inside a NIK, KPJ, reference or date become one placeholder word each
    ("nomornik", "waktutanggal"), so DIET learns "a NIK on its own is information"
    instead of memorising digits ("3174.0512..." looked like a contribution amount).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"lexicon": None}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SlangNormaliser:
        return cls(config)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # The lexicon and the masking code are outside the graph: Rasa's cache must
        # not reuse normalised tokens after either changed.
        digest = hashlib.sha256(lexicon_fingerprint(_lexicon_path(config)).encode())
        for source in MASKING_SOURCES:
            digest.update(source.read_bytes())
        return digest.hexdigest()

    def __init__(self, config: dict[str, Any]) -> None:
        self._lexicon = load_lexicon(_lexicon_path(config))

    def _normalise(self, message: Message) -> None:
        spans = masked_spans(message.get(TEXT) or "", datetime.now(JAKARTA))
        for token in message.get(TOKENS) or []:
            canonical = next(
                (
                    word
                    for start, end, word in spans
                    if start < token.end and token.start < end
                ),
                None,
            ) or self._lexicon.canonical(token.text)
            if canonical is not None:
                token.text = canonical
                token.lemma = canonical

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalise(message)
        return messages


class _Stateless(GraphComponent):
    """A component with no configuration and nothing to train or store."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()


class _RuleExtractor(_Stateless, EntityExtractorMixin):
    """Shared plumbing of the pattern-based extractors."""

    def _entities(self, text: str) -> list[dict[str, Any]]:
        raise NotImplementedError

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            new = self.add_extractor_name(self._entities(text))
            if new:
                entities = [*message.get(ENTITIES, []), *new]
                message.set(ENTITIES, entities, add_to_output=True)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class NumberEntityExtractor(_RuleExtractor):
    """``nik`` (16 digits), ``kpj`` (11 digits), ``reference`` (ADU-/BRH-)."""

    def _entities(self, text: str) -> list[dict[str, Any]]:
        return [
            {
                "entity": found.entity,
                "start": found.start,
                "end": found.end,
                "value": found.value,
                "confidence": 1.0,
            }
            for found in find_numbers(text)
        ]


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class DateEntityExtractor(_RuleExtractor):
    """``datetime`` with an ISO 8601 value in Asia/Jakarta, relative to now."""

    def _entities(self, text: str) -> list[dict[str, Any]]:
        now = datetime.now(JAKARTA)
        return [
            {
                "entity": "datetime",
                "start": mention.start,
                "end": mention.end,
                "value": mention.moment.isoformat(),
                "confidence": 1.0,
                "additional_info": {
                    "has_time": mention.moment.has_time,
                    "part_of_day": mention.moment.part_of_day,
                },
            }
            for mention in find_dates(text, now)
        ]


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class OfficeResolver(_Stateless):
    """Maps ``office`` values that synonyms missed to a directory id by alias.

    A span that matches no office at all ("kantor", "bpjs") is dropped.
    """

    def process(self, messages: list[Message]) -> list[Message]:
        directory = load_directory(OFFICES_FILE)
        for message in messages:
            kept = []
            for entity in message.get(ENTITIES, []):
                if entity.get("entity") == "office":
                    value = str(entity.get("value") or "")
                    office = directory.get(value) or directory.match(value)
                    if office is None:
                        # "kantor" or "bpjs" alone names no office: not an entity.
                        continue
                    entity["value"] = office.id
                kept.append(entity)
            message.set(ENTITIES, kept, add_to_output=True)
        return messages
