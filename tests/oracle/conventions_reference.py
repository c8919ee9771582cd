"""A deliberately naive reference for the named churn conventions
(docs/conventions.md).

No churnlens code: for each period and customer it asks the literal questions
each convention's definition asks ("was the customer active at this instant?",
"did they leave the base at this instant?"), testing every subscription. The
calendar, the range and the grace gaps come from the churn oracle
(oracle.churn_reference), which shares no code with the product either.

* a customer is in the base at t (``in_base``) when a subscription has
  ``started_at < t <= ended_at`` (open: ``started_at < t``), or t lies in a gap
  shorter than the grace ``(b1, a2]``; *active* (snapshot) when
  ``started_at <= t < ended_at`` or t lies in such a gap ``[b1, a2)``;
* they *leave* the base at x when in the base at x and not one microsecond later,
  and *enter* it at x when not in the base at x and in it one microsecond later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from oracle.churn_reference import (
    COLUMNS,
    _customers,
    _midnight,
    _period_starts,
    _segment_of,
    _segment_values,
    _short_gaps,
    period_after,
    wilson,
)

__all__ = ["CONVENTION_COLUMNS", "NAMES", "reference_convention_table"]

NAMES = ("standard", "snapshot", "stripe", "baremetrics", "profitwell", "recurly")
CONVENTION_COLUMNS = (
    *COLUMNS,
    "churn_base",
    "window_start",
    "window_end",
    "convention",
)
US = timedelta(microseconds=1)
THIRTY_DAYS = timedelta(days=30)


@dataclass
class _Person:
    subscriptions: list[tuple[datetime, datetime | None]]
    gaps: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def first_start(self) -> datetime:
        return min(a for a, _ in self.subscriptions)

    def in_base(self, t: datetime) -> bool:
        for a, b in self.subscriptions:
            if a < t and (b is None or t <= b):
                return True
        return any(b1 < t <= a2 for b1, a2 in self.gaps)

    def active(self, t: datetime) -> bool:
        """The snapshot convention's "active on day t": start <= t < end."""
        for a, b in self.subscriptions:
            if a <= t and (b is None or t < b):
                return True
        return any(b1 <= t < a2 for b1, a2 in self.gaps)

    def exits(self, w0: datetime, w1: datetime) -> int:
        ends = {b for _, b in self.subscriptions if b is not None}
        return sum(
            1
            for x in ends
            if w0 <= x < w1 and self.in_base(x) and not self.in_base(x + US)
        )

    def entries(self, w0: datetime, w1: datetime) -> int:
        starts = {a for a, _ in self.subscriptions}
        return sum(
            1
            for x in starts
            if w0 <= x < w1 and not self.in_base(x) and self.in_base(x + US)
        )


def _people(subscriptions: Any, grace_days: float) -> dict[Any, _Person]:
    found = _customers(subscriptions, 0)
    people = {}
    for cid, c in found.items():
        person = _Person(list(c.subscriptions))
        if grace_days > 0:
            person.gaps = _short_gaps(c, timedelta(days=grace_days))
        people[cid] = person
    return people


def _counts(
    members: list[_Person], convention: str, s: datetime, e: datetime
) -> dict[str, Any]:
    """One row's counts, literally as docs/conventions.md words them."""
    if convention == "snapshot":
        w0, w1 = s, e
        at = [(p.active(s), p.active(e)) for p in members]
        new = [s < p.first_start <= e for p in members]
        old = [p.first_start <= s for p in members]
    else:
        w0, w1 = (
            (e - THIRTY_DAYS, e) if convention in ("stripe", "baremetrics") else (s, e)
        )
        at = [(p.in_base(w0), p.in_base(w1)) for p in members]
        new = [w0 <= p.first_start < w1 for p in members]
        old = [p.first_start < w0 for p in members]
    row = {
        "customers_start": sum(a for a, _ in at),
        "new": sum(new),
        "churned": sum(a and not b for a, b in at),
        "churned_new": sum(n and not b for n, (_, b) in zip(new, at, strict=True)),
        "reactivated": sum(
            (not a) and b and o for (a, b), o in zip(at, old, strict=True)
        ),
        "customers_end": sum(b for _, b in at),
    }
    base = row["customers_start"]
    if convention == "profitwell":
        # Signed up and left in the same month: ignored entirely.
        row["new"] -= row["churned_new"]
        row["churned_new"] = 0
    if convention in ("recurly", "baremetrics"):
        row["churned"] = sum(p.exits(w0, w1) > 0 for p in members)
    if convention == "stripe":
        row["churned"] = sum(p.exits(w0, w1) for p in members)
        base += sum(p.entries(w0, w1) for p in members)
    row["churn_base"] = base
    row["window_start"] = w0.astimezone(UTC).replace(tzinfo=None)
    row["window_end"] = w1.astimezone(UTC).replace(tzinfo=None)
    if convention == "snapshot":
        row["window_start"] += US
        row["window_end"] += US
    return row


