"""The console's one guard: every page wants a login, supervisor actions want the role.

The routes are read from the console app itself, so a page added without
``requires`` fails here rather than being served to anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.console.app import routes
from bot.store.db import Database
from bot.store.models import AuditEntry, Handoff, InternalNote, StaffSession
from tests.builders import make_staff
from tests.unit.console.support import (
    NIK,
    PHONE,
    complaint_with_phone,
    console_app,
    login,
)

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/console.css")}


def _guarded() -> list[tuple[str, str]]:
    """(method, example path) of every console route that needs a login."""
    found = []
    for route in routes():
        assert isinstance(route, Route)
        path = re.sub(
            r"\{(\w+)(:int)?\}",
            lambda m: "1" if m.group(2) else "KTR-X",
            route.path,
        )
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if (method, route.path) not in PUBLIC:
                found.append((method, path))
    return found


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    make_staff(db, "ani", "agent")
    make_staff(db, "sri", "supervisor")
    with TestClient(console_app(db), base_url="http://testserver") as test_client:
        yield test_client


def test_the_guarded_routes_are_every_page_but_login() -> None:
    guarded = _guarded()
    assert {method for method, _ in guarded} == {"GET", "POST"}
    assert ("GET", "/") in guarded
    assert ("POST", "/secrets/1/reveal") in guarded
    assert len(guarded) == len(routes()) - len(PUBLIC)  # one method per route


@pytest.mark.parametrize(("method", "path"), _guarded())
def test_anonymous_is_sent_to_login_or_refused(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(
        method, f"/staff{path}", data={"csrf": "x"}, follow_redirects=False
    )
    if method == "GET":
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/login"
    else:
        assert response.status_code == 403
        assert "Sesi Anda berakhir" in response.text


def test_anonymous_posts_change_nothing(client: TestClient, db: Database) -> None:
    reference, secret_id, cid = complaint_with_phone(db)
    for path in (
        f"/conversations/{cid}/take",
        f"/conversations/{cid}/note",
        f"/tickets/{reference}/note",
        f"/secrets/{secret_id}/reveal",
    ):
        client.post(f"/staff{path}", data={"csrf": "x", "text": "catatan"})
    with db.session() as session:
        assert session.query(Handoff).count() == 0
        assert session.query(InternalNote).count() == 0
        assert session.query(AuditEntry).count() == 0


def test_an_agent_is_refused_both_reveals(client: TestClient, db: Database) -> None:
    reference, secret_id, _ = complaint_with_phone(db)
    csrf = login(client, "ani")
    for path in (f"/tickets/{reference}/reveal-phone", f"/secrets/{secret_id}/reveal"):
        refused = client.post(f"/staff{path}", data={"csrf": csrf})
        assert refused.status_code == 403
        assert "Hanya supervisor yang boleh membuka nomor." in refused.text
        assert PHONE not in refused.text
        assert NIK not in refused.text
    with db.session() as session:
        assert session.query(AuditEntry).count() == 0


def test_a_supervisor_reveals_the_phone_with_an_audit_entry(
    client: TestClient, db: Database
) -> None:
    reference, _, _ = complaint_with_phone(db)
    csrf = login(client, "sri")
    shown = client.post(f"/staff/tickets/{reference}/reveal-phone", data={"csrf": csrf})
    assert shown.status_code == 200
    assert PHONE in shown.text
    with db.session() as session:
        [entry] = session.query(AuditEntry).all()
        assert (entry.action, entry.subject) == ("reveal_phone", f"ticket:{reference}")


def test_the_csrf_token_is_checked_before_the_role(
    client: TestClient, db: Database
) -> None:
    reference, _, _ = complaint_with_phone(db)
    login(client, "ani")
    refused = client.post(
        f"/staff/tickets/{reference}/reveal-phone", data={"csrf": "forged"}
    )
    assert refused.status_code == 403
    assert "token keamanan tidak cocok" in refused.text


def test_after_logout_the_old_cookie_opens_nothing(
    client: TestClient, db: Database
) -> None:
    csrf = login(client, "ani")
    cookie = client.cookies.get("bpu_staff")
    assert cookie
    client.post("/staff/logout", data={"csrf": csrf})
    with db.session() as session:
        assert session.query(StaffSession).count() == 0
    client.cookies.set("bpu_staff", cookie, path="/staff")
    response = client.get("/staff/", follow_redirects=False)
    assert response.headers["location"] == "/staff/login"
