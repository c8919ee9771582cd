"""A small demo store shared by the risk tests (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

import churnlens


def _store(folder: Path, n_customers: int, seed: int) -> tuple[Path, Path]:
    files = churnlens.generate_demo(folder / "demo", n_customers=n_customers, seed=seed)
    db = folder / "demo.duckdb"
    churnlens.ingest(
        [files.customers, files.subscriptions, files.tickets, files.activity],
        db=db,
        replace=True,
    )
    return folder / "demo", db


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _store(tmp_path_factory.mktemp("risk_small"), 2_500, seed=7)[1]


@pytest.fixture(scope="session")
def demo_large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(demo folder, store) of the default demo (20,000 customers, seed 42)."""
    return _store(tmp_path_factory.mktemp("risk_large"), 20_000, seed=42)
