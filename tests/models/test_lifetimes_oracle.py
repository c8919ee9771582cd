"""Lifetimes counted by the engine equal the naive oracle's on Hypothesis data.

The subscriptions come from the churn tests' generator (touching, overlapping,
nested, zero-length and open subscriptions, gaps of exactly the grace and a
microsecond either side); ``now`` sometimes falls inside the data to cap it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from churnlens.errors import ConfigError
from churnlens.metrics.lifetimes import lifetime_table, to_unit
from metrics._churn_cases import SEGMENT, Case, cases, engine_settings
from oracle.lifetime_reference import reference_lifetimes


def _expected(case: Case, now: datetime, spell: str) -> dict:
    segment_of = None
    if case.by is not None:
        frame = case.customers
        segment_of = dict(zip(frame["customer_id"], frame[SEGMENT], strict=True))
    return reference_lifetimes(
        case.subscriptions,
        grace_days=case.grace_days,
        now=now,
        spell=spell,
        segment_of=segment_of,
    )


def _actual(table: pd.DataFrame, by: bool) -> dict:
    out = {}
    for row in table.to_dict("records"):
        segment = row.get("segment") if by else None
        out[(segment, row["duration"])] = [row["n_events"], row["n_censored"]]
    return out


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Case, datetime, str]:
    case = draw(cases(max_groups=12))
    instants = [s["started_at"] for s in case.subscriptions]
    now = case.now
    if draw(st.booleans()):
        now = draw(st.sampled_from(instants)) + timedelta(
            hours=draw(st.integers(0, 30))
        )
    return case, now, draw(st.sampled_from(["first", "all"]))


@engine_settings("duckdb", 120)
@given(drawn=_cases())
def test_lifetimes_equal_the_oracle(drawn: tuple[Case, datetime, str]) -> None:
    case, now, spell = drawn
    table = lifetime_table(
        case.product_input(),
        by=case.by,
        customers=case.customers,
        grace_days=case.grace_days,
        now=now,
        spell=spell,
    )
    assert list(table.columns)[-3:] == ["duration", "n_events", "n_censored"]
    assert _actual(table, case.by is not None) == _expected(case, now, spell), (
        f"now={now}, spell={spell}\n{case.describe()}"
    )


def _frame(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "started_at": pd.to_datetime([r[1] for r in rows], format="ISO8601"),
            "ended_at": pd.to_datetime([r[2] for r in rows], format="ISO8601"),
        }
    )


NOW = datetime(2030, 1, 1, tzinfo=UTC)


def test_units_floor_whole_days_and_sum_counts() -> None:
    data = _frame(
        [
            ("a", "2024-01-01", "2024-01-07"),  # 6 days: week 0
            ("b", "2024-01-01", "2024-01-08"),  # 7 days: week 1
            ("c", "2024-01-01", "2024-01-31T12:00"),  # 30 days: month 0
            ("d", "2024-01-01", "2024-02-01"),  # 31 days: month 1
        ]
    )
    days = lifetime_table(data, now=NOW)
    assert days["duration"].tolist() == [6, 7, 30, 31]
    weeks = to_unit(days, "week")
    assert weeks[["duration", "n_events"]].values.tolist() == [[0, 1], [1, 1], [4, 2]]
    months = to_unit(days, "month")
    assert months[["duration", "n_events"]].values.tolist() == [[0, 3], [1, 1]]


def test_empty_data_gives_an_empty_table() -> None:
    data = _frame([("a", "2024-01-01", "2024-01-01")])
    table = lifetime_table(data.iloc[:0], by=None, now=NOW)
    assert table.empty and list(table.columns) == ["duration", "n_events", "n_censored"]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"spell": "last"}, "unknown spell choice 'last'"),
        ({"grace_days": -1}, "grace_days must be >= 0"),
    ],
)
def test_bad_options_say_what_to_use(options: dict[str, Any], match: str) -> None:
    data = _frame([("a", "2024-01-01", None)])
    with pytest.raises(ConfigError, match=match):
        lifetime_table(data, **options)


def test_bad_unit_says_what_to_use() -> None:
    with pytest.raises(ConfigError, match="unknown unit 'year'"):
        to_unit(lifetime_table(_frame([("a", "2024-01-01", None)]), now=NOW), "year")
