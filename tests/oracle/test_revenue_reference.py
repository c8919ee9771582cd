"""The revenue oracle itself, on cases small enough to work out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

from oracle.revenue_reference import (
    micro_units,
    rate_on,
    reference_movements,
    reference_retention,
)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def sub(cid: str, start: str, end: str | None, **price: object) -> dict:
    return {
        "customer_id": cid,
        "started_at": t(start),
        "ended_at": t(end) if end else None,
        **price,
    }


def test_monthly_amounts() -> None:
    assert micro_units({"mrr": 10.5}) == 10_500_000
    assert micro_units({"amount": 120.0, "billing_period": "annual"}) == 10_000_000
    assert micro_units({"amount": 7.0, "billing_period": "weekly"}) == 30_333_333
    assert micro_units({"amount": 100.0, "billing_period": "quarterly"}) == 33_333_333


def test_rates_hold_from_their_date_and_before_the_first() -> None:
    fx = [
        {"currency": "EUR", "date": date(2024, 2, 1), "rate": 1.5},
        {"currency": "EUR", "date": date(2024, 3, 1), "rate": 2.0},
    ]
    assert rate_on(fx, "EUR", date(2024, 1, 1)) == Fraction(3, 2)
    assert rate_on(fx, "EUR", date(2024, 3, 1)) == 2
    assert rate_on(fx, "USD", date(2024, 3, 1)) == 1


def test_one_month_by_hand() -> None:
    subs = [
        sub("up", "2024-01-10", "2024-02-10", mrr=10.0),
        sub("up", "2024-02-10", None, mrr=25.0),
        sub("gone", "2024-01-02", "2024-02-01", mrr=40.0),  # ends on the boundary
        sub("late", "2024-02-01", None, mrr=5.0),  # starts on it: not at its start
        sub("back", "2023-10-01", "2023-11-01", mrr=7.0),
        sub("back", "2024-02-20", None, mrr=8.0),
        sub("eur", "2024-01-01", None, mrr=10.0, currency="EUR"),
    ]
    fx = [
        {"currency": "EUR", "date": date(2024, 1, 1), "rate": 1.5},
        {"currency": "EUR", "date": date(2024, 3, 1), "rate": 2.0},
    ]
    (row,) = reference_movements(subs, [date(2024, 2, 1)], "month", fx)
    assert row["mrr_start"] == 10 + 40 + 15
    assert row["churn"] == 40 and row["churned_customers"] == 1
    assert row["expansion"] == 15 and row["expansion_customers"] == 1
    assert row["new"] == 5 and row["reactivation"] == 8
    assert row["fx"] == 10 * (Fraction(2) - Fraction(3, 2))
    assert row["mrr_end"] == 25 + 5 + 8 + 20
    moved = row["new"] + row["expansion"] - row["churn"] + row["reactivation"]
    assert row["mrr_end"] - row["mrr_start"] == moved + row["fx"]
    (kept,) = reference_retention(subs, [date(2024, 2, 1)], "month", fx)
    assert kept["nrr"] == Fraction(25 + 0 + 15, 65)
    assert kept["grr"] == Fraction(10 + 0 + 15, 65)
