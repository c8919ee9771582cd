"""Rates read off a movements table equal revenue_churn's without intervals."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pandas.testing as pdt

from churnlens import mrr_movements, rates_from_movements, revenue_churn

NOW = dt.datetime(2025, 1, 1)


def _subscriptions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c", "d", "d"],
            "started_at": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-03-01",
                    "2024-01-20",
                    "2024-02-10",
                    "2024-01-03",
                    "2024-05-07",
                ]
            ),
            "ended_at": pd.to_datetime(
                ["2024-03-01", None, "2024-04-15", None, "2024-02-20", None]
            ),
            "mrr": [50.0, 80.0, 30.0, 20.0, 40.0, 25.0],
            "plan": ["x", "y", "x", "y", "x", "x"],
        }
    )


def test_rates_from_movements_equal_revenue_churn_without_intervals() -> None:
    frame = _subscriptions()
    expected = revenue_churn(frame, n_boot=0, now=NOW)
    got = rates_from_movements(mrr_movements(frame, now=NOW))
    pdt.assert_frame_equal(got, expected)


def test_by_segment_too() -> None:
    frame = _subscriptions()
    expected = revenue_churn(frame, n_boot=0, by="plan", now=NOW)
    got = rates_from_movements(mrr_movements(frame, by="plan", now=NOW), by="plan")
    pdt.assert_frame_equal(got, expected)
