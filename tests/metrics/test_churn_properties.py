"""Properties of the churn table that need no reference implementation.

First the invariants of docs/churn-rate.md (the identity, continuity of head
counts, bounds, the rates' formulas) over long ranges (on Spark they are checked
on every table test_churn_oracle.py makes); then, on DuckDB, relations between
tables of the same data: segments add up to the whole, head counts do not depend
on the period length, and a grace only adds to the base.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from churnlens import churn_rate
from metrics._churn_cases import (
    COUNTS,
    Case,
    cases,
    check_invariants,
    engine_settings,
)

# (examples, most groups of customers per example). Not Spark: seconds a call,
# and test_churn_oracle.py checks these invariants on every table it makes there.
BUDGET = {"duckdb": (8, 20), "postgres": (4, 30)}


def _table(case: Case, engine: Any = None, **changes: Any) -> pd.DataFrame:
    return churn_rate(case.product_input(), engine=engine, **case.options() | changes)


@pytest.mark.parametrize(
    "engine_name", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_invariants_over_many_periods(engine_name: str, engine: Any) -> None:
    examples, max_groups = BUDGET[engine_name]
    # Years of DST changes make long CASE expressions: 10 periods are enough.
    strategy = cases(max_groups=max_groups, max_periods=10)

    @engine_settings(engine_name, examples)
    @given(case=strategy)
    def check(case: Case) -> None:
        table = _table(case, engine)
        try:
            check_invariants(table, case.by)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{table}\n{case.describe()}") from None

    check()


@engine_settings("duckdb", 6)
@given(case=cases(by=True))
def test_segments_add_up_to_the_whole(case: Case) -> None:
    split = _table(case)
    whole = _table(case, by=None, customers=None)
    assert split["period_start"].unique().tolist() == whole["period_start"].tolist()
    summed = split.groupby("period_start", sort=False)[list(COUNTS)].sum()
    assert summed.to_numpy().tolist() == whole[list(COUNTS)].to_numpy().tolist()


@engine_settings("duckdb", 6)
@given(case=cases(by=False, periods=("week", "month", "quarter")))
def test_head_counts_do_not_depend_on_the_period_length(case: Case) -> None:
    coarse = _table(case)
    if coarse.empty:
        return
    # Daily, from the first coarse boundary through the last one.
    first, last = coarse["period_start"].iloc[0], coarse["period_end"].iloc[-1]
    daily = _table(case, period="day", start=first, end=last)
    heads = dict(zip(daily["period_start"], daily["customers_start"], strict=True))
    new_on = dict(zip(daily["period_start"], daily["new"], strict=True))
    for row in coarse.itertuples():
        assert heads[row.period_start] == row.customers_start, row
        assert heads[row.period_end] == row.customers_end, row
        days = [d for d in new_on if row.period_start <= d < row.period_end]
        assert sum(new_on[d] for d in days) == row.new, row


@engine_settings("duckdb", 6)
@given(case=cases(by=False), grace_days=st.sampled_from([0.5, 3, 10, 40]))
def test_a_grace_only_adds_to_the_base(case: Case, grace_days: float) -> None:
    plain = _table(case, grace_days=0)
    graced = _table(case, grace_days=grace_days)
    assert graced["period_start"].tolist() == plain["period_start"].tolist()
    assert (graced["customers_start"] >= plain["customers_start"]).all()
    assert (graced["new"] == plain["new"]).all()
