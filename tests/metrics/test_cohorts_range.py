"""Cohort ranges far outside the data stay small."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from churnlens.metrics.cohorts import cohort_table

NOW = dt.datetime(2025, 1, 1)


def _subscriptions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "started_at": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-03-15"]),
            "ended_at": pd.to_datetime(["2024-04-01", None, None]),
        }
    )


def test_a_range_centuries_before_the_data_is_empty() -> None:
    table = cohort_table(
        _subscriptions(), period="week", start="0222-05-24", end="0965-07-03", now=NOW
    )
    assert table.empty


def test_an_early_start_begins_at_the_first_signup() -> None:
    table = cohort_table(_subscriptions(), period="month", start="1990-01-01", now=NOW)
    assert str(table["cohort"].min())[:10] == "2024-01-01"
    assert table["cohort"].nunique() == 3
