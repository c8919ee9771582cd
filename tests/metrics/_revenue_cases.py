"""Hypothesis data for the revenue tests, and the checks they share.

One drawn ``RevenueCase`` is one call of ``mrr_movements``/``revenue_churn``:
many small customers in one table, each with 1-4 subscriptions placed against the
previous one (upgrades and downgrades at the same instant, add-ons overlapping,
reactivations after a gap, a restart in the same period, trials at 0), priced by
``mrr`` or by ``amount`` and ``billing_period`` (annual, quarterly, weekly,
"3 months"...). With ``currencies`` the customers pay in USD, EUR or GBP, may
switch currency between subscriptions, and an FX table with rates changing
during the range converts them to USD.

FX rates are dyadic fractions (0.5, 1.25, ...): a product of a whole number of
micro-units and such a rate is exact in binary floating point, so an exact tie
in the oracle (S == E', a change that cancels) is an exact tie in the product.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from oracle.revenue_reference import MONTHS_IN, next_period, period_start

PERIODS = ("month", "quarter", "week")
ANCHORS = (date(2024, 1, 1), date(2023, 11, 15), date(2024, 2, 29), date(2021, 6, 30))
ONE_US = timedelta(microseconds=1)
CURRENCIES = ("USD", "EUR", "GBP")
RATES = (0.5, 0.75, 1.25, 1.5, 2.0, 0.625)
AMOUNT_COLUMNS = ("mrr_start", "new", "expansion", "contraction", "churn")
AMOUNT_COLUMNS += ("reactivation", "fx", "mrr_end")
COUNT_COLUMNS = (
    "customers_start",
    "new_customers",
    "expansion_customers",
    "contraction_customers",
    "churned_customers",
    "reactivated_customers",
    "customers_end",
)


@dataclass
class RevenueCase:
    subscriptions: list[dict]
    period: str
    periods: list[date]
    fx: list[dict] | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def product_input(self) -> pd.DataFrame:
        subs = self.subscriptions
        frame = pd.DataFrame(
            {
                "customer_id": [s["customer_id"] for s in subs],
                "started_at": pd.to_datetime([s["started_at"] for s in subs], utc=True),
                "ended_at": pd.to_datetime([s["ended_at"] for s in subs], utc=True),
                "mrr": pd.array([s.get("mrr") for s in subs], dtype="Float64"),
                "amount": pd.array([s.get("amount") for s in subs], dtype="Float64"),
                "billing_period": pd.array(
                    [s.get("billing_period") for s in subs], dtype="string"
                ),
            }
        )
        if self.fx is not None:
            frame["currency"] = pd.array([s.get("currency") for s in subs], "string")
        return frame

    def product_fx(self) -> pd.DataFrame | None:
        if self.fx is None:
            return None
        return pd.DataFrame(self.fx).assign(date=lambda f: f["date"].astype(str))

    def call_options(self) -> dict[str, Any]:
        options = {
            "period": self.period,
            "start": self.periods[0],
            "end": self.periods[-1],
            **self.options,
        }
        if self.fx is not None:
            options.update(fx=self.product_fx(), currency="USD")
        return options

    def describe(self) -> str:
        lines = [f"period={self.period} periods={self.periods[0]}..{self.periods[-1]}"]
        for s in self.subscriptions:
            end = s["ended_at"].isoformat() if s["ended_at"] else None
            price = {
                k: s[k]
                for k in ("mrr", "amount", "billing_period", "currency")
                if s.get(k) is not None
            }
            lines.append(
                f"  {s['customer_id']} {s['started_at'].isoformat()} {end} {price}"
            )
        if self.fx:
            lines += [f"  fx {r}" for r in self.fx]
        return "\n".join(lines)


def _instant(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@st.composite
def _price(draw: st.DrawFn, currencies: bool) -> dict[str, Any]:
    cents = draw(st.sampled_from([0, 999, 1000, 2500, 4999, 10000, 12345]))
    kind = draw(st.sampled_from(["mrr", "mrr", "amount"]))
    price: dict[str, Any]
    if kind == "mrr" or cents == 0:
        price = {"mrr": cents / 100}
    else:
        period = draw(st.sampled_from(sorted(MONTHS_IN)))
        price = {
            "amount": cents / 100 * float(MONTHS_IN[period]),
            "billing_period": period,
        }
        price["amount"] = round(price["amount"], 2)
    if currencies:
        price["currency"] = draw(st.sampled_from(CURRENCIES))
    return price


@st.composite
def _customer(
    draw: st.DrawFn, cid: str, instant: st.SearchStrategy, currencies: bool
) -> list[dict]:
    rows: list[dict] = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(instant)
        if rows:
            prev = rows[-1]
            mark = prev["ended_at"] or prev["started_at"]
            how = draw(
                st.sampled_from(["touch", "touch", "overlap", "gap", "soon", "any"])
            )
            if how == "touch":  # an upgrade or downgrade
                start = mark
            elif how == "overlap":  # an add-on
                start = prev["started_at"] + timedelta(days=draw(st.integers(0, 20)))
            elif how == "gap":
                start = mark + timedelta(days=draw(st.sampled_from([5, 40, 100])))
            elif how == "soon":  # back in the same period, often
                start = mark + timedelta(hours=draw(st.sampled_from([1, 30])))
        length = draw(
            st.one_of(
                st.none(),
                st.sampled_from([timedelta(0), ONE_US, timedelta(days=3)]),
                st.integers(1, 400).map(lambda d: timedelta(days=d)),
            )
        )
        end = None if length is None else start + length
        rows.append(
            {
                "customer_id": cid,
                "started_at": start,
                "ended_at": end,
                **draw(_price(currencies)),
            }
        )
    return rows


@st.composite
def revenue_cases(
    draw: st.DrawFn, *, max_customers: int = 12, currencies: bool | None = None
) -> RevenueCase:
    period = draw(st.sampled_from(PERIODS))
    first = period_start(draw(st.sampled_from(ANCHORS)), period)
    n = draw(st.integers(1, 5))
    days = [period_start(first - timedelta(days=1), period), first]
    for _ in range(n + 1):
        days.append(next_period(days[-1], period))
    boundaries = [_instant(d) for d in days]
    pool = sorted({b + k * ONE_US for b in boundaries for k in (-1, 0, 1)})
    lo, hi = boundaries[0], boundaries[-1]
    anywhere = st.integers(0, (hi - lo) // ONE_US).map(lambda us: lo + us * ONE_US)
    instant = st.one_of(st.sampled_from(pool), anywhere)
    multi = draw(st.booleans()) if currencies is None else currencies
    rows: list[dict] = []
    for i in range(draw(st.integers(1, max_customers))):
        rows += draw(_customer(f"c{i:03d}", instant, multi))
    fx = None
    if multi:
        fx = []
        for code in ("EUR", "GBP"):
            dates = draw(
                st.lists(
                    st.sampled_from(days + [d + timedelta(days=9) for d in days]),
                    min_size=1,
                    max_size=4,
                    unique=True,
                )
            )
            fx += [
                {"currency": code, "date": d, "rate": draw(st.sampled_from(RATES))}
                for d in sorted(dates)
            ]
        if draw(st.booleans()):
            fx.append({"currency": "USD", "date": days[0], "rate": 1.0})
    return RevenueCase(rows, period, days[1:-1], fx)


def engine_settings(examples: int, *, shrink: bool = True) -> settings:
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=phases,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- checks ---------------------------------------------------------------------


def close(actual: float, expected: Fraction | float | None, scale: float) -> bool:
    if expected is None:
        return bool(np.isnan(actual))
    return abs(actual - float(expected)) <= 1e-9 * max(1.0, scale)


def assert_movements_match(actual: pd.DataFrame, expected: list[dict]) -> None:
    assert list(actual["period_start"]) == [r["period_start"] for r in expected]
    scale = max([float(r["mrr_start"]) for r in expected] + [1.0]) * 10
    for i, row in enumerate(expected):
        got = actual.iloc[i]
        for column in AMOUNT_COLUMNS:
            assert close(got[column], row[column], scale), (
                f"{column} at {row['period_start']}: product {got[column]} != "
                f"oracle {float(row[column])}"
            )
        for column in COUNT_COLUMNS:
            assert got[column] == row[column], (
                f"{column} at {row['period_start']}: product {got[column]} != "
                f"oracle {row[column]}"
            )


def assert_identity(table: pd.DataFrame) -> None:
    """mrr_end - mrr_start = new + expansion - contraction - churn +
    reactivation + fx, and paying customers balance the same way."""
    for _, r in table.iterrows():
        moved = (
            r["new"]
            + r["expansion"]
            - r["contraction"]
            - r["churn"]
            + r["reactivation"]
            + r["fx"]
        )
        scale = max(1.0, abs(r["mrr_start"]), abs(r["mrr_end"]))
        assert abs(r["mrr_end"] - r["mrr_start"] - moved) <= 1e-9 * scale, r
        heads = (
            r["customers_start"]
            + r["new_customers"]
            + r["reactivated_customers"]
            - r["churned_customers"]
        )
        assert heads == r["customers_end"], r
        for column in ("new", "expansion", "contraction", "churn", "reactivation"):
            assert r[column] >= -1e-9 * scale, (column, r)
