"""The WhatsApp channel through real HTTP: fake Graph API, fake Rasa, real store."""

from __future__ import annotations

import random
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from bot.core.crypto import DataCipher
from bot.gateway.channels.rendering.common import payload_key
from tests.fakes import whatsapp_updates as wa
from tests.fakes.gateway import (
    DATA_KEY,
    WA_PHONE_ID,
    WA_SECRET,
    WA_VERIFY,
    Fakes,
    LocalGateway,
    local_gateway,
    wa_sender,
)
from tests.unit.gateway.channel_fixtures import channel_database, gateway, world

__all__ = ["channel_database", "gateway", "world"]


def _wa_id() -> str:
    return f"628{random.randint(10**9, 10**10 - 1)}"


def _buttons(*titles: str) -> list[dict[str, str]]:
    return [{"title": t, "payload": f"/pick_{i}"} for i, t in enumerate(titles, 1)]


def test_get_verification_answers_the_challenge_only_with_the_right_token(
    gateway: LocalGateway,
) -> None:
    url = f"{gateway.url}/whatsapp/webhook"
    ok = httpx.get(
        url,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": WA_VERIFY,
            "hub.challenge": "1158201444",
        },
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = httpx.get(
        url,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": "guess",
            "hub.challenge": "1158201444",
        },
    )
    assert wrong.status_code == 403
    assert "1158201444" not in wrong.text
    no_mode = httpx.get(
        url, params={"hub.verify_token": WA_VERIFY, "hub.challenge": "1"}
    )
    assert no_mode.status_code == 403


def test_a_forged_signature_is_refused_and_nothing_is_stored(
    gateway: LocalGateway,
) -> None:
    wa_id = _wa_id()
    payload = wa.text(WA_PHONE_ID, wa_id, "halo")
    assert (
        gateway.post_whatsapp(payload, secret="not-the-app-secret").status_code == 401
    )
    body, headers = wa.signed(payload, WA_SECRET)
    unsigned = {"Content-Type": "application/json"}
    url = f"{gateway.url}/whatsapp/webhook"
    assert httpx.post(url, content=body, headers=unsigned).status_code == 401
    tampered = body.replace(b"halo", b"hola")
    assert httpx.post(url, content=tampered, headers=headers).status_code == 401
    assert gateway.messages(wa_sender(wa_id)) == []
    assert gateway.world.whatsapp.accepted_to(wa_id) == []


def test_text_is_answered_and_recorded(gateway: LocalGateway) -> None:
    wa_id = _wa_id()
    response = gateway.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, "halo"))
    assert response.status_code == 200
    texts = gateway.world.whatsapp.wait_for_texts(wa_id, 1)
    assert texts == ["Bapak/Ibu menulis: halo"]
    assert gateway.world.rasa.messages_from(wa_sender(wa_id)) == ["halo"]

    def transcript() -> list[tuple[str, str]]:
        return [(m.direction, m.text) for m in gateway.messages(wa_sender(wa_id))]

    # The reply is recorded right after the provider accepted it.
    gateway.world.whatsapp.wait_for(lambda: len(transcript()) == 2, what="transcript")
    assert transcript() == [("in", "halo"), ("out", "Bapak/Ibu menulis: halo")]


def test_the_number_is_kept_only_hashed_and_encrypted(gateway: LocalGateway) -> None:
    """Conversation id and Rasa sender are a keyed hash; replies still arrive."""
    wa_id = _wa_id()
    gateway.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, "halo"))
    gateway.world.whatsapp.wait_for_texts(wa_id, 1)  # delivered to the number
    conversation = gateway.conversation(wa_sender(wa_id))
    assert conversation is not None
    assert conversation.external_id == DataCipher(DATA_KEY).phone_hash(wa_id)
    assert wa_id not in conversation.sender_id
    assert conversation.address_hint == "…" + wa_id[-4:]
    assert conversation.address_ciphertext is not None
    assert wa_id not in conversation.address_ciphertext
    assert DataCipher(DATA_KEY).decrypt(conversation.address_ciphertext) == wa_id
    assert gateway.world.rasa.requests[-1]["sender"] == wa_sender(wa_id)
    assert all(wa_id not in str(request) for request in gateway.world.rasa.requests)


