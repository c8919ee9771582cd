"""Dashboard fixtures: a small demo store with a user, the app in process, and
a real server started with ``churnlens serve`` on 127.0.0.1 and a free port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import churnlens
from churnlens.web import create_app
from churnlens.web.users import UserFile, users_path
from web._web import PASSWORD, USER, sign_in, test_client

_TABLES = ("customers", "subscriptions", "tickets", "activity")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    churnlens.generate_demo(folder, n_customers=800)
    return folder


@pytest.fixture(scope="session")
def _ingested(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("seed") / "demo.duckdb"
    churnlens.ingest([demo_dir / f"{t}.csv" for t in _TABLES], db=db)
    return db


@pytest.fixture(scope="module")
def store(_ingested: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of its own per test module (tests write outreach into it)."""
    db = tmp_path_factory.mktemp("store") / "demo.duckdb"
    shutil.copy(_ingested, db)
    UserFile(users_path(db)).add(USER, PASSWORD)
    return db


@pytest.fixture(scope="module")
def token(store: Path) -> str:
    return UserFile(users_path(store)).new_token(USER)


@pytest.fixture(scope="module")
def app(store: Path) -> Iterator[Any]:
    application = create_app(store)
    with test_client(application):  # runs the lifespan: the store is closed after
        yield application


@pytest.fixture
def client(app: Any) -> Any:
    """An anonymous client."""
    return test_client(app)


@pytest.fixture
def signed_in(client: Any) -> Any:
    response = sign_in(client)
    assert response.status_code == 303
    return client


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_command(db: Path, port: int, fx: Path | None = None) -> list[str]:
    """``churnlens serve`` (through the module while the lead has not yet
    registered the command in the ``churnlens`` group)."""
    from churnlens.cli import main

    options = ["--db", str(db), "--port", str(port), "--log-level", "warning"]
    if fx is not None:
        options += ["--fx", str(fx), "--currency", "EUR"]
    if "serve" in main.commands:
        return [sys.executable, "-m", "churnlens", "serve", *options]
    return [sys.executable, "-m", "churnlens.cli.serve", *options]


@pytest.fixture(scope="module")
def server(
    store: Path, demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A real server on 127.0.0.1 (revenue in EUR): its base URL."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            serve_command(store, port, demo_dir / "fx_rates.csv"),
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"churnlens serve did not start: {log.read_text(errors='replace')}"
                )
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
