"""Driving the staff console over HTTP, and creating staff through the real CLI."""

from __future__ import annotations

import os
import re
import subprocess

import httpx

from tests.integration.processes import APP_PYTHON, QUIET_ENV, ROOT, TEST_DATA_KEY

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def add_staff(database_url: str, name: str, role: str, password: str) -> None:
    """``python -m bot staff add NAME --role ROLE`` with the password on stdin."""
    subprocess.run(
        [APP_PYTHON, "-m", "bot", "staff", "add", name, "--role", role],
        cwd=ROOT,
        env={
            **os.environ,
            **QUIET_ENV,
            "DATABASE_URL": database_url,
            "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
        },
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


class ConsoleClient:
    """A logged-in staff member's browser session, without the browser."""

    def __init__(self, gateway_url: str) -> None:
        self.http = httpx.Client(
            base_url=gateway_url, timeout=30, follow_redirects=True
        )
        self.csrf = ""

    def login(self, name: str, password: str) -> None:
        """Log in through the form (with its CSRF token); fails the test if refused."""
        page = self.http.get("/staff/login")
        token = _CSRF.search(page.text)
        assert token, page.text
        response = self.http.post(
            "/staff/login",
            data={"csrf": token.group(1), "name": name, "password": password},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        queue = self.http.get("/staff/")
        found = _CSRF.search(queue.text)
        assert found, queue.text
        self.csrf = found.group(1)

    def get(self, path: str) -> httpx.Response:
        """A page."""
        return self.http.get(path)

    def post(self, path: str, **fields: str) -> httpx.Response:
        """A form post with the session's CSRF token."""
        return self.http.post(path, data={"csrf": self.csrf, **fields})

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()
