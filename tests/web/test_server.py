"""A real server started with ``churnlens serve`` on 127.0.0.1 and a free port."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from churnlens.web.users import UserFile, users_path
from web._web import PASSWORD, USER


def test_serve_binds_localhost_and_requires_sign_in(server: str) -> None:
    assert server.startswith("http://127.0.0.1:")
    anonymous = httpx.get(server + "/", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/"
    assert httpx.get(server + "/api/overview").status_code == 401
    assert "server" not in anonymous.headers  # no software banner


def test_serve_session_and_token(server: str, store: Path) -> None:
    with httpx.Client(base_url=server, follow_redirects=True, timeout=120) as client:
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        response = client.post(
            "/login",
            data={"username": USER, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert response.status_code == 200 and 'id="block-headline"' in response.text
        assert client.get("/churn?period=quarter").status_code == 200
    api_token = UserFile(users_path(store)).new_token(USER)  # added while it runs
    response = httpx.get(
        server + "/api/overview",
        headers={"Authorization": f"Bearer {api_token}"},
        timeout=120,
    )
    assert response.status_code == 200
    assert response.json()["latest"]["customers_end"] > 0


def test_serve_refuses_a_store_in_use(store: Path, server: str) -> None:
    # DuckDB lets one process write a store: a second server must say so.
    from click.testing import CliRunner

    from churnlens.cli import main
    from churnlens.cli.serve import serve

    if "serve" not in main.commands:
        main.add_command(serve)
        added = True
    else:
        added = False
    try:
        result = CliRunner().invoke(main, ["serve", "--db", str(store), "--port", "9"])
    finally:
        if added:
            main.commands.pop("serve")
    assert result.exit_code == 2
    assert "another churnlens process is using it" in result.output


@pytest.mark.parametrize("option", ["--host", "--port"])
def test_serve_help_names_options(option: str) -> None:
    from click.testing import CliRunner

    from churnlens.cli.serve import serve

    result = CliRunner().invoke(serve, ["--help"])
    assert option in result.output and "127.0.0.1" in result.output
