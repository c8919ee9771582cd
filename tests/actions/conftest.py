"""Fixtures of the action tests: a demo store, constructed lists, a local helpdesk."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import churnlens
from churnlens.actions.exporters import _http


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    files = churnlens.generate_demo(folder, n_customers=800)
    churnlens.ingest([files.subscriptions, files.customers], db=folder / "demo.duckdb")
    return folder


@pytest.fixture
def demo_store(demo_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store, free to write to."""
    path = tmp_path / "store.duckdb"
    shutil.copy(demo_dir / "demo.duckdb", path)
    return path


@pytest.fixture
def contact_table() -> pd.DataFrame:
    """A contact list in the column contract of churnlens.actions.contact_list."""
    table = pd.DataFrame(
        {
            "customer_id": ["C00001", "C00002", "C00003", "C00004"],
            "owner": ["Ann Lee", "Bo Chen", None, "Ann Lee"],
            "churn_probability": [0.81, 0.42, 0.3, 0.12],
            "mrr": [500.0, 120.5, 80.0, 1000.0],
            "mrr_at_risk": [405.0, 50.61, 24.0, 120.0],
            "expected_value_saved": [1200.0, 300.0, 90.0, 50.0],
            "reasons": [
                ["3 tickets open for over 5 days", "usage down 60%"],
                "price complaints",
                None,
                "usage down 20%",
            ],
            "suggested_action": [
                "escalate open tickets",
                "price/plan review",
                "onboarding call",
                "loyalty offer",
            ],
            "status": ["cancel_requested", "active", "active", "active"],
            "holdout": [False, False, True, False],
        }
    )
    table.attrs["as_of"] = pd.Timestamp("2026-06-30")
    return table


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The exporters' retry waits, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(_http, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def helpdesk() -> Iterator[object]:
    from actions._helpdesk import serve

    desk, server = serve()
    yield desk
    server.shutdown()
    server.server_close()
