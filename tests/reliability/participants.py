"""Simulated Telegram participants filing a complaint through the cluster's webhooks.

Each participant sends the messages of one complaint, one after another as a person
would (the next only once the replies to the previous one arrived), optionally
delivering every update twice at the same moment, as Telegram may redeliver an
update to whichever machine the load balancer picks: through nginx, the second copy
goes straight to a gateway, alternating between the two from turn to turn; without
nginx, the two copies go to both gateways in alternating order. Shared by the
reliability tests and the cluster benchmark (tests/reliability/bench_cluster.py).
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from tests.fakes import telegram_updates as tg
from tests.reliability.harness import Cluster

WHOLE_STORY = (
    "Selamat pagi, saya mau lapor. Selasa 2 Desember 2025 jam 9.30 saya ke kantor "
    "bpjs tk boyolali mau berhenti jadi peserta bpu, tapi ditolak satpam katanya "
    "harus ke kantor semarang. Saya minta dilayani di boyolali saja."
)
# The messages of one complaint and how many bot messages each one gets: the story
# (an acknowledgement and the summary, nothing essential is missing) and "kirim"
# under the summary (the filing, its details and the offer to stop participation
# online). The one place the reliability tests and the benchmark script a complaint.
COMPLAINT = (
    (WHOLE_STORY, 2),
    ("kirim", 3),
)
EXPECTED_REPLIES = sum(count for _, count in COMPLAINT)
# What the bot asks last after each message but the last, in order.
QUESTIONS = ("Mohon periksa aduan",)


@dataclass
class Outcome:
    """What one participant sent, what came back and how long each turn took."""

    chat_id: int
    posts: int = 0
    statuses: list[int] = field(default_factory=list)
    turn_seconds: list[float] = field(default_factory=list)
    error: str | None = None


def _deliver(
    cluster: Cluster, update: dict[str, object], targets: list[int | None]
) -> list[int]:
    """POST ``update`` to each target at once (the same update, redelivered)."""
    if len(targets) == 1:
        return [cluster.post_update(update, targets[0]).status_code]
    with ThreadPoolExecutor(len(targets)) as pool:
        futures = [pool.submit(cluster.post_update, update, t) for t in targets]
        return [f.result().status_code for f in futures]


def targets(turn: int, *, twice: bool, first_gateway: int | None) -> list[int | None]:
    """Where one turn's update goes: a gateway (0, 1) or nginx (None), once or twice.

    Twice through nginx: nginx picks a gateway for the first copy, the second goes
    to gateway 0 or 1 by turns (``first_gateway`` None: the turn alone decides).
    """
    if not twice:
        return [first_gateway]
    if first_gateway is None:
        return [None, turn % 2]
    first = (first_gateway + turn) % 2
    return [first, 1 - first]


def file_complaint(
    cluster: Cluster,
    chat_id: int,
    *,
    twice: bool,
    first_gateway: int | None = 0,
    reply_timeout: float = 240.0,
) -> Outcome:
    """One participant's whole complaint; never raises (the error is recorded).

    ``first_gateway`` None sends through nginx's public listener.
    """
    outcome = Outcome(chat_id)
    expected = 0
    try:
        for turn, (text, replies) in enumerate(COMPLAINT):
            sent_to = targets(turn + chat_id, twice=twice, first_gateway=first_gateway)
            started = time.monotonic()
            update = tg.text(chat_id, text)
            outcome.statuses += _deliver(cluster, update, sent_to)
            outcome.posts += len(sent_to)
            expected += replies
            cluster.telegram.wait_for_texts(chat_id, expected, timeout=reply_timeout)
            outcome.turn_seconds.append(time.monotonic() - started)
    except (AssertionError, httpx.HTTPError) as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"[:500]
    return outcome


def crowd(
    cluster: Cluster,
    participants: int,
    *,
    twice: bool,
    through_nginx: bool = False,
    reply_timeout: float = 240.0,
) -> list[Outcome]:
    """``participants`` complaints at once, each from a fresh chat."""
    chats = random.sample(range(10**8, 10**9), participants)
    with ThreadPoolExecutor(participants) as pool:
        futures = [
            pool.submit(
                file_complaint,
                cluster,
                chat,
                twice=twice,
                first_gateway=None if through_nginx else index % 2,
                reply_timeout=reply_timeout,
            )
            for index, chat in enumerate(chats)
        ]
        return [future.result() for future in futures]


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]
