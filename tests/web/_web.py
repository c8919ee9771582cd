"""Helpers of the dashboard tests."""

from __future__ import annotations

import re
import warnings
from typing import Any

USER, PASSWORD = "ann", "correct horse battery"


def test_client(app: Any, base_url: str = "http://testserver") -> Any:
    # Starlette's TestClient warns about its httpx backend on import.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app, base_url=base_url, raise_server_exceptions=False)


test_client.__test__ = False  # type: ignore[attr-defined]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: Any, user: str = USER, password: str = PASSWORD) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": user, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
