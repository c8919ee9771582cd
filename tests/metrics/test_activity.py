"""Activity churn: a customer is active on (a, a + N days] after each event."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from churnlens import ConfigError, SchemaError
from churnlens.metrics.churn import CHURN_COLUMNS, churn_rate
from metrics._churn_cases import utc


def _events(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": [c for c, _ in rows], "occurred_at": [utc(t) for _, t in rows]}
    )


def test_same_columns_and_counts_by_hand() -> None:
    events = _events(
        [
            ("a", "2024-01-10"),
            ("a", "2024-02-05"),  # within 30 days: still active, then lapses Mar 6
            ("b", "2024-01-20"),  # lapses Feb 19
            ("b", "2024-03-10"),  # back in March
            ("c", "2024-02-15"),  # lapses Mar 16
            ("d", "2024-03-31"),  # the data end: b's and d's intervals still run
        ]
    )
    table = churn_rate(
        activity=events, inactive_days=30, start=date(2024, 2, 1), end=date(2024, 3, 1)
    )
    assert tuple(table.columns) == CHURN_COLUMNS
    counts = table.set_index("period_start")[
        ["customers_start", "new", "churned", "reactivated", "customers_end"]
    ]
    assert counts.loc[date(2024, 2, 1)].tolist() == [2, 1, 1, 0, 2]
    assert counts.loc[date(2024, 3, 1)].tolist() == [2, 1, 2, 1, 2]


def test_an_interval_running_at_the_data_end_is_open() -> None:
    events = _events([("a", "2024-01-10"), ("b", "2024-03-01")])
    # The data end at Mar 1: a lapsed Feb 9; b's interval runs past it (open).
    table = churn_rate(
        activity=events, inactive_days=30, start="2024-04-01", end="2024-04-01"
    )
    assert table.iloc[0]["customers_start"] == 1
    assert table.iloc[0]["churned"] == 0


def test_errors() -> None:
    events = _events([("a", "2024-01-10")])
    with pytest.raises(ConfigError, match="activity given without inactive_days"):
        churn_rate(activity=events)
    with pytest.raises(ConfigError, match="inactive_days must be > 0"):
        churn_rate(activity=events, inactive_days=0)
    with pytest.raises(SchemaError, match="no column 'occurred_at'"):
        churn_rate(
            activity=events.rename(columns={"occurred_at": "at"}), inactive_days=5
        )
    with pytest.raises(ConfigError, match="both data and activity"):
        churn_rate(events, activity=events, inactive_days=5)


def test_conventions_on_activity() -> None:
    events = _events([("a", "2024-01-10"), ("b", "2024-01-20"), ("b", "2024-03-10")])
    table = churn_rate(
        activity=events,
        inactive_days=30,
        convention="recurly",
        start="2024-02-01",
        end="2024-02-01",
        now=utc("2024-06-01"),
    )
    assert table.iloc[0]["convention"] == "recurly"
    assert (table.iloc[0]["churned"], table.iloc[0]["churn_base"]) == (2, 2)
