"""A fake WhatsApp Cloud (Graph) API on loopback that records and enforces limits.

Messages are POSTed to ``/{version}/{phone_number_id}/messages`` with a bearer token,
as on https://graph.facebook.com. Errors come back in the Graph API's shape,
``{"error": {"message", "type", "code", "error_subcode"?, "fbtrace_id"}}``. What it
refuses (so a rendering bug fails a test):

- 190 a wrong access token; 100/33 an unknown phone number id;
- 100 a missing ``messaging_product``/``to``/``type``, an unknown type;
- text: body empty or over 4096 characters;
- interactive: body empty or over 1024; reply buttons: 1-3, title 1-20, id 1-256,
  unique ids and titles; list: button label 1-20, 1-10 sections, 1-10 rows in total,
  row title 1-24, row id 1-200, unique row ids, description ≤ 72, a title on every
  section when there are several;
- template: 132001 unknown name/language, 132000 wrong number of body parameters,
  132018 a parameter with new lines, tabs or more than 4 spaces in a row;
- an authentication template (one of ``auth_templates``): 132000 unless it has
  exactly one body parameter, a code of 4-15 characters, and one URL button at
  index 0 whose one parameter is the same code (the "copy code" button);
- 131009 for every interactive message inside ``refusing_interactive()``;
- 131047 a free-form (non-template) message when the recipient has not written in
  the last 24 hours (the fake knows when they wrote from ``customer_wrote``; the
  real API accepts the request and reports 131047 later in a ``failed`` status).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.provider import Call, FakeProvider, Fault, ProviderError

TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
LIST_BUTTON_LIMIT = 20
MAX_SECTIONS = 10
MAX_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_ID_LIMIT = 200
ROW_DESCRIPTION_LIMIT = 72
SECTION_TITLE_LIMIT = 24
WINDOW = timedelta(hours=24)
# The one Graph API method the fake serves (calls are recorded under it).
MESSAGES = "messages"

_wamids = itertools.count(1)


class GraphError(ProviderError):
    """A refusal in the Graph API's words."""

    def __init__(
        self,
        code: int,
        message: str,
        status: int = 400,
        subcode: int | None = None,
        kind: str = "OAuthException",
    ) -> None:
        super().__init__(code, message, status)
        self.message = message
        self.subcode = subcode
        self.kind = kind

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "fbtrace_id": "AbCdEfFakeTrace",
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return {"error": error}


def _invalid(message: str) -> GraphError:
    return GraphError(100, f"Invalid parameter: {message}")


def _length(value: Any, low: int, high: int, what: str) -> str:
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise _invalid(f"{what} must be {low}-{high} characters long")
    return value


def _validate_buttons(action: dict[str, Any]) -> None:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise GraphError(
            131009,
            f"Parameter value is not valid: buttons must have 1-{MAX_BUTTONS} items",
        )
    ids, titles = [], []
    for button in buttons:
        if not isinstance(button, dict) or button.get("type") != "reply":
            raise _invalid("button type must be 'reply'")
        reply = button.get("reply") or {}
        titles.append(
            _length(reply.get("title"), 1, BUTTON_TITLE_LIMIT, "button title")
        )
        ids.append(_length(reply.get("id"), 1, BUTTON_ID_LIMIT, "button id"))
    if len(set(ids)) != len(ids) or len(set(titles)) != len(titles):
        raise GraphError(
            131009, "Parameter value is not valid: button titles and ids must be unique"
        )


def _validate_list(action: dict[str, Any]) -> None:
    _length(action.get("button"), 1, LIST_BUTTON_LIMIT, "list button")
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= MAX_SECTIONS:
        raise GraphError(
            131009, f"Parameter value is not valid: 1-{MAX_SECTIONS} sections"
        )
    row_ids: list[str] = []
    for section in sections:
        if not isinstance(section, dict):
            raise _invalid("section must be an object")
        if len(sections) > 1 or "title" in section:
            _length(section.get("title"), 1, SECTION_TITLE_LIMIT, "section title")
        rows = section.get("rows")
        if not isinstance(rows, list) or not rows:
            raise _invalid("every section needs rows")
        for row in rows:
            if not isinstance(row, dict):
                raise _invalid("row must be an object")
            _length(row.get("title"), 1, ROW_TITLE_LIMIT, "row title")
            row_ids.append(_length(row.get("id"), 1, ROW_ID_LIMIT, "row id"))
            if "description" in row:
                _length(row["description"], 1, ROW_DESCRIPTION_LIMIT, "row description")
    if len(row_ids) > MAX_ROWS:
        raise GraphError(
            131009, f"Parameter value is not valid: at most {MAX_ROWS} rows in total"
        )
    if len(set(row_ids)) != len(row_ids):
        raise GraphError(131009, "Parameter value is not valid: row ids must be unique")


