"""Every console route does its store work in a worker thread, never on the loop."""

from __future__ import annotations

from starlette.testclient import TestClient

from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.store.db import Database
from tests.builders import make_staff
from tests.unit.console.support import complaint_with_phone, console_app, login


async def _deliver(
    key: ConversationKey, message: BotMessage, proactive: bool
) -> Delivery:
    return Delivery(status="sent")


def test_no_console_route_opens_a_session_on_the_event_loop(
    db: Database, sessions_on_loop: list[str]
) -> None:
    make_staff(db, "sri", "supervisor")
    reference, secret_id, cid = complaint_with_phone(db)
    outbound = Outbound(db)
    outbound.register("telegram", _deliver)
    with TestClient(console_app(db, outbound)) as client:
        csrf = login(client, "sri")
        steps = [
            ("GET", "/staff/?semua=1", {}),
            ("GET", f"/staff/conversations/{cid}", {}),
            ("POST", f"/staff/conversations/{cid}/take", {}),
            ("POST", f"/staff/conversations/{cid}/reply", {"text": "Halo"}),
            ("POST", f"/staff/conversations/{cid}/note", {"text": "catatan"}),
            ("POST", f"/staff/secrets/{secret_id}/reveal", {}),
            ("POST", f"/staff/conversations/{cid}/close", {}),
            ("GET", f"/staff/tickets/{reference}", {}),
            ("POST", f"/staff/tickets/{reference}/status", {"status": "diproses"}),
            ("POST", f"/staff/tickets/{reference}/note", {"text": "catatan"}),
            ("POST", f"/staff/tickets/{reference}/reveal-phone", {}),
            ("GET", "/staff/tickets.csv", {}),
            ("GET", "/staff/charts/outcomes.png", {}),
            ("POST", "/staff/logout", {}),
        ]
        for method, path, form in steps:
            data = {"csrf": csrf, **form} if method == "POST" else None
            response = client.request(method, path, data=data)
            assert response.status_code == 200, (path, response.text)
    assert sessions_on_loop == []
