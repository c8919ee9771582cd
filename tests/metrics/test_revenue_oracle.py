"""MRR movements, NRR and GRR pinned to the naive oracle (tests/oracle).

Hypothesis draws many small customers per call (see _revenue_cases): movements,
customer counts and the FX effect must equal the oracle's, the identity must hold,
and NRR/GRR must equal the oracle's ratios over the customers paying at the start.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from hypothesis import given

from churnlens.metrics.revenue import mrr_movements, revenue_churn
from metrics._revenue_cases import (
    RevenueCase,
    assert_identity,
    assert_movements_match,
    close,
    engine_settings,
    revenue_cases,
)
from oracle.revenue_reference import reference_movements, reference_retention


def check_movements(case: RevenueCase, engine: object = None) -> None:
    expected = reference_movements(
        case.subscriptions, case.periods, case.period, case.fx
    )
    actual = mrr_movements(case.product_input(), engine=engine, **case.call_options())
    try:
        assert_movements_match(actual, expected)
        assert_identity(actual)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{case.describe()}") from None


@engine_settings(60)
@given(case=revenue_cases(currencies=False))
def test_movements_equal_the_oracle_in_one_currency(case: RevenueCase) -> None:
    check_movements(case)


@engine_settings(40)
@given(case=revenue_cases(currencies=True))
def test_movements_equal_the_oracle_across_currencies(case: RevenueCase) -> None:
    check_movements(case)


@engine_settings(25)
@given(case=revenue_cases())
def test_nrr_and_grr_equal_the_oracle(case: RevenueCase) -> None:
    expected = reference_retention(
        case.subscriptions, case.periods, case.period, case.fx
    )
    actual = revenue_churn(case.product_input(), n_boot=50, **case.call_options())
    for i, row in enumerate(expected):
        got = actual.iloc[i]
        for column in ("nrr", "grr"):
            assert close(got[column], row[column], 1.0), (
                f"{column} at {row['period_start']}: {got[column]} != "
                f"{row[column]}\n{case.describe()}"
            )
        if row["nrr"] is not None:
            assert got["nrr_lower"] <= got["nrr_upper"]
            assert got["grr_lower"] <= got["grr_upper"] <= 1 + 1e-12
            assert len(row["pairs"]) == got["customers_start"]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_hand_made_quarter() -> None:
    """Each movement once: a (upgrade), b (churn), c (downgrade), d (new), e
    (reactivation), f (new and gone in the period: no movement)."""
    rows = [
        ("a", "2024-01-05", "2024-05-01", 100.0),
        ("a", "2024-05-01", None, 150.0),
        ("b", "2024-02-01", "2024-04-20", 50.0),
        ("c", "2024-03-01", "2024-04-15", 80.0),
        ("c", "2024-04-15", None, 60.0),
        ("d", "2024-06-30", None, 30.0),
        ("e", "2024-01-01", "2024-02-01", 20.0),
        ("e", "2024-05-10", None, 25.0),
        ("f", "2024-04-03", "2024-04-09", 99.0),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "started_at", "ended_at", "mrr"])
    table = mrr_movements(frame, period="quarter", start="2024-04-01", end="2024-04-01")
    row = table.iloc[0]
    assert row["mrr_start"] == 100 + 50 + 80
    assert (row["new"], row["expansion"], row["contraction"]) == (30, 50, 20)
    assert (row["churn"], row["reactivation"], row["fx"]) == (50, 25, 0)
    assert row["mrr_end"] == 150 + 60 + 30 + 25
    assert row["customers_start"] == 3 and row["customers_end"] == 4
    counts = [
        row[c]
        for c in (
            "new_customers",
            "expansion_customers",
            "contraction_customers",
            "churned_customers",
            "reactivated_customers",
        )
    ]
    assert counts == [1, 1, 1, 1, 1]
    rates = revenue_churn(
        frame, period="quarter", start="2024-04-01", end="2024-04-01", n_boot=200
    )
    r = rates.iloc[0]
    assert r["gross_mrr_churn_rate"] == pytest.approx(70 / 230)
    assert r["net_mrr_churn_rate"] == pytest.approx((70 - 50 - 25) / 230)
    assert r["nrr"] == pytest.approx(210 / 230)
    assert r["grr"] == pytest.approx(160 / 230)
    assert r["quick_ratio"] == pytest.approx((30 + 50 + 25) / 70)
    assert r["arpa"] == pytest.approx(265 / 4)
    assert r["nrr_lower"] <= r["nrr"] <= r["nrr_upper"]