def test_three_options_are_reply_buttons_and_a_press_sends_the_payload(
    gateway: LocalGateway,
) -> None:
    wa_id = _wa_id()
    gateway.world.rasa.scripted["pilih tiga"] = [
        {"text": "Pilih satu.", "buttons": _buttons("Satu", "Dua", "Tiga")}
    ]
    gateway.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, "pilih tiga"))
    gateway.world.whatsapp.wait_for_texts(wa_id, 1)
    [sent] = gateway.world.whatsapp.accepted_to(wa_id)
    interactive = sent["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"]["text"] == "Pilih satu.\n\n1. Satu\n2. Dua\n3. Tiga"
    replies = [b["reply"] for b in interactive["action"]["buttons"]]
    assert replies == [
        {"id": "/pick_1", "title": "Satu"},
        {"id": "/pick_2", "title": "Dua"},
        {"id": "/pick_3", "title": "Tiga"},
    ]

    gateway.post_whatsapp(wa.button_reply(WA_PHONE_ID, wa_id, "/pick_2", "Dua"))
    gateway.world.whatsapp.wait_for_texts(wa_id, 2)
    sender = wa_sender(wa_id)
    assert gateway.world.rasa.messages_from(sender)[-1] == "/pick_2"
    assert gateway.world.rasa.requests[-1]["metadata"]["button"] is True


def test_four_to_ten_options_are_a_list_and_a_row_sends_the_payload(
    gateway: LocalGateway,
) -> None:
    wa_id = _wa_id()
    titles = [f"Kantor Cabang Nomor {i} Jawa Tengah" for i in range(1, 11)]
    gateway.world.rasa.scripted["pilih kantor"] = [
        {"text": "Kantor mana?", "buttons": _buttons(*titles)}
    ]
    gateway.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, "pilih kantor"))
    gateway.world.whatsapp.wait_for_texts(wa_id, 1)
    [sent] = gateway.world.whatsapp.accepted_to(wa_id)
    interactive = sent["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert len(rows) == 10
    assert all(len(r["title"]) <= 24 for r in rows)
    assert len({r["title"] for r in rows}) == 10  # shortened, still distinct
    # The full titles stay readable in the body as numbered lines.
    assert "10. Kantor Cabang Nomor 10 Jawa Tengah" in interactive["body"]["text"]

    gateway.post_whatsapp(
        wa.list_reply(WA_PHONE_ID, wa_id, rows[6]["id"], rows[6]["title"])
    )
    gateway.world.whatsapp.wait_for_texts(wa_id, 2)
    assert gateway.world.rasa.messages_from(wa_sender(wa_id))[-1] == "/pick_7"


def test_more_than_ten_options_are_numbered_text_and_a_number_picks_one(
    gateway: LocalGateway,
) -> None:
    wa_id = _wa_id()
    gateway.world.rasa.scripted["pilih banyak"] = [
        {"text": "Pilih.", "buttons": _buttons(*[f"Opsi {i}" for i in range(1, 13)])}
    ]
    gateway.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, "pilih banyak"))
    gateway.world.whatsapp.wait_for_texts(wa_id, 1)
    [sent] = gateway.world.whatsapp.accepted_to(wa_id)
    assert sent["type"] == "text"
    assert sent["text"]["body"].endswith("11. Opsi 11\n12. Opsi 12")
    gateway.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, "12"))
    gateway.world.whatsapp.wait_for_texts(wa_id, 2)
    assert gateway.world.rasa.messages_from(wa_sender(wa_id))[-1] == "/pick_12"


def test_a_payload_too_long_for_a_button_id_goes_by_a_stored_key(
    gateway: LocalGateway,
) -> None:
    wa_id = _wa_id()
    long_payload = '/inform{"resolution_wanted": "' + "panjang " * 40 + '"}'
    gateway.world.rasa.scripted["tombol panjang"] = [
        {"text": "Setuju?", "buttons": [{"title": "Ya", "payload": long_payload}]}
    ]
    gateway.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, "tombol panjang"))
    gateway.world.whatsapp.wait_for_texts(wa_id, 1)
    [sent] = gateway.world.whatsapp.accepted_to(wa_id)
    [button] = sent["interactive"]["action"]["buttons"]
    assert button["reply"]["id"] == payload_key(long_payload)
    gateway.post_whatsapp(
        wa.button_reply(WA_PHONE_ID, wa_id, button["reply"]["id"], "Ya")
    )
    gateway.world.whatsapp.wait_for_texts(wa_id, 2)
    assert gateway.world.rasa.messages_from(wa_sender(wa_id))[-1] == long_payload


