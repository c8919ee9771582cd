"""A deliberately naive reference for the cohort table (docs/cohorts.md).

Shares no code with ``churnlens``: for every cohort, every age and every customer
of the cohort it asks "is this customer in the base at the end of period
cohort + age?" by testing ``started_at < t <= ended_at`` against each subscription
(or each gap shorter than the grace), exactly as the documents word it. Revenue is
the sum of the ``mrr`` of the cohort's subscriptions with ``started_at < t <=
ended_at``, divided by that sum at age 0.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from oracle.churn_reference import (
    _instant,
    _midnight,
    _segment_values,
    period_after,
    period_floor,
)

__all__ = ["CUSTOMER_COLUMNS", "REVENUE_COLUMNS", "reference_cohort_table"]

KEYS = ("cohort", "age", "period_start", "period_end")
CUSTOMER_COLUMNS = (*KEYS, "cohort_size", "customers", "retention")
REVENUE_COLUMNS = (*KEYS, "cohort_size", "cohort_mrr", "mrr", "retention")


def _covers(a: datetime, b: datetime | None, t: datetime) -> bool:
    return a < t and (b is None or t <= b)


def _grace_gaps(subs: list[tuple], grace: timedelta) -> list[tuple]:
    """Gaps (b1, a2] shorter than the grace between a customer's unions of
    positive-length subscriptions: they count as time in the base."""
    positive = sorted(
        (s for s in subs if s[1] is None or s[1] > s[0]), key=lambda s: s[0]
    )
    unions: list[list[Any]] = []
    for a, b, _ in positive:
        if unions and (unions[-1][1] is None or a <= unions[-1][1]):
            last = unions[-1][1]
            unions[-1][1] = None if b is None or last is None else max(last, b)
        else:
            unions.append([a, b])
    return [
        (left[1], right[0])
        for left, right in zip(unions, unions[1:], strict=False)
        if right[0] - left[1] < grace
    ]


def _in_base(subs: list[tuple], gaps: list[tuple], t: datetime) -> bool:
    return any(_covers(a, b, t) for a, b, _ in subs) or any(
        _covers(a, b, t) for a, b in gaps
    )


def _segments(customers: pd.DataFrame | None, by: str | None) -> dict[Any, Any]:
    if by is None or customers is None:
        return {}
    found = {}
    for row in customers.to_dict("records"):
        value = row.get(by)
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            value = None
        found[row["customer_id"]] = value
    return found


def reference_cohort_table(
    subscriptions: list[dict] | pd.DataFrame,
    *,
    period: str = "month",
    kind: str = "customers",
    tz: str = "UTC",
    start: date | None = None,
    end: date | None = None,
    grace_days: float = 0,
    customers: pd.DataFrame | None = None,
    by: str | None = None,
    now: datetime | None = None,
    returning: bool = True,
) -> pd.DataFrame:
    """The cohort table of docs/cohorts.md, the slow, obvious way.

    ``kind="revenue"`` reads each row's ``mrr`` as its monthly amount.
    ``returning=False`` counts a customer at age k only when they are in the base
    at the end of every period from the signup period to cohort + k.
    """
    rows = (
        subscriptions.to_dict("records")
        if isinstance(subscriptions, pd.DataFrame)
        else subscriptions
    )
    zone = ZoneInfo(tz)
    people: dict[Any, list[tuple]] = {}
    for row in rows:
        sub = (
            _instant(row["started_at"]),
            _instant(row.get("ended_at")),
            row.get("mrr"),
        )
        people.setdefault(row["customer_id"], []).append(sub)
    columns = CUSTOMER_COLUMNS if kind == "customers" else REVENUE_COLUMNS
    if not people:
        return _frame([], columns, by)
    gaps = {
        cid: _grace_gaps(subs, timedelta(days=grace_days)) if grace_days > 0 else []
        for cid, subs in people.items()
    }
    moments = [m for subs in people.values() for s in subs for m in s[:2] if m]
    data_end = min(max(moments), _instant(now) or datetime.now(UTC))
    cohort_of = {
        cid: period_floor(min(s[0] for s in subs).astimezone(zone).date(), period)
        for cid, subs in people.items()
    }
    first = period_floor(start, period) if start else min(cohort_of.values())
    last = period_floor(end, period) if end else None
    segment_of = _segments(customers, by)
    segments = _segment_values(people, segment_of, by)
    records = []
    cohort = first
    while _midnight(period_after(cohort, period), zone) <= data_end and (
        last is None or cohort <= last
    ):
        for value in segments:
            members = [
                cid
                for cid in people
                if cohort_of[cid] == cohort
                and (by is None or segment_of.get(cid) == value)
            ]
            records += _cohort_rows(
                cohort,
                members,
                people,
                gaps,
                period,
                zone,
                data_end,
                kind,
                by,
                value,
                returning,
            )
        cohort = period_after(cohort, period)
    return _frame(records, columns, by)


def _cohort_rows(
    cohort: date,
    members: list[Any],
    people: dict[Any, list[tuple]],
    gaps: dict[Any, list[tuple]],
    period: str,
    zone: ZoneInfo,
    data_end: datetime,
    kind: str,
    by: str | None,
    value: Any,
    returning: bool,
) -> list[dict[str, Any]]:
    records = []
    age, period_start = 0, cohort
    base = math.nan
    never_left = set(members)
    while _midnight(period_after(period_start, period), zone) <= data_end:
        period_end = period_after(period_start, period)
        t = _midnight(period_end, zone)
        record: dict[str, Any] = {
            "cohort": cohort,
            "age": age,
            "period_start": period_start,
            "period_end": period_end,
            "cohort_size": len(members),
        }
        if by is not None:
            record[by] = value
        if kind == "customers":
            present = {c for c in members if _in_base(people[c], gaps[c], t)}
            never_left &= present
            retained = len(present if returning else never_left)
            record["customers"] = retained
            share = retained / len(members) if members else math.nan
        else:
            mrr = sum(
                float(m) for c in members for a, b, m in people[c] if _covers(a, b, t)
            )
            if age == 0:
                base = mrr
            record["cohort_mrr"] = base
            record["mrr"] = mrr
            share = mrr / base if base > 0 else math.nan
        record["retention"] = share
        records.append(record)
        age, period_start = age + 1, period_end
    return records


def _frame(
    records: list[dict], columns: tuple[str, ...], by: str | None
) -> pd.DataFrame:
    names = list(columns)
    if by is not None:
        names.insert(len(KEYS), by)
    table = pd.DataFrame.from_records(records, columns=names)
    for name in ("age", "cohort_size", "customers"):
        if name in table:
            table[name] = table[name].astype("int64")
    for name in ("cohort_mrr", "mrr", "retention"):
        if name in table:
            table[name] = table[name].astype("float64")
    for name in ("cohort", "period_start", "period_end"):
        table[name] = table[name].astype(object)
    if by is not None:
        table[by] = pd.Series([r[by] for r in records], dtype=object, index=table.index)
    return table
