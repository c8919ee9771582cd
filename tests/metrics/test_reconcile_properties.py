"""``reconcile``: every difference between two presets is explained by listed
customers (their contributions add up to it), the figures equal each preset's
table for the period, the customers' contributions equal the oracle's, and every
listed customer has a reason."""

from __future__ import annotations

import itertools
from datetime import date

import pandas as pd
import pytest
from hypothesis import given

from churnlens import ConfigError
from churnlens.metrics.churn import churn_rate
from churnlens.metrics.reconcile import REASONS, reconcile
from metrics._churn_cases import Case, cases, engine_settings, utc
from oracle.churn_reference import period_floor
from oracle.conventions_reference import NAMES, reference_contributions


def _period_of(case: Case) -> date:
    days = sorted(s["started_at"].date() for s in case.subscriptions)
    return period_floor(case.start or days[len(days) // 2], case.period)


@engine_settings("duckdb", 40)
@given(case=cases(max_groups=10, by=False, periods=("week", "month", "quarter")))
def test_differences_add_up(case: Case) -> None:
    first = _period_of(case)
    result = reconcile(
        case.product_input(),
        period_start=first,
        period=case.period,
        grace_days=case.grace_days,
        tz=case.tz,
    )
    figures = result.figures.set_index("convention")
    for a, b in itertools.permutations(NAMES, 2):
        explained = result.explain(a, b)
        assert explained["churned_delta"].sum() == (
            figures.loc[a, "churned"] - figures.loc[b, "churned"]
        ), (a, b, case.describe())
        assert explained["base_delta"].sum() == (
            figures.loc[a, "churn_base"] - figures.loc[b, "churn_base"]
        ), (a, b, case.describe())
    assert set(result.customers["reason"]) <= set(REASONS) - {"other"}, case.describe()
    # Contributions are the oracle's, customer by customer.
    shares = reference_contributions(
        case.subscriptions,
        period_start=first,
        period=case.period,
        tz=case.tz,
        grace_days=case.grace_days,
    )
    listed = result.customers.set_index("customer_id")
    for name in NAMES:
        expected_total = sum(c for c, _ in shares[name].values())
        assert figures.loc[name, "churned"] == expected_total, (name, case.describe())
        assert figures.loc[name, "churn_base"] == sum(
            b for _, b in shares[name].values()
        )
        for cid in listed.index:
            want = shares[name].get(cid, (0, 0))
            got = (listed.loc[cid, f"churned_{name}"], listed.loc[cid, f"base_{name}"])
            assert got == want, (name, cid, case.describe())


def test_figures_equal_each_preset_table() -> None:
    data = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e", "e", "f"],
            "started_at": [
                utc(t)
                for t in (
                    "2024-01-05",
                    "2024-01-10",
                    "2024-02-01",
                    "2024-03-05",
                    "2023-12-01",
                    "2024-03-15",
                    "2023-11-01",
                )
            ],
            "ended_at": [
                None,
                utc("2024-03-01"),
                None,
                utc("2024-03-20"),
                utc("2024-03-10"),
                None,
                utc("2024-03-25"),
            ],
        }
    )
    result = reconcile(data, period_start="2024-03-17")
    assert result.period_start == date(2024, 3, 1)
    for row in result.figures.itertuples():
        table = churn_rate(
            data, convention=row.convention, start="2024-03-01", end="2024-03-01"
        ).iloc[0]
        base = table.get("churn_base", table["customers_start"])  # standard has none
        assert (row.churned, row.churn_base) == (table["churned"], base)
        assert row.churn_rate == pytest.approx(table["churn_rate"])
    reasons = dict(
        zip(result.customers.customer_id, result.customers.reason, strict=True)
    )
    assert reasons == {
        "b": "ended_on_boundary",
        "d": "joined_and_left",
        "e": "left_and_came_back",
    }
    assert result.explain("stripe", "standard")["reason"].tolist() == [
        "churned_in_rolling_window_only",
        "joined_and_left",
        "left_and_came_back",
    ]
    assert "recurly" in str(result)


def test_a_subset_of_conventions() -> None:
    data = pd.DataFrame(
        {"customer_id": ["a"], "started_at": [utc("2024-01-05")], "ended_at": [None]}
    )
    result = reconcile(
        data, period_start="2024-02-01", conventions=["standard", "stripe"]
    )
    assert result.figures["convention"].tolist() == ["standard", "stripe"]
    assert result.customers.empty
    with pytest.raises(ConfigError, match="was not reconciled"):
        result.explain("standard", "recurly")
    with pytest.raises(ConfigError, match="unknown churn convention"):
        reconcile(data, period_start="2024-02-01", conventions=["nope"])


def test_grace_applies_to_standard_only() -> None:
    # A gap of two days across Mar 1 (Feb 29 to Mar 2) under a grace of three.
    data = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "started_at": [utc("2024-01-05"), utc("2024-03-02"), utc("2024-01-05")],
            "ended_at": [utc("2024-02-29"), None, None],
        }
    )
    result = reconcile(data, period_start="2024-02-01", grace_days=3)
    figures = result.figures.set_index("convention")
    assert figures.loc["standard", "churned"] == 0
    assert figures.loc["profitwell", "churned"] == 1
    graced = churn_rate(data, grace_days=3, start="2024-02-01", end="2024-02-01")
    assert graced.iloc[0]["churned"] == 0
    explained = result.explain("profitwell", "standard")
    assert explained[["customer_id", "reason", "churned_delta"]].values.tolist() == [
        ["a", "within_grace_gap", 1]
    ]