def test_media_of_every_kind_is_answered_politely_without_rasa(
    gateway: LocalGateway,
) -> None:
    wa_id = _wa_id()
    kinds = ["image", "audio", "video", "document", "sticker", "location"]
    for count, kind in enumerate(kinds, start=1):
        assert (
            gateway.post_whatsapp(wa.media(WA_PHONE_ID, wa_id, kind)).status_code == 200
        )
        texts = gateway.world.whatsapp.wait_for_texts(wa_id, count)
        assert "hanya bisa membaca pesan teks" in texts[-1]
    assert gateway.world.rasa.messages_from(wa_sender(wa_id)) == []
    inbound = [
        m.text for m in gateway.messages(wa_sender(wa_id)) if m.direction == "in"
    ]
    assert inbound == [
        "[foto]",
        "[pesan suara]",
        "[video]",
        "[dokumen]",
        "[stiker]",
        "[lokasi]",
    ]


def test_a_replayed_message_id_is_answered_once(gateway: LocalGateway) -> None:
    wa_id = _wa_id()
    payload = wa.text(WA_PHONE_ID, wa_id, "sekali saja", message_id=wa.wamid())
    assert gateway.post_whatsapp(payload).status_code == 200
    gateway.world.whatsapp.wait_for_texts(wa_id, 1)
    assert gateway.post_whatsapp(payload).status_code == 200
    assert gateway.post_whatsapp(payload).status_code == 200
    gateway.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, "berikutnya"))
    texts = gateway.world.whatsapp.wait_for_texts(wa_id, 2)
    assert texts == ["Bapak/Ibu menulis: sekali saja", "Bapak/Ibu menulis: berikutnya"]
    inbound = [m for m in gateway.messages(wa_sender(wa_id)) if m.direction == "in"]
    assert [m.text for m in inbound] == ["sekali saja", "berikutnya"]


def test_statuses_are_recorded_on_the_outbound_message(gateway: LocalGateway) -> None:
    wa_id = _wa_id()
    gateway.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, "status"))
    gateway.world.whatsapp.wait_for_texts(wa_id, 1)
    [wamid] = gateway.world.whatsapp.wamids_to(wa_id)
    sender = wa_sender(wa_id)

    def outbound() -> Any:
        gateway.world.whatsapp.wait_for(
            lambda: any(
                m.provider_message_id == wamid for m in gateway.messages(sender)
            ),
            what="the outbound message's delivery to be recorded",
        )
        return next(m for m in gateway.messages(sender) if m.direction == "out")

    assert outbound().provider_message_id == wamid
    for state in ("sent", "delivered", "read"):
        response = gateway.post_whatsapp(wa.status(WA_PHONE_ID, wamid, state, wa_id))
        assert response.status_code == 200
        assert outbound().status == state
        assert outbound().status_at is not None
    # A late, less advanced report does not undo "read".
    gateway.post_whatsapp(wa.status(WA_PHONE_ID, wamid, "delivered", wa_id))
    assert outbound().status == "read"

    gateway.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, "lagi"))
    gateway.world.whatsapp.wait_for_texts(wa_id, 2)
    second = gateway.world.whatsapp.wamids_to(wa_id)[1]
    gateway.world.whatsapp.wait_for(
        lambda: any(m.provider_message_id == second for m in gateway.messages(sender)),
        what="the second reply to be recorded",
    )
    gateway.post_whatsapp(wa.status(WA_PHONE_ID, second, "failed", wa_id, 131026))
    failed = [m for m in gateway.messages(sender) if m.provider_message_id == second]
    assert failed[0].status == "failed"
    assert failed[0].error is not None and failed[0].error.startswith("131026")


def test_an_authentic_but_malformed_or_foreign_payload_still_gets_200(
    gateway: LocalGateway,
) -> None:
    body = b"{not json"
    _, headers = wa.signed({}, WA_SECRET)
    import hashlib
    import hmac

    digest = hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers["X-Hub-Signature-256"] = f"sha256={digest}"
    url = f"{gateway.url}/whatsapp/webhook"
    assert httpx.post(url, content=body, headers=headers).status_code == 200
    wa_id = _wa_id()
    other_number = wa.text("999999999", wa_id, "bukan untuk kita")
    assert gateway.post_whatsapp(other_number).status_code == 200
    assert gateway.messages(wa_sender(wa_id)) == []


