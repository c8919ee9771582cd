"""The product's cohort table, pinned to the naive oracle in tests/oracle.

The scenarios are the churn table's (``_churn_cases``): boundary-exact instants in
six time zones, touching, overlapping and zero-length subscriptions, returns after
a gap, grace periods, segments and explicit ranges. Each drawn case is one
``cohort_table`` call on DuckDB; PostgreSQL and Spark run few cases in
tests/conformance/test_cohort_engines.py.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given

from churnlens.metrics.cohorts import cohort_table
from metrics._churn_cases import PERIODS, Case, cases, engine_settings
from oracle.cohort_reference import reference_cohort_table

ZONE_PAIRS = {
    "utc-kathmandu": ("UTC", "Asia/Kathmandu"),
    "warsaw-ho-chi-minh": ("Europe/Warsaw", "Asia/Ho_Chi_Minh"),
    "new-york-sao-paulo": ("America/New_York", "America/Sao_Paulo"),
}


COUNTS = ("age", "cohort_size", "customers")
FLOATS = ("cohort_mrr", "mrr", "retention")


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def assert_same_cohorts(
    actual: pd.DataFrame, expected: pd.DataFrame, *, rel: float = 1e-12
) -> None:
    """Counts equal, shares (and MRR) within ``rel``, with a readable account of
    the first differing row."""
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected), (
        f"{len(actual)} rows, expected {len(expected)}:\n"
        f"{actual.iloc[:, :5]}\nexpected\n{expected.iloc[:, :5]}"
    )
    for column in COUNTS:
        if column in actual:
            assert actual[column].dtype == "int64", (column, actual[column].dtype)
    for column in FLOATS:
        if column in actual:
            assert actual[column].dtype == "float64", (column, actual[column].dtype)
    for i in range(len(expected)):
        got, want = actual.iloc[i].to_dict(), expected.iloc[i].to_dict()
        for column, value in want.items():
            if column in FLOATS:
                same = (math.isnan(value) and math.isnan(got[column])) or math.isclose(
                    got[column], value, rel_tol=rel, abs_tol=rel
                )
            else:
                same = _plain(got[column]) == _plain(value)
            assert same, (
                f"row {i}, column {column}: got {got[column]!r}, expected {value!r}\n"
                f"product row: {got}\noracle row:  {want}"
            )


def check_cohort_invariants(table: pd.DataFrame, by: str | None = None) -> None:
    """What holds for every customer cohort table, whatever the data."""
    size = table["cohort_size"].to_numpy()
    kept = table["customers"].to_numpy()
    share = table["retention"].to_numpy()
    assert ((kept >= 0) & (kept <= size)).all(), "counts within the cohort"
    assert (np.isnan(share) == (size == 0)).all(), "a share iff the cohort has members"
    full = size > 0
    assert np.allclose(share[full], kept[full] / size[full], rtol=0, atol=1e-15)
    keys = ["cohort"] if by is None else ["cohort", by]
    for _, group in table.groupby(keys, dropna=False, sort=False):
        ages = group["age"].to_numpy()
        assert (ages == np.arange(len(ages))).all(), "ages run 0, 1, 2, ..."
        assert (group["cohort_size"].nunique()) == 1
        starts = group["period_start"].tolist()
        assert starts[0] == group["cohort"].iloc[0]
        assert group["period_end"].tolist()[:-1] == starts[1:]
    # The triangle: a later cohort never has more ages than an earlier one.
    longest = table.groupby("cohort")["age"].max().to_numpy()
    assert (np.diff(longest) <= 0).all()


def check_against_oracle(
    case: Case, engine: Any = "duckdb", *, returning: bool = True
) -> None:
    options = {**case.options(), "returning": returning}
    expected = reference_cohort_table(case.subscriptions, **options)
    actual = cohort_table(case.product_input(), engine=engine, **options)
    try:
        assert_same_cohorts(actual, expected)
        check_cohort_invariants(actual, case.by)
    except AssertionError as e:
        raise AssertionError(f"{e}\nreturning={returning}\n{case.describe()}") from None


@pytest.mark.parametrize("zones", list(ZONE_PAIRS))
@pytest.mark.parametrize("period", PERIODS)
def test_matches_oracle_on_duckdb(period: str, zones: str) -> None:
    strategy = cases(max_groups=16, periods=(period,), time_zones=ZONE_PAIRS[zones])

    @engine_settings("duckdb", 5)
    @given(case=strategy)
    def check(case: Case) -> None:
        check_against_oracle(case)

    check()


@pytest.mark.parametrize("period", PERIODS)
def test_never_left_matches_oracle_on_duckdb(period: str) -> None:
    """``returning=False``: customers counted until they first leave."""
    strategy = cases(max_groups=16, periods=(period,))

    # Day tables of many groups are big and the oracle is slow: fewer there.
    @engine_settings("duckdb", 3 if period == "day" else 8)
    @given(case=strategy)
    def check(case: Case) -> None:
        check_against_oracle(case, returning=False)
        # Never more than when returning customers count again.
        options = case.options()
        never = cohort_table(case.product_input(), returning=False, **options)
        again = cohort_table(case.product_input(), **options)
        assert (never["customers"] <= again["customers"]).all()
        keys = ["cohort"] if case.by is None else ["cohort", case.by]
        for _, group in never.groupby(keys, dropna=False):
            assert (group["customers"].diff().dropna() <= 0).all()

    check()
