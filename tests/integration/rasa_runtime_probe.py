"""Run inside Rasa's environment: what our Rasa launcher and tracker store change.

``python rasa_runtime_probe.py schema`` checks action server responses through the
launcher's cached validator and prints, as JSON, what it accepted, what it refused
and how often the schema itself was checked. ``python rasa_runtime_probe.py store
DB_FILE`` saves a tracker while another connection holds SQLite's write lock and
prints whether the event loop ran meanwhile and on which threads
the store opened its sessions, the journal mode and what was saved.
Kept out of the app environment on purpose: it imports Rasa.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import threading
from typing import Any


def schema() -> dict[str, Any]:
    from jsonschema import ValidationError
    from jsonschema.validators import Draft202012Validator, validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    from scripts.rasa_run import cache_response_schema

    checks = 0
    validator_class = validator_for(RemoteAction.action_response_format_spec())
    original_check = validator_class.check_schema

    def counted(schema: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal checks
        checks += 1
        original_check(schema, *args, **kwargs)

    validator_class.check_schema = staticmethod(counted)
    cache_response_schema()
    action = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1/webhook"))
    good = {
        "events": [{"event": "slot", "name": "kpj", "value": "1"}],
        "responses": [{"response": "utter_greet"}],
    }
    accepted = all(action._validate_action_result(good) for _ in range(50))
    refused = []
    for bad in ({"events": "not a list"}, {"events": [{"name": "no event key"}]}):
        try:
            action._validate_action_result(bad)
        except ValidationError as error:
            refused.append(error.message)
    return {
        "accepted": accepted,
        "refused": refused,
        "schema_checks": checks,
        "validator": validator_class.__name__,
        "draft_2020": validator_class is Draft202012Validator,
    }


async def store(db_file: str) -> dict[str, Any]:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from addons.tracker_store import PatientSQLTrackerStore

    domain = Domain.from_dict({"slots": {"kpj": {"type": "text", "mappings": []}}})
    tracker_store = PatientSQLTrackerStore(domain=domain, dialect="sqlite", db=db_file)
    threads: set[int] = set()
    open_session = tracker_store.session_scope

    def recorded() -> Any:
        threads.add(threading.get_ident())
        return open_session()

    tracker_store.session_scope = recorded
    mode = sqlite3.connect(db_file).execute("PRAGMA journal_mode").fetchone()[0]
    tracker = DialogueStateTracker("probe", domain.slots)
    tracker.update(UserUttered("halo"))
    tracker.update(SlotSet("kpj", "kpjtok1"))
    writer = sqlite3.connect(db_file, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock
    saving = asyncio.create_task(tracker_store.save(tracker))
    ticks = 0
    for _ in range(20):  # the loop keeps running while the save waits
        await asyncio.sleep(0.01)
        ticks += 1
    waiting = not saving.done()
    writer.execute("COMMIT")
    await saving
    loaded = await tracker_store.retrieve("probe")
    return {
        "journal_mode": mode,
        "loop_ran_while_saving": waiting and ticks == 20,
        "on_the_loops_thread": threading.get_ident() in threads,
        "sessions_opened": len(threads) > 0,
        "kpj": loaded.get_slot("kpj") if loaded else None,
    }


def main() -> None:
    mode = sys.argv[1]
    result = schema() if mode == "schema" else asyncio.run(store(sys.argv[2]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
