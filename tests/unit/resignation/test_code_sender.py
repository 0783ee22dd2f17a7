"""The WhatsApp code sender speaks the authentication template the fake enforces."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.messaging.code_sender import (
    CodeDeliveryError,
    WhatsAppCodeSender,
    authentication_template,
)
from tests.fakes.whatsapp_api import GraphError, authentication_code, validate_message

AUTH = frozenset({("kode_verifikasi", "id")})


def _sender(handler: httpx.MockTransport) -> WhatsAppCodeSender:
    return WhatsAppCodeSender(
        "http://graph.test/v21.0",
        "PHONE1",
        "token",
        "kode_verifikasi",
        "id",
        transport=handler,
    )


def test_the_code_goes_to_the_registered_number_as_the_template() -> None:
    seen: list[dict[str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v21.0/PHONE1/messages"
        assert request.headers["authorization"] == "Bearer token"
        payload = json.loads(request.content)
        assert validate_message(payload, {}, AUTH) == "template"
        seen.append(payload)
        return httpx.Response(200, json={"messages": [{"id": "wamid.1"}]})

    _sender(httpx.MockTransport(handle)).send_code("0813-2555-0101", "042917")
    assert len(seen) == 1
    assert seen[0]["to"] == "6281325550101"
    assert authentication_code(seen[0]["template"]) == "042917"  # type: ignore[arg-type]


def test_the_fake_refuses_a_template_without_the_copy_code_button() -> None:
    payload = authentication_template(
        "6281325550101", "042917", "kode_verifikasi", "id"
    )
    payload["template"]["components"] = payload["template"]["components"][:1]
    with pytest.raises(GraphError) as refused:
        validate_message(payload, {}, AUTH)
    assert refused.value.code == 132000
    other = authentication_template("6281325550101", "042917", "kode_verifikasi", "id")
    other["template"]["components"][1]["parameters"][0]["text"] = "999999"
    with pytest.raises(GraphError):
        validate_message(other, {}, AUTH)


@pytest.mark.parametrize("status", [400, 401, 500])
def test_a_refusal_is_a_typed_error(status: int) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(status, json={}))
    with pytest.raises(CodeDeliveryError):
        _sender(transport).send_code("6281325550101", "123456")


def test_a_timeout_is_a_typed_error() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(CodeDeliveryError):
        _sender(httpx.MockTransport(handle)).send_code("6281325550101", "123456")
