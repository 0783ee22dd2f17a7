"""Bad input at both webhooks of the cluster: refused (4xx) or answered politely.

Forged requests (wrong or missing Telegram secret, wrong or missing WhatsApp
signature) get 401/403 and leave nothing in the store; authentic but malformed
bodies are acknowledged and dropped; random Unicode and over-long texts get a
reply; SQL-injection text is stored verbatim. No gateway answers 5xx or restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from typing import Any

import httpx
from sqlalchemy import select

from bot.core.crypto import DataCipher
from bot.messaging.conversations import whatsapp_key
from bot.store.models import Conversation, Message
from tests.fakes import telegram_updates as tg
from tests.fakes import whatsapp_updates as wa
from tests.fakes.gateway import WA_PHONE_ID, WA_SECRET
from tests.integration.conftest import WEBHOOK_SECRET
from tests.integration.processes import TEST_DATA_KEY
from tests.reliability.harness import Cluster, figures

INJECTION = "'); DROP TABLE messages; -- \" OR 1=1; SELECT * FROM staff WHERE ''='"
SEED = 20251203


def _random_unicode(rng: random.Random, length: int) -> str:
    """Letters, symbols, emoji, right-to-left and zero-width characters (no
    surrogates, which JSON cannot carry)."""
    ranges = [(0x20, 0x7E), (0xA0, 0x24F), (0x590, 0x6FF), (0x200B, 0x200F),
              (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0x1F300, 0x1F6FF)]  # fmt: skip
    return "".join(chr(rng.randint(*rng.choice(ranges))) for _ in range(length))


def _stored_texts(cluster: Cluster, sender_id: str) -> list[str]:
    with cluster.database() as db, db.session() as session:
        rows = session.scalars(
            select(Message.text)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .where(Conversation.sender_id == sender_id, Message.direction == "in")
        )
        return list(rows)


def _conversation_exists(cluster: Cluster, sender_id: str) -> bool:
    with cluster.database() as db, db.session() as session:
        found = session.scalar(
            select(Conversation.id).where(Conversation.sender_id == sender_id)
        )
        return found is not None


def _post_raw(
    cluster: Cluster, gateway: int | None, path: str, body: bytes, headers: Any
) -> httpx.Response:
    return httpx.post(
        f"{cluster.gateway_url(gateway)}{path}",
        content=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def _forged(cluster: Cluster, statuses: list[int]) -> int:
    """Forged requests at both webhooks of every gateway; the forged senders."""
    forged = 0
    for gateway in (0, 1, None):
        for secret in ("wrong-secret", None):
            chat = random.randint(10**8, 10**9)
            update = tg.text(chat, "pesan palsu 3201234567890001")
            statuses.append(cluster.post_update(update, gateway, secret).status_code)
            assert statuses[-1] == 403
            assert not _conversation_exists(cluster, f"telegram:{chat}")
            forged += 1
        for signature in ("sha256=" + "0" * 64, None):
            wa_id = f"628{random.randint(10**9, 10**10)}"
            body, headers = wa.signed(wa.text(WA_PHONE_ID, wa_id, "palsu"), WA_SECRET)
            headers = {"X-Hub-Signature-256": signature} if signature else {}
            response = _post_raw(cluster, gateway, "/whatsapp/webhook", body, headers)
            statuses.append(response.status_code)
            assert statuses[-1] == 401
            sender = whatsapp_key(DataCipher(TEST_DATA_KEY), wa_id).sender_id
            assert not _conversation_exists(cluster, sender)
            forged += 1
    return forged


def _malformed(cluster: Cluster, statuses: list[int]) -> int:
    """Authentic but unreadable bodies: acknowledged (2xx) or refused (4xx)."""
    tg_headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    bodies = [
        b"{not json",
        b"[1, 2, 3]",
        b'{"update_id": "x"}',
        b'{"update_id": 5, "message": {"text": "tanpa chat"}}',
        b"\xff\xfe\x00garbage",
        json.dumps({"update_id": 7, "message": None}).encode(),
        b"",
    ]
    count = 0
    for index, body in enumerate(bodies):
        gateway = index % 2
        response = _post_raw(cluster, gateway, "/telegram/webhook", body, tg_headers)
        statuses.append(response.status_code)
        signature = _signature(body)
        response = _post_raw(cluster, gateway, "/whatsapp/webhook", body, signature)
        statuses.append(response.status_code)
        count += 2
    # Over the 1 MB body limit: refused before it is read (nginx or the gateway).
    huge = b'{"update_id": 1, "pad": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    for target in (0, None):
        response = _post_raw(cluster, target, "/telegram/webhook", huge, tg_headers)
        statuses.append(response.status_code)
        assert response.status_code == 413
        count += 1
    return count


def _signature(body: bytes) -> dict[str, str]:
    digest = hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}"}


def _restarts(cluster: Cluster) -> int:
    return sum(i.restarts for i in cluster.supervisor.instances.values())


def test_bad_input_is_refused_or_answered_and_never_crashes(cluster: Cluster) -> None:
    restarts_before = _restarts(cluster)
    statuses: list[int] = []
    forged = _forged(cluster, statuses)
    malformed = _malformed(cluster, statuses)

    rng = random.Random(SEED)
    texts = {
        "unicode": _random_unicode(rng, 300),
        "long": "saya mau lapor " * 7000,  # about 100 kB in one message
        "injection": INJECTION,
    }
    chats = {name: rng.randint(10**8, 10**9) for name in texts}
    for index, (name, body) in enumerate(texts.items()):
        response = cluster.post_update(tg.text(chats[name], body), index % 2)
        statuses.append(response.status_code)
        assert response.status_code == 200, name
    for name, chat in chats.items():
        replies = cluster.telegram.wait_for_texts(chat, 1, timeout=120)
        assert replies[0].strip(), name  # a polite reply, not silence

    assert _stored_texts(cluster, f"telegram:{chats['injection']}") == [INJECTION]
    assert _stored_texts(cluster, f"telegram:{chats['unicode']}") == [texts["unicode"]]
    assert all(status < 500 for status in statuses), statuses
    assert all(state == "up" for state in cluster.supervisor.status().values())
    restarts = _restarts(cluster) - restarts_before
    assert restarts == 0
    figures(
        "bad_input",
        requests=len(statuses),
        forged=forged,
        malformed=malformed,
        polite_replies=len(chats),
        status_5xx=sum(status >= 500 for status in statuses),
        stored_for_forged=0,
        restarts=restarts,
    )
