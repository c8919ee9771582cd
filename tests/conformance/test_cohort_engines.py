"""Every engine computes the same cohort tables as the oracle.

One fixed, awkward data set per kind (customers and revenue, with a segment, an FX
table and a time zone with DST) and a few Hypothesis cases: Spark starts jobs per
call, so it gets few calls with many customers each.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from churnlens.metrics.cohorts import cohort_table
from metrics._churn_cases import Case, cases, engine_settings
from metrics.test_cohorts_oracle import assert_same_cohorts, check_cohort_invariants
from oracle.cohort_reference import reference_cohort_table

NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)


def _utc(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


# customer, started_at, ended_at (UTC), mrr, currency, plan
ROWS = [
    ("a", "2024-01-05", "2024-03-01", 100.0, "EUR", "pro"),  # ends on a boundary
    ("a", "2024-03-01", None, 120.0, "EUR", "pro"),  # upgrade, touching
    ("b", "2024-01-31T23:30", "2024-02-05", 50.0, "USD", "basic"),  # Feb in Warsaw
    ("b", "2024-04-10", None, 55.0, "USD", "basic"),  # comes back
    ("c", "2024-02-01", "2024-02-01", 10.0, "USD", None),  # zero-length
    ("d", "2024-02-10", "2024-05-20", 30.0, "USD", "basic"),
    ("d", "2024-03-01", "2024-04-01", 5.0, "USD", "basic"),  # add-on, overlapping
    ("e", "2024-03-31T22:30", "2024-06-30T21:59:59.999999", 70.0, "EUR", "pro"),
    ("f", "2024-05-15", None, 15.0, "USD", None),
    ("g", "2024-06-30T22:00", None, 1 / 3, "USD", "pro"),  # July in Warsaw
]
FX = pd.DataFrame(
    {
        "currency": ["EUR", "EUR", "USD"],
        "date": ["2024-01-01", "2024-05-01", "2024-01-01"],
        "rate": [1.05, 1.1, 1.0],
    }
)


def _frames() -> tuple[list[dict], pd.DataFrame, pd.DataFrame]:
    rows = [
        {
            "customer_id": c,
            "started_at": _utc(s),
            "ended_at": _utc(e),
            "mrr": m,
            "currency": cur,
        }
        for c, s, e, m, cur, _ in ROWS
    ]
    frame = pd.DataFrame(rows)
    for column in ("started_at", "ended_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    plans = {c: p for c, *_, p in ROWS}
    customers = pd.DataFrame({"customer_id": list(plans), "plan": list(plans.values())})
    return rows, frame, customers


@pytest.mark.parametrize("kind", ["customers", "never-left", "revenue"])
def test_fixed_data_on_every_engine(engine: Any, kind: str) -> None:
    rows, frame, customers = _frames()
    options: dict[str, Any] = {
        "period": "month",
        "tz": "Europe/Warsaw",
        "by": "plan",
        "customers": customers,
        "now": NOW,
    }
    fx_options: dict[str, Any] = {}
    if kind == "revenue":
        # The oracle reads mrr as given: hand it the amounts at the latest rates.
        latest = {"EUR": 1.1, "USD": 1.0}
        rows = [{**r, "mrr": r["mrr"] * latest[r["currency"]]} for r in rows]
        fx_options = {"fx": FX, "currency": "USD"}
    product_kind = "revenue" if kind == "revenue" else "customers"
    if kind == "never-left":
        options["returning"] = False
    expected = reference_cohort_table(rows, kind=product_kind, **options)
    actual = cohort_table(
        frame, kind=product_kind, engine=engine, **options, **fx_options
    )
    assert_same_cohorts(actual, expected, rel=1e-6)
    assert len(actual) == 3 * (1 + 2 + 3 + 4 + 5 + 6)  # cohorts Jan-Jun, 3 plans
    if kind in ("customers", "never-left"):
        check_cohort_invariants(actual, "plan")
        jan_pro = actual[(actual.cohort == date(2024, 1, 1)) & (actual.plan == "pro")]
        assert jan_pro.customers.tolist() == [1] * 6
        # February, basic: b (leaves 2024-02-05 Warsaw, back 2024-04-10) and
        # d (to 2024-05-20); boundaries Mar 1 .. Jul 1.
        feb_basic = actual[
            (actual.cohort == date(2024, 2, 1)) & (actual.plan == "basic")
        ]
        returns, never = [1, 1, 2, 1, 1], [1, 1, 1, 0, 0]
        assert feb_basic.customers.tolist() == (
            never if options.get("returning") is False else returns
        )


def test_drawn_cases(engine_name: str, engine: Any) -> None:
    examples, groups = {"duckdb": (6, 16), "postgres": (4, 24), "spark": (2, 40)}[
        engine_name
    ]

    @engine_settings(engine_name, examples)
    @given(case=cases(max_groups=groups), returning=st.booleans())
    def check(case: Case, returning: bool) -> None:
        options = {**case.options(), "returning": returning}
        expected = reference_cohort_table(case.subscriptions, **options)
        actual = cohort_table(case.product_input(), engine=engine, **options)
        try:
            assert_same_cohorts(actual, expected)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{case.describe()}") from None

    check()
