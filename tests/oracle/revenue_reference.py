"""A deliberately naive reference for MRR movements, NRR and GRR.

Plain Python over subscription rows, written from docs/revenue.md alone and sharing
no code with churnlens. For every period and every customer it sums the monthly
MRR of the subscriptions covering the period's start and end instants (a
subscription covers t when started_at < t <= ended_at), in exact rational
arithmetic, and classifies the customer. Quadratic and slow, on purpose.

Rows are dicts: customer_id, started_at, ended_at (aware datetimes, ended_at None
while open), and mrr, or amount and billing_period, and optionally currency.
Periods are calendar periods in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")
COUNTED = {
    "new": "new_customers",
    "expansion": "expansion_customers",
    "contraction": "contraction_customers",
    "churn": "churned_customers",
    "reactivation": "reactivated_customers",
}
# Months in each billing period, written out again here on purpose.
MONTHS_IN = {
    "weekly": Fraction(12, 52),
    "monthly": Fraction(1),
    "quarterly": Fraction(3),
    "semiannual": Fraction(6),
    "annual": Fraction(12),
    "yearly": Fraction(12),
    "biennial": Fraction(24),
    "3 months": Fraction(3),
    "2 years": Fraction(24),
}


def next_period(day: date, period: str) -> date:
    if period == "day":
        return day + timedelta(days=1)
    if period == "week":
        return day + timedelta(days=7)
    step = {"month": 1, "quarter": 3, "year": 12}[period]
    month = day.month - 1 + step
    return date(day.year + month // 12, month % 12 + 1, 1)


def period_start(day: date, period: str) -> date:
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return date(day.year, day.month, 1)
    if period == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def instant(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def micro_units(row: dict[str, Any]) -> int:
    """Monthly MRR in millionths of the currency, rounded to the nearest."""
    if row.get("mrr") is not None:
        monthly = Fraction(row["mrr"])
    elif row.get("amount") is not None:
        monthly = Fraction(row["amount"]) / MONTHS_IN[row["billing_period"]]
    else:
        return 0
    return round(monthly * 1_000_000)


def is_paid(row: dict[str, Any]) -> bool:
    ends = row["ended_at"]
    return micro_units(row) > 0 and (ends is None or ends > row["started_at"])


def rate_on(fx: list[dict] | None, currency: str | None, day: date) -> Fraction:
    """Units of the reporting currency per unit of ``currency`` on ``day``: the
    row with the latest date on or before it, else the earliest row."""
    if fx is None or currency is None:
        return Fraction(1)
    rows = sorted((r for r in fx if r["currency"] == currency), key=lambda r: r["date"])
    if not rows:  # the reporting currency
        return Fraction(1)
    chosen = rows[0]
    for r in rows:
        if r["date"] <= day:
            chosen = r
    return Fraction(chosen["rate"])


def mrr_at(
    rows: list[dict], t: datetime, fx: list[dict] | None, rate_day: date
) -> Fraction:
    """The MRR (currency units) of these rows at instant t, at the rates of
    ``rate_day``."""
    total = Fraction(0)
    for row in rows:
        ends = row["ended_at"]
        if is_paid(row) and row["started_at"] < t and (ends is None or t <= ends):
            rate = rate_on(fx, row.get("currency"), rate_day)
            total += Fraction(micro_units(row), 1_000_000) * rate
    return total


def customer_pairs(
    subscriptions: list[dict], first: date, period: str, fx: list[dict] | None
) -> dict[str, tuple[Fraction, Fraction, Fraction, str | None]]:
    """For the period starting ``first``: each customer's (S, E', E, movement),
    S and E' at the start's rates, E at the end's."""
    last = next_period(first, period)
    t0, t1 = instant(first), instant(last)
    by_customer: dict[str, list[dict]] = {}
    for row in subscriptions:
        by_customer.setdefault(row["customer_id"], []).append(row)
    out = {}
    for customer, rows in by_customer.items():
        s = mrr_at(rows, t0, fx, first)
        e_constant = mrr_at(rows, t1, fx, first)
        e = mrr_at(rows, t1, fx, last)
        paid_starts = [r["started_at"] for r in rows if is_paid(r)]
        first_paid = min(paid_starts) if paid_starts else None
        movement = None
        if s == 0 and e_constant > 0:
            assert first_paid is not None
            movement = "new" if t0 <= first_paid < t1 else "reactivation"
        elif s > 0 and e_constant == 0:
            movement = "churn"
        elif s > 0 and e_constant > s:
            movement = "expansion"
        elif s > 0 and e_constant < s:
            movement = "contraction"
        out[customer] = (s, e_constant, e, movement)
    return out


def reference_movements(
    subscriptions: list[dict],
    periods: list[date],
    period: str,
    fx: list[dict] | None = None,
) -> list[dict]:
    """One dict per period: the movement table's columns, as Fractions/ints."""
    table = []
    for first in periods:
        pairs = customer_pairs(subscriptions, first, period, fx)
        row: dict[str, Any] = {
            "period_start": first,
            "period_end": next_period(first, period),
        }
        row["mrr_start"] = sum((p[0] for p in pairs.values()), Fraction(0))
        row["mrr_end"] = sum((p[2] for p in pairs.values()), Fraction(0))
        row["fx"] = sum((p[2] - p[1] for p in pairs.values()), Fraction(0))
        for name in MOVEMENTS:
            mine = [p for p in pairs.values() if p[3] == name]
            if name in ("new", "reactivation"):
                amount = sum((p[1] for p in mine), Fraction(0))
            elif name == "churn":
                amount = sum((p[0] for p in mine), Fraction(0))
            else:
                amount = sum((abs(p[1] - p[0]) for p in mine), Fraction(0))
            row[name] = amount
            row[COUNTED[name]] = len(mine)
        row["customers_start"] = sum(1 for p in pairs.values() if p[0] > 0)
        row["customers_end"] = sum(1 for p in pairs.values() if p[2] > 0)
        table.append(row)
    return table


def reference_retention(
    subscriptions: list[dict],
    periods: list[date],
    period: str,
    fx: list[dict] | None = None,
) -> list[dict]:
    """NRR and GRR per period from the customers paying at its start (None when
    nobody pays), and the (S, E') pairs behind them."""
    table = []
    for first in periods:
        pairs = customer_pairs(subscriptions, first, period, fx)
        paying = [(s, e) for s, e, _, _ in pairs.values() if s > 0]
        start = sum((s for s, _ in paying), Fraction(0))
        nrr = grr = None
        if start > 0:
            nrr = sum((e for _, e in paying), Fraction(0)) / start
            grr = sum((min(s, e) for s, e in paying), Fraction(0)) / start
        table.append({"period_start": first, "nrr": nrr, "grr": grr, "pairs": paying})
    return table
