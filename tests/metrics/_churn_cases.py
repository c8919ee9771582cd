"""Hypothesis data for the churn table tests, and the checks they share.

One drawn ``Case`` is one call of ``churn_rate``: the options (period, time zone,
grace, range, ``by``) are drawn once, then many independent *groups* of customers
are drawn into the same table. Each group may get its own segment, so a single
engine call checks dozens of small scenarios at once (Spark starts jobs per call,
not per row), and Hypothesis shrinks a failure down to the one group that matters.

Instants cluster where conventions go wrong: period boundaries in the report's time
zone (and one microsecond either side), UTC midnights that are not local midnights,
touching, overlapping and nested subscriptions, gaps of exactly the grace (and one
microsecond either side), zero-length and open subscriptions. ``now`` is fixed
(some yearly data run past it), so every run checks the same tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from oracle.churn_reference import COLUMNS, period_after, period_floor

PERIODS = ("day", "week", "month", "quarter", "year")
TIME_ZONES = (
    "UTC",
    "Europe/Warsaw",
    "America/New_York",
    "Asia/Ho_Chi_Minh",
    # Local midnight skipped (2018-11-04) and repeated (2019-02-17 eve): DST at 0:00.
    "America/Sao_Paulo",
    # A quarter-hour offset: local midnights fall at hh:15 UTC.
    "Asia/Kathmandu",
)
# Days next to DST changes (EU: last Sundays of March and October; US: second
# Sunday of March, first of November; Brazil 2018-19), a leap day and a year end.
ANCHORS = (
    date(2024, 3, 31),
    date(2024, 10, 27),
    date(2024, 3, 10),
    date(2024, 11, 3),
    date(2018, 11, 4),
    date(2019, 2, 16),
    date(2024, 2, 29),
    date(2023, 12, 31),
    date(2021, 6, 15),
)
# 86400.4 s: a grace that is not a whole number of seconds.
GRACE_DAYS = (0, 0, 0, 0.5, 1, 3, 10, 86400.4 / 86400)
ONE_US = timedelta(microseconds=1)
COUNTS = COLUMNS[2:8]
RATES = COLUMNS[8:]
SEGMENT = "segment"
# The current time, fixed: it caps the default range of data that run past it.
NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)


@dataclass
class Case:
    """One ``churn_rate`` call: subscriptions (aware UTC datetimes) and options."""

    subscriptions: list[dict]
    period: str = "month"
    tz: str = "UTC"
    start: date | None = None
    end: date | None = None
    grace_days: float = 0
    customers: pd.DataFrame | None = None
    by: str | None = None
    naive: bool = False
    now: datetime = NOW

    def product_input(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "customer_id": [s["customer_id"] for s in self.subscriptions],
                "started_at": pd.to_datetime(
                    [s["started_at"] for s in self.subscriptions], utc=True
                ),
                "ended_at": pd.to_datetime(
                    [s["ended_at"] for s in self.subscriptions], utc=True
                ),
            }
        )
        if self.naive:
            for column in ("started_at", "ended_at"):
                frame[column] = frame[column].dt.tz_localize(None)
        return frame

    def options(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "tz": self.tz,
            "start": self.start,
            "end": self.end,
            "grace_days": self.grace_days,
            "customers": self.customers,
            "by": self.by,
            "now": self.now,
        }

    def describe(self) -> str:
        options = {k: v for k, v in self.options().items() if k != "customers"}
        lines = [f"{options!r}, naive={self.naive}", "subscriptions:"]
        segment_of = {}
        if self.customers is not None:
            segment_of = dict(
                zip(self.customers["customer_id"], self.customers[SEGMENT], strict=True)
            )
        for s in sorted(self.subscriptions, key=lambda s: s["customer_id"]):
            end = s["ended_at"].isoformat() if s["ended_at"] else None
            cid = s["customer_id"]
            where = f" [{segment_of.get(cid, 'absent')}]" if self.by else ""
            lines.append(f"  {cid}{where} {s['started_at'].isoformat()} {end}")
        return "\n".join(lines)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _midnight_utc(day: date, tz: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), ZoneInfo(tz)).astimezone(UTC)


@dataclass
class _Frame:
    """The drawn calendar: period start dates and the instants worth hitting."""

    days: list[date]
    instant: st.SearchStrategy[datetime]
    grace: timedelta


def _frame(
    draw: st.DrawFn, period: str, tz: str, grace_days: float, max_periods: int
) -> _Frame:
    first = period_floor(draw(st.sampled_from(ANCHORS)), period)
    n_periods = draw(st.integers(1, max_periods))
    # One period of slack on each side, so data also start before and end after.
    days = [period_floor(first - timedelta(days=1), period), first]
    for _ in range(n_periods + 1):
        days.append(period_after(days[-1], period))
    boundaries = [_midnight_utc(d, tz) for d in days]
    pool = sorted(
        {b + k * ONE_US for b in boundaries for k in (-1, 0, 1)}
        | {datetime.combine(d, datetime.min.time(), UTC) for d in days}
    )
    lo, hi = boundaries[0], boundaries[-1]
    anywhere = st.integers(0, (hi - lo) // ONE_US).map(lambda us: lo + us * ONE_US)
    instant = st.one_of(st.sampled_from(pool), anywhere)
    return _Frame(days, instant, timedelta(days=grace_days))


def _customer(draw: st.DrawFn, frame: _Frame, cid: str) -> list[dict]:
    """1-5 subscriptions, each placed against the previous one."""
    rows: list[dict] = []
    for _ in range(draw(st.integers(1, 5))):
        start = draw(frame.instant)
        if rows:
            start = _next_start(draw, frame, rows[-1], start)
        end = _end(draw, frame, start)
        rows.append({"customer_id": cid, "started_at": start, "ended_at": end})
    return rows


def _next_start(
    draw: st.DrawFn, frame: _Frame, previous: dict, anywhere: datetime
) -> datetime:
    prev_start = previous["started_at"]
    mark = previous["ended_at"] or prev_start
    kind = draw(
        st.sampled_from(
            [
                *["anywhere", "touching", "grace", "grace-1", "grace+1"],
                *["soon", "soon", "away", "away", "same", "nested"],
            ]
        )
    )
    if kind == "touching":  # an upgrade: one ends as the next starts
        return mark
    if kind == "grace":  # a gap of exactly the grace: not joined
        return mark + frame.grace
    if kind == "grace-1":  # just shorter: joined (overlapping when grace is 0)
        return mark + frame.grace - ONE_US
    if kind == "grace+1":
        return mark + frame.grace + ONE_US
    if kind == "soon":  # back after a short break, often in the same period
        pause = draw(st.sampled_from([timedelta(hours=1), timedelta(days=1)]))
        return mark + frame.grace + pause
    if kind == "away":  # back a period or a few later
        pause = draw(st.sampled_from([timedelta(days=d) for d in (2, 9, 40, 100)]))
        return mark + frame.grace + pause
    if kind == "same":
        return prev_start
    if kind == "nested":
        return prev_start + (mark - prev_start) * draw(st.integers(1, 7)) // 8
    return anywhere  # before, overlapping or long after


def _end(draw: st.DrawFn, frame: _Frame, start: datetime) -> datetime | None:
    kind = draw(st.sampled_from(["open", "zero", "short", "short", "later", "later"]))
    if kind == "open":
        return None
    if kind == "zero":
        return start
    if kind == "short":
        # Out and back inside one period, or a spell shorter than any period.
        length = draw(st.sampled_from([ONE_US, timedelta(hours=1), timedelta(days=1)]))
        return start + length
    other = draw(frame.instant)
    # Reflect instead of filtering, so that every draw gives an end.
    return other if other >= start else start + (start - other)


def _range(
    draw: st.DrawFn, days: list[date], period: str
) -> tuple[date | None, date | None]:
    """The default range, or explicit dates anywhere inside the drawn periods."""
    mode = draw(st.sampled_from(["both", "both", "default", "start", "end"]))
    i = draw(st.integers(0, len(days) - 2))
    j = draw(st.integers(i, len(days) - 2))

    def inside(day: date) -> date:
        length = (period_after(day, period) - day).days
        return day + timedelta(days=draw(st.integers(0, length - 1)))

    start = inside(days[i]) if mode in ("both", "start") else None
    end = inside(days[j]) if mode in ("both", "end") else None
    return start, end


@st.composite
def cases(
    draw: st.DrawFn,
    *,
    max_groups: int = 12,
    by: bool | None = None,
    periods: tuple[str, ...] = PERIODS,
    time_zones: tuple[str, ...] = TIME_ZONES,
    max_periods: int = 4,
) -> Case:
    """A ``Case`` of 1..max_groups groups of 1-3 customers over 1..max_periods
    periods (and one either side); ``by``: True always splits by segment, False
    never, None draws it.
    """
    tz = draw(st.sampled_from(time_zones))
    period = draw(st.sampled_from(periods))
    grace_days = draw(st.sampled_from(GRACE_DAYS))
    frame = _frame(draw, period, tz, grace_days, max_periods)
    n_groups = draw(st.integers(1, max_groups))
    groups: list[list[dict]] = []
    for g in range(n_groups):
        group = []
        for c in range(draw(st.integers(1, 3))):
            group += _customer(draw, frame, f"g{g}c{c}")
        groups.append(group)
    subscriptions = draw(st.permutations([s for group in groups for s in group]))
    start, end = _range(draw, frame.days, period)
    case = Case(
        subscriptions,
        period,
        tz,
        start,
        end,
        grace_days,
        naive=tz == "UTC" and draw(st.booleans()),
    )
    if by if by is not None else draw(st.booleans()):
        case.customers = _segments(draw, groups, null_segments=True)
        case.by = SEGMENT
    return case


def _segments(
    draw: st.DrawFn, groups: list[list[dict]], *, null_segments: bool
) -> pd.DataFrame:
    """Mostly a segment per group; some groups share one, have none or are not in
    the customers table at all; one customer there has no subscriptions."""
    rows = [("nobody", "s-nobody")]
    values = [None, "shared", "-"] if null_segments else ["shared", "-"]
    for g, group in enumerate(groups):
        value = draw(st.sampled_from([f"s{g:02d}", f"s{g:02d}", *values]))
        if value != "-":
            rows += [(cid, value) for cid in sorted({s["customer_id"] for s in group})]
    return pd.DataFrame(
        {
            "customer_id": pd.Series([cid for cid, _ in rows], dtype=object),
            SEGMENT: pd.Series([value for _, value in rows], dtype=object),
        }
    )


def engine_settings(engine_name: str, examples: int) -> settings:
    """Deterministic and database-free, so CI runs the same examples every time.

    Spark takes seconds a call: no shrinking there, a failure is reported as found
    (DuckDB, with many more examples, usually finds and shrinks the same bug).
    """
    phases = [Phase.explicit, Phase.generate]
    if engine_name != "spark":
        phases.append(Phase.shrink)
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=phases,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- checks -------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def assert_same_table(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Counts equal, rates within 1e-12, with a readable account of the first
    differing row."""
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected), (
        f"{len(actual)} rows, expected {len(expected)}:\n"
        f"{actual.iloc[:, :3]}\nexpected\n{expected.iloc[:, :3]}"
    )
    for column in COUNTS:
        assert actual[column].dtype == "int64", (column, actual[column].dtype)
    for column in RATES:
        assert actual[column].dtype == "float64", (column, actual[column].dtype)
    for i in range(len(expected)):
        got, want = actual.iloc[i].to_dict(), expected.iloc[i].to_dict()
        for column, value in want.items():
            if column in RATES:
                same = (math.isnan(value) and math.isnan(got[column])) or abs(
                    got[column] - value
                ) <= 1e-12
            else:
                same = _plain(got[column]) == _plain(value)
            assert same, (
                f"row {i}, column {column}: got {got[column]!r}, expected {value!r}\n"
                f"product row: {got}\noracle row:  {want}"
            )


