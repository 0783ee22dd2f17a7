"""Run inside Rasa's environment: open the stores an endpoints file names.

``python rasa_stores_probe.py ENDPOINTS save|load SENDER`` saves a tracker with one
slot set, or loads it back and prints what it holds, as JSON; both print the
classes of the tracker and lock stores and whether a conversation lock was issued.
Kept out of the app environment on purpose: it imports Rasa.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys


async def main(endpoints_path: str, mode: str, sender: str) -> None:
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    endpoints = AvailableEndpoints.read_endpoints(endpoints_path)
    domain = Domain.from_dict({"slots": {"kpj": {"type": "text", "mappings": []}}})
    store = TrackerStore.create(endpoints.tracker_store, domain=domain)
    locks = LockStore.create(endpoints.lock_store)
    async with locks.lock(sender):
        held = locks.get_lock(sender)  # read back from the store (Redis: a key)
        locked = held is not None and len(held.tickets) == 1
    result: dict[str, object] = {
        "tracker_store": type(store).__name__,
        "lock_store": type(locks).__name__,
        "locked": locked,
    }
    if mode == "save":
        tracker = DialogueStateTracker(sender, domain.slots)
        tracker.update(UserUttered("kpjtok123"))
        tracker.update(SlotSet("kpj", "kpjtok123"))
        await store.save(tracker)
    else:
        loaded = await store.retrieve(sender)
        result["kpj"] = loaded.get_slot("kpj") if loaded else None
    print(json.dumps(result))


if __name__ == "__main__":
    # As ``rasa`` does: the project's own modules (addons/) load from the cwd.
    sys.path.insert(1, os.getcwd())
    asyncio.run(main(*sys.argv[1:4]))
