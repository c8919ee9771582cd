"""The revenue metrics on every engine: the same tables as the oracle's.

Few, small tests (Spark starts jobs per query): one fixed data set with every
movement, three currencies, an FX change, a customer switching currency and a
customer with three changes in one month; then the drill-down.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from churnlens.metrics.revenue import (
    mrr_movement_customers,
    mrr_movements,
    revenue_churn,
)
from metrics._revenue_cases import assert_identity, assert_movements_match
from oracle.revenue_reference import reference_movements, reference_retention

ROWS = [
    # customer, start, end, price, currency
    ("up", "2024-01-10", "2024-02-10", {"mrr": 10.0}, "USD"),
    ("up", "2024-02-10", None, {"mrr": 25.0}, "USD"),
    (
        "gone",
        "2024-01-02",
        "2024-02-01",
        {"amount": 480.0, "billing_period": "annual"},
        "USD",
    ),
    (
        "late",
        "2024-02-01",
        None,
        {"amount": 15.0, "billing_period": "quarterly"},
        "EUR",
    ),
    ("back", "2023-12-01", "2024-01-05", {"mrr": 7.0}, "GBP"),
    ("back", "2024-02-20", None, {"mrr": 8.0}, "GBP"),
    ("swap", "2024-01-01", "2024-03-15", {"mrr": 20.0}, "EUR"),
    ("swap", "2024-03-15", None, {"mrr": 30.0}, "USD"),
    ("busy", "2024-01-01", "2024-03-03", {"mrr": 40.0}, "EUR"),
    ("busy", "2024-03-03", "2024-03-09", {"mrr": 60.0}, "EUR"),
    (
        "busy",
        "2024-03-09",
        "2024-03-20",
        {"amount": 7.0, "billing_period": "weekly"},
        "EUR",
    ),
    ("busy", "2024-03-20", None, {"mrr": 35.0}, "EUR"),
]
FX = [
    {"currency": "EUR", "date": date(2023, 1, 1), "rate": 1.25},
    {"currency": "EUR", "date": date(2024, 3, 1), "rate": 1.5},
    {"currency": "GBP", "date": date(2023, 1, 1), "rate": 2.0},
]
MONTHS = [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)]


def _utc(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def _subscriptions() -> list[dict]:
    return [
        {
            "customer_id": c,
            "started_at": _utc(s),
            "ended_at": _utc(e),
            "currency": cur,
            **price,
        }
        for c, s, e, price, cur in ROWS
    ]


def _frame() -> pd.DataFrame:
    subs = _subscriptions()
    return pd.DataFrame(
        {
            "customer_id": [s["customer_id"] for s in subs],
            "started_at": pd.to_datetime([s["started_at"] for s in subs], utc=True),
            "ended_at": pd.to_datetime([s["ended_at"] for s in subs], utc=True),
            "mrr": pd.array([s.get("mrr") for s in subs], dtype="Float64"),
            "amount": pd.array([s.get("amount") for s in subs], dtype="Float64"),
            "billing_period": [s.get("billing_period") for s in subs],
            "currency": [s["currency"] for s in subs],
        }
    )


OPTIONS = {
    "start": MONTHS[0],
    "end": MONTHS[-1],
    "fx": pd.DataFrame(FX),
    "currency": "USD",
}


def test_movements_and_rates_equal_the_oracle(engine: Any) -> None:
    table = mrr_movements(_frame(), engine=engine, **OPTIONS)
    assert_movements_match(
        table, reference_movements(_subscriptions(), MONTHS, "month", FX)
    )
    assert_identity(table)
    rates = revenue_churn(_frame(), engine=engine, n_boot=100, **OPTIONS)
    for got, want in zip(
        rates.itertuples(),
        reference_retention(_subscriptions(), MONTHS, "month", FX),
        strict=True,
    ):
        if want["nrr"] is not None:
            assert abs(got.nrr - float(want["nrr"])) < 1e-9
            assert abs(got.grr - float(want["grr"])) < 1e-9


def test_drill_down(engine: Any) -> None:
    people = mrr_movement_customers(
        _frame(),
        period_start="2024-03",
        engine=engine,
        fx=pd.DataFrame(FX),
        currency="USD",
    )
    moves = dict(zip(people["customer_id"], people["movement"], strict=True))
    # swap: 20 EUR at 1.5 = 30 USD -> 30 USD, no movement; busy: 40 -> 35 EUR.
    assert moves == {"busy": "contraction"}
    (busy,) = people.itertuples()
    assert abs(busy.change - (35 - 40) * 1.5) < 1e-9
    assert abs(busy.fx - 35 * (1.5 - 1.5)) < 1e-9
