"""A deliberately naive reference for the churn table (docs/churn-rate.md).

It shares no code with ``churnlens`` on purpose: a bug there cannot hide here. It is
slow and literal: for every period and every customer it asks "is this customer in
the base at this instant?" by testing ``started_at < t <= ended_at`` against each
subscription, exactly as the convention is worded. Nothing is cached or vectorised,
so that each line can be checked against the document by eye.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

__all__ = [
    "COLUMNS",
    "Z_95",
    "period_after",
    "period_floor",
    "reference_churn_table",
    "wilson",
]

COLUMNS = (
    "period_start",
    "period_end",
    "customers_start",
    "new",
    "churned",
    "churned_new",
    "reactivated",
    "customers_end",
    "churn_rate",
    "churn_rate_lower",
    "churn_rate_upper",
    "net_change_rate",
)
COUNTS = COLUMNS[2:8]
RATES = COLUMNS[8:]

# The 0.975 quantile of the standard normal, written out so the oracle needs no scipy.
Z_95 = 1.959963984540054


# -- calendar ------------------------------------------------------------------


def period_floor(day: date, period: str) -> date:
    """The local date on which the period containing ``day`` starts."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return date(day.year, day.month, 1)
    if period == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if period == "year":
        return date(day.year, 1, 1)
    raise ValueError(f"unknown period {period!r}")


def period_after(first_day: date, period: str) -> date:
    """The local date on which the period after the one starting on ``first_day``
    starts."""
    if period == "day":
        return first_day + timedelta(days=1)
    if period == "week":
        return first_day + timedelta(days=7)
    step = {"month": 1, "quarter": 3, "year": 12}[period]
    year, month = first_day.year, first_day.month + step
    while month > 12:
        year, month = year + 1, month - 12
    return date(year, month, 1)


def _period_before(first_day: date, period: str) -> date:
    # Stepping back one day always lands in the previous period.
    return period_floor(first_day - timedelta(days=1), period)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant of local midnight starting ``day``.

    Where midnight falls in a DST gap (America/Sao_Paulo until 2019), zoneinfo reads
    the missing wall time with the offset in force before the gap (fold=0), which is
    exactly the instant the clocks jump: the first instant that exists on that day.
    An ambiguous midnight resolves to its first occurrence for the same reason.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


# -- input -----------------------------------------------------------------------


def _instant(value: Any) -> datetime | None:
    """An aware UTC datetime, or None for an empty (open) value; naive means UTC."""
    if value is None or value is pd.NaT:
        return None
    if not isinstance(value, datetime) and pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass
class _Customer:
    subscriptions: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    # Gaps shorter than the grace, read as service: (b1, a2] between two spells.
    grace_fillers: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def first_start(self) -> datetime:
        return min(a for a, _ in self.subscriptions)

    def in_base(self, t: datetime) -> bool:
        for a, b in self.subscriptions:
            if b is None and a < t:
                return True
            if b is not None and a < t <= b:
                return True
        return any(a < t <= b for a, b in self.grace_fillers)


def _rows(subscriptions: list[dict] | pd.DataFrame) -> Iterable[dict]:
    if isinstance(subscriptions, pd.DataFrame):
        return subscriptions.to_dict("records")
    return subscriptions


def _customers(
    subscriptions: list[dict] | pd.DataFrame, grace_days: float
) -> dict[Any, _Customer]:
    found: dict[Any, _Customer] = {}
    for row in _rows(subscriptions):
        start = _instant(row["started_at"])
        if start is None:
            raise ValueError(f"started_at is empty in {row!r}")
        end = _instant(row.get("ended_at"))
        found.setdefault(row["customer_id"], _Customer()).subscriptions.append(
            (start, end)
        )
    if grace_days > 0:
        for customer in found.values():
            customer.grace_fillers = _short_gaps(customer, timedelta(days=grace_days))
    return found


def _short_gaps(
    customer: _Customer, grace: timedelta
) -> list[tuple[datetime, datetime]]:
    """The gaps between a customer's spells (maximal unions of their base intervals)
    that are shorter than ``grace``. Zero-length subscriptions are not base intervals:
    they cover no instant, so they neither open nor close a gap."""
    # By start only: an open end (None) does not compare with a datetime, and the
    # loop below takes the larger end of intervals sharing a start anyway.
    intervals = sorted(
        ((a, b) for a, b in customer.subscriptions if b is None or b > a),
        key=lambda interval: interval[0],
    )
    spells: list[list[Any]] = []
    for a, b in intervals:
        if spells and (spells[-1][1] is None or a <= spells[-1][1]):
            last_end = spells[-1][1]
            spells[-1][1] = None if b is None or last_end is None else max(last_end, b)
        else:
            spells.append([a, b])
    return [
        (left[1], right[0])
        for left, right in zip(spells, spells[1:], strict=False)
        if right[0] - left[1] < grace
    ]


def _segment_of(customers: pd.DataFrame | None, by: str | None) -> dict[Any, Any]:
    if by is None or customers is None:
        return {}
    value_of = {}
    for row in customers.to_dict("records"):
        value = row.get(by)
        empty = value is None or value == ""
        if empty or (not isinstance(value, str) and pd.isna(value)):
            value = None
        value_of[row["customer_id"]] = value
    return value_of


