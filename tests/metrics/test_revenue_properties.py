"""Invariants of the revenue tables on Hypothesis data, and the agreement of the
paths the product takes (store-materialised change points, drill-down,
bootstrap shortcut)."""

from __future__ import annotations

import warnings
from unittest import mock

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from churnlens.metrics import _revenue_boot
from churnlens.metrics.revenue import (
    mrr_movement_customers,
    mrr_movements,
    revenue_churn,
)
from churnlens.mrr_changes import MRR_CHANGES, mrr_changes
from churnlens.spells import spells
from metrics._revenue_cases import (
    RevenueCase,
    assert_identity,
    engine_settings,
    revenue_cases,
)


@engine_settings(30)
@given(
    case=revenue_cases(), tz=st.sampled_from(["UTC", "Europe/Warsaw", "Asia/Kathmandu"])
)
def test_movements_add_up_in_any_time_zone_and_segment(
    case: RevenueCase, tz: str
) -> None:
    frame = case.product_input()
    frame["segment"] = np.where(
        frame["customer_id"].str[-1].isin(list("02468")), "even", "odd"
    )
    options = {**case.call_options(), "tz": tz}
    total = mrr_movements(frame, **options)
    split = mrr_movements(frame, by="segment", **options)
    assert_identity(total)
    assert_identity(split)
    columns = ["mrr_start", "new", "churn", "fx", "mrr_end"]
    expected = total.set_index("period_start")[columns]
    # Segments are those of paying customers: none, no rows.
    summed = split.groupby("period_start")[columns].sum()
    summed = summed.reindex(expected.index, fill_value=0.0)
    np.testing.assert_allclose(
        summed.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-6
    )


@engine_settings(15)
@given(case=revenue_cases())
def test_stored_change_points_give_the_same_table(case: RevenueCase) -> None:
    """A store that materialised ``mrr_changes`` (as ingest may) is read as is."""
    frame = case.product_input()
    backend = ibis.duckdb.connect()
    subs = backend.create_table("subscriptions", frame)
    backend.create_table("spells", spells(subs).to_pyarrow())
    backend.create_table(MRR_CHANGES, mrr_changes(subs).to_pyarrow())
    with warnings.catch_warnings():
        # ibis lists DuckDB tables through an API DuckDB deprecates.
        warnings.simplefilter("ignore", DeprecationWarning)
        stored = mrr_movements(engine=backend, **case.call_options())
    derived = mrr_movements(frame, **case.call_options())
    pd.testing.assert_frame_equal(stored, derived, check_exact=False, rtol=1e-9)


@engine_settings(15)
@given(case=revenue_cases())
def test_drill_down_adds_up_to_the_movements(case: RevenueCase) -> None:
    frame = case.product_input()
    table = mrr_movements(frame, **case.call_options())
    options = {
        k: v for k, v in case.call_options().items() if k not in ("start", "end")
    }
    for _, row in table.iterrows():
        people = mrr_movement_customers(
            frame, period_start=row["period_start"], **options
        )
        assert people["customer_id"].is_unique
        for name, counted in (("churn", "churned_customers"), ("new", "new_customers")):
            mine = people[people["movement"] == name]
            assert len(mine) == row[counted]
            assert mine["change"].abs().sum() == pytest.approx(row[name], abs=1e-6)
        moved = people["change"].sum()
        assert moved == pytest.approx(
            row["new"]
            + row["expansion"]
            - row["contraction"]
            - row["churn"]
            + row["reactivation"],
            abs=1e-6,
        )


def _population(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    start = pd.Timestamp("2024-01-15")
    ends = np.where(rng.random(n) < 0.1, "2024-03-10", None)
    return pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "started_at": start,
            "ended_at": pd.to_datetime(ends),
            "mrr": rng.choice([10.0, 20.0, 50.0, 99.0], size=n),
        }
    )


def test_bootstrap_is_seeded_and_its_shortcut_agrees() -> None:
    frame = _population(400)
    options = {"start": "2024-03-01", "end": "2024-03-01", "n_boot": 2000}
    exact = revenue_churn(frame, **options)
    again = revenue_churn(frame, **options)
    pd.testing.assert_frame_equal(exact, again)
    with mock.patch.object(_revenue_boot, "_MAX_DRAWS", 0):
        normal = revenue_churn(frame, **options)
    for column in ("nrr_lower", "nrr_upper", "grr_lower", "grr_upper"):
        assert normal[column].iloc[0] == pytest.approx(exact[column].iloc[0], abs=0.01)
    row = exact.iloc[0]
    assert row["nrr_lower"] < row["nrr"] < row["nrr_upper"]
    # About 10% of MRR churns: the interval is a few points wide around 0.9.
    assert 0.005 < row["nrr_upper"] - row["nrr_lower"] < 0.1


def test_rates_are_empty_rather_than_infinite() -> None:
    frame = _population(20).assign(ended_at=pd.NaT)
    rates = revenue_churn(frame, start="2024-02-01", end="2024-03-01", n_boot=0)
    assert rates["quick_ratio"].isna().all()  # nothing lost: no ratio
    assert (rates["gross_mrr_churn_rate"] == 0).all()
    assert rates["nrr_lower"].isna().all()