def check_invariants(table: pd.DataFrame, by: str | None = None) -> None:
    """What holds for every churn table, whatever the data (docs/churn-rate.md)."""
    c = {name: table[name].to_numpy(dtype="int64") for name in COUNTS}
    moved = c["new"] - c["churned"] - c["churned_new"] + c["reactivated"]
    assert (c["customers_end"] == c["customers_start"] + moved).all(), "identity"
    assert all((c[name] >= 0).all() for name in COUNTS)
    assert (c["churned"] <= c["customers_start"]).all()
    assert (c["churned_new"] <= c["new"]).all()
    assert (c["reactivated"] <= c["customers_end"]).all()
    # Head counts are taken at the boundaries: a period ends where the next starts.
    groups = [table] if by is None else [g for _, g in table.groupby(by, dropna=False)]
    for group in groups:
        ends, starts = group["customers_end"].to_numpy(), group["customers_start"]
        assert (ends[:-1] == starts.to_numpy()[1:]).all(), "head counts jump"
        period_ends = group["period_end"].to_numpy()[:-1]
        assert (period_ends == group["period_start"].to_numpy()[1:]).all()
    n = c["customers_start"].astype("float64")
    empty = n == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = c["churned"] / n
        net = (c["customers_end"] - n) / n
    rates = {name: table[name].to_numpy(dtype="float64") for name in RATES}
    for name in RATES:
        assert (np.isnan(rates[name]) == empty).all(), f"{name} empty iff no base"
    full = ~empty
    assert np.allclose(rates["churn_rate"][full], rate[full], rtol=0, atol=1e-15)
    assert np.allclose(rates["net_change_rate"][full], net[full], rtol=0, atol=1e-15)
    lower, upper = rates["churn_rate_lower"][full], rates["churn_rate_upper"][full]
    assert ((lower >= 0) & (upper <= 1)).all()
    assert ((lower <= rate[full] + 1e-15) & (rate[full] <= upper + 1e-15)).all()
