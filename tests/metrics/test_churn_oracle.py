"""The product's churn table, pinned to the naive oracle in tests/oracle.

Hypothesis draws small subscription tables whose instants cluster on the places
where conventions go wrong: period boundaries in the report's time zone (and one
microsecond either side), UTC midnights that are not local midnights, touching and
overlapping subscriptions, gaps exactly as long as the grace, zero-length and open
subscriptions. Every table must equal the oracle's: counts exactly, rates to 1e-12.

The data lie in 2020-2025, so the default range never depends on the current time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from churnlens import churn_rate
from oracle.churn_reference import (
    COLUMNS,
    period_after,
    period_floor,
    reference_churn_table,
)

PERIODS = ("day", "week", "month", "quarter", "year")
TIME_ZONES = ("UTC", "Europe/Warsaw", "Asia/Ho_Chi_Minh", "America/New_York")
# Days next to DST changes (EU: last Sundays of March and October; US: second
# Sunday of March, first of November), a leap day and a year end.
ANCHORS = (
    date(2024, 3, 31),
    date(2024, 10, 27),
    date(2024, 3, 10),
    date(2024, 11, 3),
    date(2024, 2, 29),
    date(2023, 12, 31),
    date(2021, 6, 15),
)
GRACE_DAYS = (0, 0, 0.5, 1, 3, 10)
SEGMENTS = ("basic", "pro", None, "absent")
# Spark starts a job per query: a few examples there still cover the dialect.
EXAMPLES = {"duckdb": 60, "postgres": 25, "spark": 6}
ONE_US = timedelta(microseconds=1)


@dataclass
class Scenario:
    subscriptions: list[dict]
    period: str
    tz: str
    start: date | None
    end: date | None
    grace_days: float
    customers: pd.DataFrame | None = None
    by: str | None = None
    naive: bool = False

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
        }


def _midnight_utc(day: date, tz: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), ZoneInfo(tz)).astimezone(UTC)


@st.composite
def scenarios(draw: st.DrawFn, *, segmented: bool = False) -> Scenario:
    tz = draw(st.sampled_from(TIME_ZONES))
    period = draw(st.sampled_from(PERIODS))
    first = period_floor(draw(st.sampled_from(ANCHORS)), period)
    n_periods = draw(st.integers(1, 4))
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
    span_us = (hi - lo) // ONE_US
    anywhere = st.integers(0, span_us).map(lambda us: lo + us * ONE_US)
    instant = st.one_of(st.sampled_from(pool), anywhere)
    grace_days = draw(st.sampled_from(GRACE_DAYS))
    grace = timedelta(days=grace_days)

    subscriptions = []
    for n in range(draw(st.integers(1, 6))):
        previous_end: datetime | None = None
        for _ in range(draw(st.integers(1, 3))):
            start = draw(instant)
            if previous_end is not None:
                start = draw(
                    st.sampled_from(
                        [
                            start,
                            previous_end,  # touching
                            previous_end + grace,  # a gap exactly the grace
                            previous_end + grace - ONE_US,  # just inside it
                        ]
                    )
                )
            end = _draw_end(draw, start, instant)
            subscriptions.append(
                {"customer_id": f"c{n}", "started_at": start, "ended_at": end}
            )
            previous_end = end if end is not None else previous_end
    subscriptions = draw(st.permutations(subscriptions))

    start_day, end_day = _draw_range(draw, first, days[-3], period)
    scenario = Scenario(
        subscriptions=subscriptions,
        period=period,
        tz=tz,
        start=start_day,
        end=end_day,
        grace_days=grace_days,
        naive=tz == "UTC" and draw(st.booleans()),
    )
    if segmented:
        scenario.customers = _draw_customers(draw, subscriptions)
        scenario.by = "segment"
    return scenario


def _draw_end(
    draw: st.DrawFn, start: datetime, instant: st.SearchStrategy[datetime]
) -> datetime | None:
    kind = draw(st.sampled_from(["open", "zero", "later", "later", "later"]))
    if kind == "open":
        return None
    if kind == "zero":
        return start
    other = draw(instant)
    # Reflect instead of filtering, so that every draw gives an end.
    return other if other >= start else start + (start - other)


def _draw_range(
    draw: st.DrawFn, first: date, last: date, period: str
) -> tuple[date | None, date | None]:
    """Explicit dates anywhere inside the first and last periods, or the default."""
    mode = draw(st.sampled_from(["both", "both", "default", "start", "end"]))
    offsets = st.integers(0, 0 if period == "day" else 40)
    inside_first = min(
        first + timedelta(days=draw(offsets)),
        period_after(first, period) - timedelta(days=1),
    )
    inside_last = min(
        last + timedelta(days=draw(offsets)),
        period_after(last, period) - timedelta(days=1),
    )
    start = inside_first if mode in ("both", "start") else None
    end = inside_last if mode in ("both", "end") else None
    return start, end


def _draw_customers(draw: st.DrawFn, subscriptions: list[dict]) -> pd.DataFrame:
    ids = sorted({s["customer_id"] for s in subscriptions})
    rows = [(cid, draw(st.sampled_from(SEGMENTS))) for cid in ids]
    kept = [(cid, value) for cid, value in rows if value != "absent"]
    return pd.DataFrame(
        {
            "customer_id": pd.Series([cid for cid, _ in kept], dtype=object),
            "segment": pd.Series([value for _, value in kept], dtype=object),
        }
    )


# -- comparing tables -----------------------------------------------------------


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
    for column in expected.columns:
        if column in COLUMNS[2:8]:
            assert actual[column].dtype == "int64", (column, actual[column].dtype)
        if column in COLUMNS[8:]:
            assert actual[column].dtype == "float64", (column, actual[column].dtype)
    for i in range(len(expected)):
        got, want = actual.iloc[i].to_dict(), expected.iloc[i].to_dict()
        for column, value in want.items():
            if column in COLUMNS[8:]:
                same = (math.isnan(value) and math.isnan(got[column])) or abs(
                    got[column] - value
                ) <= 1e-12
            else:
                same = _plain(got[column]) == _plain(value)
            assert same, (
                f"row {i}, column {column}: got {got[column]!r}, expected {value!r}\n"
                f"product row: {got}\noracle row:  {want}"
            )


def _describe(scenario: Scenario) -> str:
    lines = [f"{scenario.options()!r}", "subscriptions:"]
    for s in sorted(scenario.subscriptions, key=lambda s: s["customer_id"]):
        end = s["ended_at"].isoformat() if s["ended_at"] else None
        lines.append(f"  {s['customer_id']} {s['started_at'].isoformat()} {end}")
    return "\n".join(lines)


def check_against_oracle(scenario: Scenario, engine: Any) -> None:
    expected = reference_churn_table(scenario.subscriptions, **scenario.options())
    actual = churn_rate(scenario.product_input(), engine=engine, **scenario.options())
    try:
        assert_same_table(actual, expected)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{_describe(scenario)}") from None


# -- the tests ------------------------------------------------------------------------


def _run(engine_name: str, engine: Any, strategy: st.SearchStrategy, share: float):
    @settings(
        max_examples=max(2, round(EXAMPLES[engine_name] * share)),
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(scenario=strategy)
    def check(scenario: Scenario) -> None:
        check_against_oracle(scenario, engine)

    check()


def test_matches_oracle(engine_name: str, engine: Any) -> None:
    _run(engine_name, engine, scenarios(), share=1.0)


def test_matches_oracle_by_segment(engine_name: str, engine: Any) -> None:
    _run(engine_name, engine, scenarios(segmented=True), share=0.5)


def test_matches_oracle_with_many_customers(engine_name: str, engine: Any) -> None:
    # Bigger tables catch aggregation slips that one or two customers cannot show.
    many = st.lists(scenarios(), min_size=4, max_size=8).map(_merged)
    _run(engine_name, engine, many, share=0.25)


def _merged(parts: list[Scenario]) -> Scenario:
    """The first scenario's options over every scenario's customers, renamed apart."""
    subscriptions = [
        {**s, "customer_id": f"p{i}{s['customer_id']}"}
        for i, part in enumerate(parts)
        for s in part.subscriptions
    ]
    head = parts[0]
    return Scenario(
        subscriptions, head.period, head.tz, head.start, head.end, head.grace_days
    )


HAND_PICKED = {
    # Each pins one boundary rule; the oracle's own tests work them out by hand.
    "start-on-boundary": ([("a", "2024-02-01T00:00", None)], "month", "UTC"),
    "end-on-boundary": (
        [("a", "2024-01-10T00:00", "2024-03-01T00:00")],
        "month",
        "UTC",
    ),
    "zero-length-then-return": (
        [("a", "2024-01-20T00:00", "2024-01-20T00:00"), ("a", "2024-03-05", None)],
        "month",
        "UTC",
    ),
    "warsaw-local-month": (
        [
            ("a", "2024-03-31T22:00", None),
            ("b", "2024-03-31T21:59:59", None),
            ("c", "2024-02-29T23:30", "2024-03-31T22:00"),
        ],
        "month",
        "Europe/Warsaw",
    ),
    "new-york-25-hour-day": (
        [("a", "2024-11-04T04:30", "2024-11-04T05:00")],
        "day",
        "America/New_York",
    ),
}


@pytest.mark.parametrize("case", sorted(HAND_PICKED))
def test_matches_oracle_on_hand_picked_cases(case: str, engine: Any) -> None:
    rows, period, tz = HAND_PICKED[case]
    subscriptions = [
        {
            "customer_id": cid,
            "started_at": datetime.fromisoformat(a).replace(tzinfo=UTC),
            "ended_at": datetime.fromisoformat(b).replace(tzinfo=UTC) if b else None,
        }
        for cid, a, b in rows
    ]
    scenario = Scenario(
        subscriptions, period, tz, date(2023, 12, 1), date(2024, 4, 30), 0
    )
    if period == "day":
        scenario.start, scenario.end = date(2024, 11, 2), date(2024, 11, 5)
    check_against_oracle(scenario, engine)


@pytest.mark.parametrize("grace_days", [0, 2.999, 3, 3.001])
def test_grace_boundary_matches_oracle(grace_days: float, engine: Any) -> None:
    # A gap of exactly 3 days across Feb 1: joined only when strictly shorter.
    subscriptions = [
        {
            "customer_id": "a",
            "started_at": datetime(2024, 1, 5, tzinfo=UTC),
            "ended_at": datetime(2024, 1, 31, 12, tzinfo=UTC),
        },
        {
            "customer_id": "a",
            "started_at": datetime(2024, 2, 3, 12, tzinfo=UTC),
            "ended_at": datetime(2024, 3, 15, tzinfo=UTC),
        },
    ]
    scenario = Scenario(
        subscriptions, "month", "UTC", date(2024, 1, 1), date(2024, 3, 1), grace_days
    )
    check_against_oracle(scenario, engine)
