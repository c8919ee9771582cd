"""Reasons and support impact give the same answers on every engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import churnlens

NOW = dt.datetime(2026, 10, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A small demo company as in-memory tables, so every engine gets the same
    input through the same upload path."""
    folder: Path = tmp_path_factory.mktemp("why-engines")
    files = churnlens.generate_demo(folder, n_customers=1500, seed=11, years=3)
    subscriptions = churnlens.read_table(files.subscriptions, table="subscriptions")
    tickets = churnlens.read_table(files.tickets, table="tickets")
    return {
        "subscriptions": subscriptions.accepted.to_pandas(),
        "tickets": tickets.accepted.to_pandas(),
        "fx": files.fx_rates,
    }


def _sorted(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return table.sort_values(keys, kind="stable").reset_index(drop=True)


def test_churn_reasons_are_the_same_on_every_engine(
    demo: dict[str, Any], engine: Any
) -> None:
    options = {
        "period": "quarter",
        "fx": demo["fx"],
        "currency": "EUR",
        "tickets": demo["tickets"],
        "now": NOW,
    }
    expected = churnlens.churn_reasons(demo["subscriptions"], **options)
    got = churnlens.churn_reasons(demo["subscriptions"], engine=engine, **options)
    keys = ["period_start", "reason"]
    expected, got = _sorted(expected, keys), _sorted(got, keys)
    assert list(got.columns) == list(expected.columns)
    assert expected["churned"].sum() > 0
    for column in expected.columns:
        left, right = expected[column], got[column]
        if left.dtype.kind == "f":
            assert np.allclose(left, right, rtol=1e-9, equal_nan=True), column
        else:
            assert left.astype(str).tolist() == right.astype(str).tolist(), column


def test_support_impact_is_the_same_on_every_engine(
    demo: dict[str, Any], engine: Any
) -> None:
    options = {
        "fx": demo["fx"],
        "currency": "EUR",
        "tickets": demo["tickets"],
        "now": NOW,
        "n_boot": 20,
    }
    expected = churnlens.support_impact(demo["subscriptions"], **options)
    got = churnlens.support_impact(demo["subscriptions"], engine=engine, **options)
    left = _sorted(expected.hazard_ratios, ["covariate"])
    right = _sorted(got.hazard_ratios, ["covariate"])
    assert left["covariate"].tolist() == right["covariate"].tolist()
    for column in ("hazard_ratio", "hazard_ratio_lower", "hazard_ratio_upper"):
        assert np.allclose(left[column], right[column], rtol=1e-9), column
    buckets = ["measure", "bucket"]
    left_b = _sorted(expected.buckets, buckets)
    right_b = _sorted(got.buckets, buckets)
    assert left_b["customers"].tolist() == right_b["customers"].tolist()