AUTH_CODE = re.compile(r"[0-9A-Za-z]{4,15}")


def authentication_code(template: dict[str, Any]) -> str:
    """The code an authentication template carries; raise if it is malformed."""
    components = [c for c in template.get("components") or [] if isinstance(c, dict)]
    bodies = [c for c in components if c.get("type") == "body"]
    buttons = [c for c in components if c.get("type") == "button"]
    if len(bodies) != 1 or len(bodies[0].get("parameters") or []) != 1:
        raise GraphError(132000, "Authentication templates take one body parameter")
    code = (bodies[0]["parameters"][0] or {}).get("text")
    if not isinstance(code, str) or not AUTH_CODE.fullmatch(code):
        raise GraphError(132000, "The one-time code must be 4-15 letters or digits")
    if len(buttons) != 1:
        raise GraphError(132000, "Authentication templates need the copy-code button")
    button = buttons[0]
    params = button.get("parameters") or []
    if (
        button.get("sub_type") != "url"
        or str(button.get("index")) != "0"
        or len(params) != 1
        or (params[0] or {}).get("text") != code
    ):
        raise GraphError(
            132000, "The copy-code button (url, index 0) must carry the same code"
        )
    return code


def _validate_template(
    template: Any,
    templates: dict[tuple[str, str], int],
    auth_templates: frozenset[tuple[str, str]] = frozenset(),
) -> None:
    if not isinstance(template, dict):
        raise _invalid("template must be an object")
    name = template.get("name")
    language = (template.get("language") or {}).get("code")
    if (str(name), str(language)) in auth_templates:
        authentication_code(template)
        return
    expected = templates.get((str(name), str(language)))
    if expected is None:
        raise GraphError(
            132001,
            "Template name does not exist in the translation",
            kind="OAuthException",
        )
    parameters: list[Any] = []
    for component in template.get("components") or []:
        if isinstance(component, dict) and component.get("type") == "body":
            parameters.extend(component.get("parameters") or [])
    if len(parameters) != expected:
        raise GraphError(
            132000,
            "Number of parameters does not match the expected number of params",
        )
    for parameter in parameters:
        value = parameter.get("text") if isinstance(parameter, dict) else None
        if not isinstance(value, str) or not value:
            raise _invalid("template parameter text is required")
        if "\n" in value or "\t" in value or re.search(r" {5,}", value):
            raise GraphError(
                132018,
                "Param text cannot have new-line/tab characters or more than 4 "
                "consecutive spaces",
            )


def validate_message(
    payload: Any,
    templates: dict[tuple[str, str], int] | None = None,
    auth_templates: frozenset[tuple[str, str]] = frozenset(),
) -> str:
    """Raise what the Graph API answers to an invalid message; return its type."""
    if not isinstance(payload, dict):
        raise _invalid("body must be a JSON object")
    if payload.get("messaging_product") != "whatsapp":
        raise _invalid("messaging_product must be 'whatsapp'")
    if not payload.get("to"):
        raise _invalid("to is required")
    kind = payload.get("type", "text")
    if kind == "text":
        body = (payload.get("text") or {}).get("body")
        if not isinstance(body, str) or not body.strip():
            raise _invalid("text['body'] is required")
        if len(body) > TEXT_LIMIT:
            raise _invalid(f"text['body'] must be at most {TEXT_LIMIT} characters long")
    elif kind == "interactive":
        interactive = payload.get("interactive") or {}
        body = (interactive.get("body") or {}).get("text")
        _length(body, 1, INTERACTIVE_BODY_LIMIT, "interactive body text")
        action = interactive.get("action") or {}
        if interactive.get("type") == "button":
            _validate_buttons(action)
        elif interactive.get("type") == "list":
            _validate_list(action)
        else:
            raise _invalid("interactive type must be 'button' or 'list' here")
    elif kind == "template":
        _validate_template(payload.get("template"), templates or {}, auth_templates)
    else:
        raise _invalid(f"unsupported message type {kind!r}")
    return str(kind)


