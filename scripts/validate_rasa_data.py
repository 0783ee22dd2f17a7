"""``rasa data validate`` with every warning treated as an error, but one kind.

Rasa warns that a response is "not used in any story or rule" even when a form asks
with it (``utter_ask_<slot>``), a custom action utters it, or an eligibility rule
names it. Those are checked here
against the forms and the action code instead; any other warning fails the build.
Runs in the Rasa environment.
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

from rasa.cli.utils import validate_files
from rasa.shared.importers.importer import TrainingDataImporter

# Rasa 3.6 raises this for every domain that has slots at all (domain.py), whatever
# the mappings say: it carries no information about our data.
ALWAYS_RAISED = "Slot auto-fill has been removed in 3.0"
UNUSED = re.compile(
    r"The utterance '(?P<name>utter_\w+)' is not used in any story or rule"
)


def _used_outside_stories(name: str, form_slots: set[str], action_code: str) -> bool:
    if name.startswith("utter_ask_") and name.removeprefix("utter_ask_") in form_slots:
        return True
    return f'"{name}"' in action_code


def main() -> int:
    importer = TrainingDataImporter.load_from_config(
        "config.yml", "domain.yml", ["nlu", "stories"]
    )
    action_code = "".join(p.read_text() for p in Path("actions").rglob("*.py"))
    # Eligibility rules name the response each outcome is told with.
    action_code += Path("bot/data/eligibility_rules.yml").read_text()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        domain = importer.get_domain()
        validate_files(fail_on_warnings=False, max_history=None, importer=importer)
    # utter_ask_<form>_<slot> is a form's own wording of a question.
    form_slots = {
        slot for form in domain.forms.values() for slot in form["required_slots"]
    } | {
        f"{name}_{slot}"
        for name, form in domain.forms.items()
        for slot in form["required_slots"]
    }
    problems = []
    for warning in caught:
        if not issubclass(warning.category, UserWarning):
            continue
        message = str(warning.message)
        if message.startswith(ALWAYS_RAISED):
            continue
        match = UNUSED.search(message)
        if match and _used_outside_stories(match["name"], form_slots, action_code):
            continue
        problems.append(message)
    for problem in problems:
        print(f"validation warning: {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} warning(s): fix them or the data", file=sys.stderr)
        return 1
    print("Rasa data is valid: no warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
