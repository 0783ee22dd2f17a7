"""Build the Indonesian spaCy pipeline that Rasa's SpacyNLP loads by path.

There is no trained Indonesian spaCy model to download here (and nothing may be
downloaded at run time), so the pipeline is `spacy.blank("id")` - spaCy's rule-based
Indonesian tokenizer with its stop words and lexical attributes - plus the lookup
lemmatizer whose table ships in spacy-lookups-data. Runs in the Rasa environment.
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy


def build(out_dir: Path) -> None:
    """Assemble, initialise and save the pipeline to ``out_dir``."""
    nlp = spacy.blank("id")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "bpu_id"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = (
        "spacy.blank('id') + lookup lemmatizer (spacy-lookups-data)"
    )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "build/spacy_id"))