def test_a_ten_thousand_character_message_is_kept_but_not_forwarded(
    gateway: LocalGateway,
) -> None:
    wa_id = _wa_id()
    long_text = ("saya mau lapor " * 700)[:10_000]
    assert (
        gateway.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, long_text)).status_code == 200
    )
    texts = gateway.world.whatsapp.wait_for_texts(wa_id, 1)
    assert "terlalu panjang" in texts[0]
    assert "10000 huruf" in texts[0]
    assert gateway.world.rasa.messages_from(wa_sender(wa_id)) == []
    [inbound] = [m for m in gateway.messages(wa_sender(wa_id)) if m.direction == "in"]
    assert len(inbound.text) == 10_000


def test_one_senders_messages_are_answered_in_order_one_at_a_time(
    gateway: LocalGateway,
) -> None:
    wa_id = _wa_id()
    sender = wa_sender(wa_id)
    gateway.world.rasa.delay_seconds = 0.05
    try:
        threads = [
            threading.Thread(
                target=gateway.post_whatsapp,
                args=(wa.text(WA_PHONE_ID, wa_id, f"pesan {i}"),),
            )
            for i in range(6)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        gateway.world.whatsapp.wait_for_texts(wa_id, 6)
    finally:
        gateway.world.rasa.delay_seconds = 0.0
    recorded = [m.text for m in gateway.messages(sender) if m.direction == "in"]
    assert sorted(recorded) == sorted(f"pesan {i}" for i in range(6))
    # Rasa saw them in the order the gateway recorded them, never two at once.
    assert gateway.world.rasa.messages_from(sender) == recorded
    assert sender not in gateway.world.rasa.overlaps
    answers = gateway.world.whatsapp.texts_to(wa_id)
    assert answers == [f"Bapak/Ibu menulis: {text}" for text in recorded]


def test_a_burst_over_the_rate_limit_gets_one_polite_notice(
    world: Fakes, tmp_path: Path
) -> None:
    # The limit counts per clock minute: start the burst well inside one.
    while datetime.now(timezone.utc).second >= 55:
        time.sleep(0.5)
    wa_id = _wa_id()
    overrides: dict[str, str | None] = {"RATE_LIMIT_PER_MINUTE": "3"}
    with local_gateway(
        world, f"sqlite:///{tmp_path / 'bpu.sqlite3'}", str(tmp_path), overrides
    ) as limited:
        for i in range(6):
            response = limited.post_whatsapp(wa.text(WA_PHONE_ID, wa_id, f"pesan {i}"))
            assert response.status_code == 200
            limited.world.whatsapp.wait_for(
                lambda i=i: (
                    len(  # type: ignore[misc]
                        [
                            m
                            for m in limited.messages(wa_sender(wa_id))
                            if m.direction == "in" and m.status != "received"
                        ]
                    )
                    > i
                ),
                what=f"message {i} to be handled",
            )
        texts = limited.world.whatsapp.texts_to(wa_id)
        inbound = [m for m in limited.messages(wa_sender(wa_id)) if m.direction == "in"]
    assert texts[:3] == [f"Bapak/Ibu menulis: pesan {i}" for i in range(3)]
    assert len(texts) == 4 and "tunggu sebentar" in texts[3]
    assert world.rasa.messages_from(wa_sender(wa_id)) == [
        f"pesan {i}" for i in range(3)
    ]
    assert [m.status for m in inbound] == ["answered"] * 3 + ["limited"] * 3


def test_odd_shapes_inside_an_authentic_payload_do_not_lose_the_rest(
    gateway: LocalGateway,
) -> None:
    wa_id = _wa_id()
    payload = wa.text(WA_PHONE_ID, wa_id, "yang ini sah")
    value = payload["entry"][0]["changes"][0]["value"]
    odd = {"from": wa_id, "id": wa.wamid(), "type": "text", "text": "not an object"}
    value["messages"].insert(0, odd)
    value["messages"].insert(0, "not even a dict")
    value["statuses"] = [{"id": 5, "status": "read", "timestamp": "soon"}]
    assert gateway.post_whatsapp(payload).status_code == 200
    texts = gateway.world.whatsapp.wait_for_texts(wa_id, 1)
    assert texts == ["Bapak/Ibu menulis: yang ini sah"]
    weird = wa.envelope(WA_PHONE_ID, {"messages": {"not": "a list"}})
    assert gateway.post_whatsapp(weird).status_code == 200