def _rates(row: dict[str, Any]) -> dict[str, float]:
    churned, base, head = row["churned"], row["churn_base"], row["customers_start"]
    lower, upper = wilson(churned, base) if churned <= base else (math.nan, math.nan)
    return {
        "churn_rate": churned / base if base else math.nan,
        "churn_rate_lower": lower,
        "churn_rate_upper": upper,
        "net_change_rate": (row["customers_end"] - head) / head if head else math.nan,
    }


def reference_convention_table(
    subscriptions: list[dict] | pd.DataFrame,
    *,
    convention: str,
    period: str = "month",
    tz: str = "UTC",
    start: date | None = None,
    end: date | None = None,
    grace_days: float = 0,
    customers: pd.DataFrame | None = None,
    by: str | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The churn table under ``convention``, the slow, obvious way."""
    zone = ZoneInfo(tz)
    now = now or datetime.now(UTC)
    people = _people(subscriptions, grace_days)
    starts = _period_starts(
        _customers(subscriptions, 0),
        period=period,
        zone=zone,
        start=start,
        end=end,
        now=now,
    )
    segment = _segment_of(customers, by)
    segments = _segment_values(people, segment, by)
    records = []
    for first_day in starts:
        next_day = period_after(first_day, period)
        s, e = _midnight(first_day, zone), _midnight(next_day, zone)
        for value in segments:
            members = [
                p
                for cid, p in people.items()
                if by is None or segment.get(cid) == value
            ]
            keys: dict[str, Any] = {"period_start": first_day, "period_end": next_day}
            if by is not None:
                keys[by] = value
            row = _counts(members, convention, s, e)
            records.append({**keys, **row, **_rates(row), "convention": convention})
    columns = list(CONVENTION_COLUMNS)
    if by is not None:
        columns.insert(2, by)
    table = pd.DataFrame.from_records(records, columns=columns)
    for name in (*COLUMNS[2:8], "churn_base"):
        table[name] = table[name].astype("int64")
    for name in COLUMNS[8:]:
        table[name] = table[name].astype("float64")
    if by is not None:
        table[by] = pd.Series([r[by] for r in records], dtype=object, index=table.index)
    return table


def reference_contributions(
    subscriptions: list[dict] | pd.DataFrame,
    *,
    period_start: date,
    period: str = "month",
    tz: str = "UTC",
    grace_days: float = 0,
) -> dict[str, dict[Any, tuple[int, int]]]:
    """Per convention, per customer: (share of churned, share of the base) for
    the period starting on ``period_start`` (zeros left out). As ``reconcile``
    does, only ``standard`` joins gaps shorter than the grace."""
    zone = ZoneInfo(tz)
    s = _midnight(period_start, zone)
    e = _midnight(period_after(period_start, period), zone)
    out: dict[str, dict[Any, tuple[int, int]]] = {}
    for name in NAMES:
        shares = {}
        # The grace is churnlens' own option: the vendors' presets have none.
        grace = grace_days if name == "standard" else 0
        for cid, person in _people(subscriptions, grace).items():
            row = _counts([person], name, s, e)
            if row["churned"] or row["churn_base"]:
                shares[cid] = (row["churned"], row["churn_base"])
        out[name] = shares
    return out
