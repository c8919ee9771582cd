"""The cohort oracle itself, on examples worked out by hand from docs/cohorts.md.

Instants are naive UTC unless a test says otherwise; ``NOW`` is far after the data,
so the data end is their latest start or end.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pandas as pd

from oracle.cohort_reference import (
    CUSTOMER_COLUMNS,
    REVENUE_COLUMNS,
    reference_cohort_table,
)

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def sub(
    customer: str, started: datetime, ended: datetime | None = None, mrr: float = 0
) -> dict:
    return {
        "customer_id": customer,
        "started_at": started,
        "ended_at": ended,
        "mrr": mrr,
    }


def grid(table: pd.DataFrame, value: str = "customers") -> dict[date, list]:
    return {
        cohort: group.sort_values("age")[value].tolist()
        for cohort, group in table.groupby("cohort")
    }


def test_columns_types_and_the_triangle() -> None:
    table = reference_cohort_table(
        [
            sub("a", datetime(2024, 1, 5)),
            sub("b", datetime(2024, 2, 5)),
            sub("end", datetime(2024, 4, 15)),  # the data end at 2024-04-15
        ],
        now=NOW,
    )
    assert tuple(table.columns) == CUSTOMER_COLUMNS
    # Boundaries within the data: Feb 1, Mar 1, Apr 1. January has three ages,
    # February two, March (nobody) one, April none (it ends after the data).
    assert grid(table) == {
        date(2024, 1, 1): [1, 1, 1],
        date(2024, 2, 1): [1, 1],
        date(2024, 3, 1): [0],
    }
    assert table["period_end"].tolist()[:3] == [
        date(2024, 2, 1),
        date(2024, 3, 1),
        date(2024, 4, 1),
    ]
    assert math.isnan(table["retention"].iloc[-1])  # March: an empty cohort
    assert all(table[c].dtype == "int64" for c in ("age", "cohort_size", "customers"))


def test_age_zero_counts_who_is_left_at_the_end_of_the_signup_period() -> None:
    table = reference_cohort_table(
        [
            # Joined and left in January: in the cohort, not in the base on Feb 1.
            sub("gone", datetime(2024, 1, 3), datetime(2024, 1, 20)),
            # Ends exactly at Feb 1 00:00: started_at < t <= ended_at holds.
            sub("edge", datetime(2024, 1, 3), datetime(2024, 2, 1)),
            # Zero-length: a start (so in the cohort), never in the base.
            sub("zero", datetime(2024, 1, 9), datetime(2024, 1, 9)),
            # Starts at Feb 1 00:00: February's cohort, not January's.
            sub("feb", datetime(2024, 2, 1), datetime(2024, 3, 10)),
        ],
        now=NOW,
    )
    assert grid(table, "cohort_size") == {
        date(2024, 1, 1): [3, 3],
        date(2024, 2, 1): [1],
    }
    assert grid(table) == {date(2024, 1, 1): [1, 0], date(2024, 2, 1): [1]}
    assert grid(table, "retention")[date(2024, 1, 1)] == [1 / 3, 0]


def test_a_returning_customer_counts_again() -> None:
    table = reference_cohort_table(
        [
            sub("a", datetime(2024, 1, 3), datetime(2024, 2, 10)),
            sub("a", datetime(2024, 3, 20)),
            sub("end", datetime(2024, 5, 2)),
        ],
        end=date(2024, 1, 1),
        now=NOW,
    )
    # In the base at Feb 1, not at Mar 1, again at Apr 1 and May 1.
    assert grid(table) == {date(2024, 1, 1): [1, 0, 1, 1]}


def test_grace_and_time_zone() -> None:
    rows = [
        # 23:30 UTC on Jan 31 is Feb 1 00:30 in Warsaw: February's cohort there.
        sub("a", datetime(2024, 1, 31, 23, 30), datetime(2024, 2, 28)),
        sub("a", datetime(2024, 3, 2), datetime(2024, 5, 1)),
    ]
    utc = reference_cohort_table(rows, now=NOW)
    # Out at Mar 1 (the gap), back at Apr 1, still there at May 1 (the end).
    assert grid(utc) == {
        date(2024, 1, 1): [1, 0, 1, 1],
        date(2024, 2, 1): [0, 0, 0],
        date(2024, 3, 1): [0, 0],
        date(2024, 4, 1): [0],
    }
    # Warsaw boundaries are 23:00/22:00 UTC the day before: May 1 there is
    # Apr 30 22:00 UTC, within the data, so February has three ages.
    warsaw = reference_cohort_table(rows, tz="Europe/Warsaw", now=NOW)
    assert grid(warsaw)[date(2024, 2, 1)] == [0, 1, 1]
    # A grace of 4 days joins the 3-day gap (2024 is a leap year) over Mar 1.
    graced = reference_cohort_table(rows, tz="Europe/Warsaw", grace_days=4, now=NOW)
    assert grid(graced)[date(2024, 2, 1)] == [1, 1, 1]


def test_revenue_is_mrr_at_the_boundary_over_mrr_at_age_zero() -> None:
    table = reference_cohort_table(
        [
            sub("a", datetime(2024, 1, 3), datetime(2024, 2, 15), mrr=100),
            sub("a", datetime(2024, 2, 15), None, mrr=150),  # upgrade
            sub("a", datetime(2024, 1, 10), datetime(2024, 3, 1), mrr=20),  # add-on
            sub("b", datetime(2024, 1, 20), datetime(2024, 1, 25), mrr=999),
            sub("end", datetime(2024, 4, 3), mrr=1),
        ],
        kind="revenue",
        now=NOW,
    )
    assert tuple(table.columns) == REVENUE_COLUMNS
    jan = table[table.cohort == date(2024, 1, 1)]
    assert jan["cohort_mrr"].tolist() == [120.0, 120.0, 120.0]
    # Feb 1: 100 + 20; Mar 1: 150 + 20 (the add-on ends on the boundary); Apr 1: 150.
    assert jan["mrr"].tolist() == [120.0, 170.0, 150.0]
    assert jan["retention"].tolist() == [1.0, 170 / 120, 150 / 120]
    assert jan["cohort_size"].tolist() == [2, 2, 2]
