"""The named conventions, ``reconcile`` and activity churn on every engine: one
small, awkward data set (boundary starts and ends, a return within the period,
a Warsaw calendar across the DST change), compared with the naive oracles."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from churnlens.metrics.churn import churn_rate
from churnlens.metrics.reconcile import reconcile
from metrics._churn_cases import Case, assert_same_table, utc
from oracle.conventions_reference import NAMES, reference_convention_table

ROWS = [
    ("a", "2024-01-05", None),
    ("b", "2024-01-10", "2024-03-01"),
    ("c", "2024-02-01", None),
    ("d", "2024-03-05", "2024-03-20"),
    ("e", "2023-12-01", "2024-03-10"),
    ("e", "2024-03-15", None),
    ("f", "2023-11-01", "2024-03-25"),
    ("g", "2024-02-29T23:00", "2024-03-31T22:00"),  # Warsaw's Mar 1 to Apr 1
    ("h", "2024-03-31T00:30", "2024-03-31T01:30"),  # across the DST change
]
CASE = Case(
    [
        {"customer_id": c, "started_at": utc(a), "ended_at": utc(b) if b else None}
        for c, a, b in ROWS
    ],
    tz="Europe/Warsaw",
    start=date(2024, 2, 1),
    end=date(2024, 4, 1),
)
# Spark takes seconds a query: a rolling, a calendar and the snapshot preset.
ON_SPARK = ("stripe", "recurly", "snapshot")


def test_conventions_match_the_oracle(engine_name: str, engine: Any) -> None:
    names = ON_SPARK if engine_name == "spark" else NAMES
    for name in names:
        expected = reference_convention_table(
            CASE.subscriptions, convention=name, **CASE.options()
        )
        actual = churn_rate(
            CASE.product_input(), convention=name, engine=engine, **CASE.options()
        )
        if name == "standard":
            expected = expected[list(actual.columns)]
        assert_same_table(actual, expected)


def test_reconcile_and_activity(engine_name: str, engine: Any) -> None:
    result = reconcile(
        CASE.product_input(), period_start="2024-03-01", tz=CASE.tz, engine=engine
    )
    local = reconcile(CASE.product_input(), period_start="2024-03-01", tz=CASE.tz)
    pd.testing.assert_frame_equal(result.figures, local.figures)
    pd.testing.assert_frame_equal(result.customers, local.customers)
    events = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b", "c", "d"],
            "occurred_at": [
                utc(t)
                for t in (
                    "2024-01-10",
                    "2024-02-05",
                    "2024-01-20",
                    "2024-03-10",
                    "2024-02-15",
                    "2024-03-31",
                )
            ],
        }
    )
    options = {"inactive_days": 30, "start": "2024-02-01", "end": "2024-03-01"}
    pd.testing.assert_frame_equal(
        churn_rate(activity=events, engine=engine, **options),
        churn_rate(activity=events, **options),
    )
