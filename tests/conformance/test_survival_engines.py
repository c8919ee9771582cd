"""Every engine counts the same lifetimes (and so fits the same curves)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pandas.testing as pdt

from churnlens.metrics.lifetimes import lifetime_table
from churnlens.models import survival_analysis

NOW = datetime(2024, 12, 1, tzinfo=UTC)


def _subscriptions() -> pd.DataFrame:
    """Touching, overlapping, gapped, zero-length, open and sub-second edges."""
    rows = [
        ("a", "2023-01-01 08:00:00", "2023-02-01 08:00:00", "basic"),
        ("a", "2023-02-01 08:00:00", "2023-05-01 07:59:59.999999", "pro"),
        ("b", "2023-01-15 00:00:00.5", None, "basic"),
        ("c", "2023-03-01", "2023-03-01", "pro"),
        ("d", "2023-03-01", "2023-03-11", "pro"),
        ("d", "2023-03-12", "2023-06-30 23:59:59.9", "pro"),
        ("e", "2023-06-01", "2023-09-01", None),
        ("e", "2023-08-01", "2024-01-01", None),
        ("f", "2024-01-01", None, "basic"),
    ]
    return pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "started_at": pd.to_datetime([r[1] for r in rows], format="ISO8601"),
            "ended_at": pd.to_datetime([r[2] for r in rows], format="ISO8601"),
            "plan": [r[3] for r in rows],
        }
    )


def test_lifetimes_match_duckdb(engine: Any) -> None:
    data = _subscriptions()
    for options in ({"by": "plan"}, {"spell": "all", "grace_days": 2}):
        expected = lifetime_table(data, now=NOW, **options)
        actual = lifetime_table(data, now=NOW, engine=engine, **options)
        pdt.assert_frame_equal(actual, expected)
    # d: 10 days; a: 119 (sub-second end truncated); e: 214; b: open, 351; f
    # starts at the data end (2024-01-01) and has no lifetime.
    assert lifetime_table(data, now=NOW)["duration"].tolist() == [10, 119, 214, 351]


def test_survival_analysis_runs_on_every_engine(engine: Any) -> None:
    data = _subscriptions()
    result = survival_analysis(data, by="plan", unit="month", now=NOW, engine=engine)
    expected = survival_analysis(data, by="plan", unit="month", now=NOW)
    pdt.assert_frame_equal(result.table, expected.table)
    assert result.logrank == expected.logrank