# -- range -------------------------------------------------------------------------


def _segment_values(people: dict, segment: dict[Any, Any], by: str | None) -> list[Any]:
    """The segments present, in order; customers without one last (None)."""
    if by is None:
        return [None]
    present = {segment.get(cid) for cid in people}
    values: list[Any] = sorted(v for v in present if v is not None)
    return values + ([None] if None in present else [])


def _period_starts(
    people: dict[Any, _Customer],
    *,
    period: str,
    zone: ZoneInfo,
    start: date | None,
    end: date | None,
    now: datetime,
) -> list[date]:
    if start is not None:
        first = period_floor(start, period)
    else:
        if not people:
            return []
        earliest = min(c.first_start for c in people.values())
        first = period_floor(_local_date(earliest, zone), period)
        # The first full period starts at or after the earliest start.
        if _midnight(first, zone) < earliest:
            first = period_after(first, period)
    if end is not None:
        last = period_floor(end, period)
    else:
        if not people:
            return []
        moments = [m for c in people.values() for s in c.subscriptions for m in s if m]
        data_end = min(max(moments), now)
        last = period_floor(_local_date(data_end, zone), period)
        # The last full period ends at or before data_end.
        if _midnight(period_after(last, period), zone) > data_end:
            last = _period_before(last, period)
    starts = []
    while first <= last:
        starts.append(first)
        first = period_after(first, period)
    return starts


# -- the table ---------------------------------------------------------------------


def wilson(churned: int, base: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for churned / base, clipped to [0, 1].

    The clip only removes rounding noise: at p = 0 or 1 the formula's centre and
    half-width are equal in exact arithmetic but may differ in the last bit.
    """
    if base == 0:
        return math.nan, math.nan
    p = churned / base
    denominator = 1 + z * z / base
    centre = (p + z * z / (2 * base)) / denominator
    half = z * math.sqrt(p * (1 - p) / base + z * z / (4 * base * base)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _row(members: list[_Customer], s: datetime, e: datetime) -> dict[str, Any]:
    counts = dict.fromkeys(COUNTS, 0)
    for c in members:
        at_s, at_e = c.in_base(s), c.in_base(e)
        first = c.first_start
        is_new = s <= first < e
        counts["customers_start"] += at_s
        counts["customers_end"] += at_e
        counts["new"] += is_new
        counts["churned"] += at_s and not at_e
        counts["churned_new"] += is_new and not at_e
        counts["reactivated"] += (not at_s) and at_e and first < s
    n = counts["customers_start"]
    lower, upper = wilson(counts["churned"], n)
    return {
        **counts,
        "churn_rate": counts["churned"] / n if n else math.nan,
        "churn_rate_lower": lower,
        "churn_rate_upper": upper,
        "net_change_rate": (counts["customers_end"] - n) / n if n else math.nan,
    }


def reference_churn_table(
    subscriptions: list[dict] | pd.DataFrame,
    *,
    period: str = "month",
    tz: str = "UTC",
    start: date | None = None,
    end: date | None = None,
    grace_days: float = 0,
    customers: pd.DataFrame | None = None,
    by: str | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The churn table of docs/churn-rate.md, computed the slow, obvious way.

    >>> reference_churn_table(
    ...     [{"customer_id": "a", "started_at": datetime(2024, 1, 5),
    ...       "ended_at": datetime(2024, 2, 10)}],
    ...     start=date(2024, 1, 1), end=date(2024, 2, 1),
    ... )[["period_start", "new", "churned_new", "customers_end", "churned"]]
      period_start  new  churned_new  customers_end  churned
    0   2024-01-01    1            0              1        0
    1   2024-02-01    0            0              0        1
    """
    zone = ZoneInfo(tz)
    now = _instant(now) or datetime.now(UTC)
    people = _customers(subscriptions, grace_days)
    starts = _period_starts(
        people, period=period, zone=zone, start=start, end=end, now=now
    )
    segment = _segment_of(customers, by)
    segments = _segment_values(people, segment, by)
    records = []
    for first_day in starts:
        next_day = period_after(first_day, period)
        s, e = _midnight(first_day, zone), _midnight(next_day, zone)
        for value in segments:
            members = [
                c
                for cid, c in people.items()
                if by is None or segment.get(cid) == value
            ]
            keys = {"period_start": first_day, "period_end": next_day}
            if by is not None:
                keys[by] = value
            records.append({**keys, **_row(members, s, e)})
    return _frame(records, by)


def _frame(records: list[dict[str, Any]], by: str | None) -> pd.DataFrame:
    columns = list(COLUMNS)
    if by is not None:
        columns.insert(2, by)
    table = pd.DataFrame.from_records(records, columns=columns)
    for name in COUNTS:
        table[name] = table[name].astype("int64")
    for name in RATES:
        table[name] = table[name].astype("float64")
    for name in ("period_start", "period_end"):
        table[name] = table[name].astype(object)
    if by is not None:
        # Rebuilt from the records: pandas would read None in a string column as NaN.
        table[by] = pd.Series([r[by] for r in records], dtype=object, index=table.index)
    return table
