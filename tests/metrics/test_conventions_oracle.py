"""Every named convention pinned to the naive oracle (tests/oracle), and the
``standard`` preset computed over windows equal to the fast ``churn_rate``.

Hypothesis draws the same scenarios as the churn table tests (_churn_cases):
boundaries in the report's time zone and a microsecond either side, touching and
nested subscriptions, gaps around the grace, zero-length and open subscriptions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from hypothesis import given

from churnlens import ConfigError
from churnlens.metrics.churn import CHURN_COLUMNS, churn_rate
from churnlens.metrics.conventions import CONVENTIONS, convention_table
from churnlens.periods import Calendar
from churnlens.sources import resolve_source
from metrics._churn_cases import Case, assert_same_table, cases, engine_settings, utc
from oracle.conventions_reference import NAMES, reference_convention_table

assert tuple(CONVENTIONS) == NAMES


def check_against_oracle(case: Case, name: str, engine: Any = "duckdb") -> None:
    expected = reference_convention_table(
        case.subscriptions, convention=name, **case.options()
    )
    actual = churn_rate(
        case.product_input(), engine=engine, convention=name, **case.options()
    )
    if name == "standard":
        expected = expected[list(actual.columns)]
    try:
        assert_same_table(actual, expected)
    except AssertionError as e:
        raise AssertionError(f"{name}: {e}\n{case.describe()}") from None


@pytest.mark.parametrize("name", NAMES)
def test_matches_oracle(name: str) -> None:
    @engine_settings("duckdb", 25)
    @given(case=cases(max_groups=10, periods=("day", "week", "month", "quarter")))
    def check(case: Case) -> None:
        check_against_oracle(case, name)

    check()


def test_standard_over_windows_is_churn_rate() -> None:
    @engine_settings("duckdb", 25)
    @given(case=cases(max_groups=10, by=False))
    def check(case: Case) -> None:
        options = case.options()
        fast = churn_rate(case.product_input(), **options)
        source = resolve_source(case.product_input(), tz=case.tz)
        windowed = convention_table(
            source,
            "standard",
            calendar=Calendar(case.period, case.tz),
            start=case.start,
            end=case.end,
            grace_days=case.grace_days,
            now=case.now,
        )
        assert_same_table(windowed[list(CHURN_COLUMNS)], fast)

    check()


def test_unknown_convention_is_a_config_error() -> None:
    data = pd.DataFrame(
        {"customer_id": ["a"], "started_at": [utc("2024-01-05")], "ended_at": [None]}
    )
    with pytest.raises(ConfigError, match="unknown churn convention 'chartmogul'"):
        churn_rate(data, convention="chartmogul")


def test_rolling_window_is_the_last_30_days_of_the_period() -> None:
    data = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "started_at": [utc("2024-01-05"), utc("2024-01-05")],
            # a leaves on Mar 1 (before the 30 days ending Apr 1), b on Mar 2.
            "ended_at": [utc("2024-03-01"), utc("2024-03-02")],
        }
    )
    table = churn_rate(
        data, convention="baremetrics", start=date(2024, 3, 1), end=date(2024, 3, 1)
    )
    row = table.iloc[0]
    assert row["window_start"] == pd.Timestamp("2024-03-02")
    assert (row["churned"], row["churn_base"]) == (1, 1)
    standard = churn_rate(data, start=date(2024, 3, 1), end=date(2024, 3, 1))
    assert standard.iloc[0]["churned"] == 2