class FakeWhatsAppApi(FakeProvider[str]):
    """Records every message request; ``texts_to(wa_id)`` shows what they saw."""

    def __init__(
        self,
        access_token: str,
        phone_number_id: str,
        templates: dict[tuple[str, str], int] | None = None,
        auth_templates: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        super().__init__(
            [
                Route(
                    "/{version}/{phone_number_id}/messages",
                    self._messages,
                    methods=["POST"],
                )
            ]
        )
        self.access_token = access_token
        self.phone_number_id = phone_number_id
        self.templates = templates or {}
        self.auth_templates = auth_templates
        self.last_customer_message: dict[str, datetime] = {}

    # --- what tests do and read -------------------------------------------------------

    def customer_wrote(self, wa_id: str, at: datetime | None = None) -> None:
        """The participant wrote at ``at`` (opens the 24-hour window)."""
        with self._lock:
            self.last_customer_message[wa_id] = at or datetime.now(timezone.utc)

    @contextmanager
    def refusing_interactive(self) -> Iterator[Fault]:
        """Refuse every interactive message, as the real API does for a number or
        client that cannot show them."""
        error = GraphError(131009, "Parameter value is not valid: interactive")
        with self.injected(
            error, method=MESSAGES, when=lambda p: p.get("type") == "interactive"
        ) as fault:
            yield fault

    def outage(self, status: int = 503, times: int | None = None) -> Fault:
        """Sending answers ``status`` (a 5xx) until ``lift`` (or ``times``)."""
        error = GraphError(
            2, "Service temporarily unavailable", status, kind="OAuthException"
        )
        return self.inject(error, method=MESSAGES, times=times)

    def throttle(self, times: int = 1, retry_after: int = 1) -> Fault:
        """The next ``times`` sends get a 429 with ``Retry-After``."""
        error = GraphError(130429, "Rate limit hit", 429)
        error.headers = {"Retry-After": str(retry_after)}
        return self.inject(error, method=MESSAGES, times=times)

    def blocked(self, wa_id: str) -> Fault:
        """Every send to ``wa_id`` is refused for good (a 403), until lifted."""
        error = GraphError(200, "Permissions error", 403)
        return self.inject(
            error, method=MESSAGES, when=lambda p: p.get("to") == wa_id, times=None
        )

    def accepted_to(self, wa_id: str) -> list[dict[str, Any]]:
        """Payloads of accepted messages to ``wa_id``, oldest first."""
        return [c.params for c in self._accepted(wa_id)]

    def wamids_to(self, wa_id: str) -> list[str]:
        """Message ids given to accepted messages to ``wa_id``."""
        return [str(c.result_id) for c in self._accepted(wa_id)]

    def texts_to(self, recipient: str) -> list[str]:
        """What the participant saw, one string per accepted message."""
        return [visible_text(p) for p in self.accepted_to(recipient)]

    def codes_sent_to(self, wa_id: str) -> list[str]:
        """The one-time codes accepted for ``wa_id``, oldest first."""
        return [
            authentication_code(p["template"])
            for p in self.accepted_to(wa_id)
            if p.get("type") == "template"
            and (p["template"]["name"], p["template"]["language"]["code"])
            in self.auth_templates
        ]

    def _accepted(self, wa_id: str) -> list[Call]:
        return [
            c
            for c in self.calls_to(MESSAGES)
            if c.accepted and c.params.get("to") == wa_id
        ]

    # --- the API ----------------------------------------------------------------------

    async def _messages(self, request: Request) -> Response:
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        call = Call(MESSAGES, payload if isinstance(payload, dict) else {})
        return await self.answer(call, lambda c: self._send(request, c, payload))

    def _send(self, request: Request, call: Call, payload: Any) -> dict[str, Any]:
        self._check(request, call, payload)
        call.result_id = f"wamid.FAKE{next(_wamids):012d}"
        to = str(call.params["to"])
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": call.result_id}],
        }

    def _check(self, request: Request, call: Call, payload: Any) -> None:
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            raise GraphError(
                190, "Invalid OAuth access token - Cannot parse access token", 401
            )
        if request.path_params["phone_number_id"] != self.phone_number_id:
            raise GraphError(
                100,
                f"Unsupported post request. Object with ID "
                f"'{request.path_params['phone_number_id']}' does not exist",
                subcode=33,
                kind="GraphMethodException",
            )
        kind = validate_message(payload, self.templates, self.auth_templates)
        self.raise_injected(call)
        if kind != "template":
            with self._lock:
                last = self.last_customer_message.get(str(payload["to"]))
            if last is None or datetime.now(timezone.utc) - last >= WINDOW:
                raise GraphError(
                    131047,
                    "Re-engagement message: more than 24 hours have passed since "
                    "the recipient last replied",
                )


def visible_text(payload: dict[str, Any]) -> str:
    """The text a participant sees for one message payload."""
    kind = payload.get("type", "text")
    if kind == "text":
        return str(payload["text"]["body"])
    if kind == "interactive":
        return str(payload["interactive"]["body"]["text"])
    if kind == "template":
        template = payload["template"]
        params = [
            p.get("text", "")
            for c in template.get("components", [])
            for p in c.get("parameters", [])
        ]
        return f"[template {template['name']}] " + " ".join(params)
    return f"[{kind}]"
