"""Revenue movements on real files: the public RavenStack subscriptions, checked
against a plain pandas computation on the same file, and the demo company end to
end through ingest and the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from _datasets import dataset, needs_datasets
from churnlens import Store, generate_demo, ingest
from churnlens.metrics.revenue import mrr_movements, revenue_churn
from metrics._revenue_cases import assert_identity

RAVENSTACK = "ravenstack_saas_synthetic"


def _ravenstack() -> pd.DataFrame:
    raw = pd.read_csv(dataset(RAVENSTACK) / "ravenstack_subscriptions.csv")
    annual = raw["billing_frequency"] == "annual"
    # Annual plans priced by their yearly amount, to go through billing_period.
    return pd.DataFrame(
        {
            "subscription_id": raw["subscription_id"],
            "customer_id": raw["account_id"],
            "started_at": pd.to_datetime(raw["start_date"]),
            "ended_at": pd.to_datetime(raw["end_date"]),
            "amount": np.where(annual, raw["arr_amount"], raw["mrr_amount"]),
            "billing_period": raw["billing_frequency"],
        }
    )


def _pandas_movements(subs: pd.DataFrame, months: list[date]) -> pd.DataFrame:
    """The definitions of docs/revenue.md, vectorised the obvious way."""
    monthly = np.where(
        subs["billing_period"] == "annual", subs["amount"] / 12, subs["amount"]
    )
    subs = subs.assign(m=monthly)
    paid = subs[
        (subs.m > 0) & (subs.ended_at.isna() | (subs.ended_at > subs.started_at))
    ]
    first_paid = paid.groupby("customer_id").started_at.min()

    def mrr_at(t: pd.Timestamp) -> pd.Series:
        on = (paid.started_at < t) & (paid.ended_at.isna() | (paid.ended_at >= t))
        return paid[on].groupby("customer_id").m.sum()

    rows = []
    for month in months:
        t0 = pd.Timestamp(month)
        t1 = t0 + pd.offsets.MonthBegin(1)
        both = pd.concat([mrr_at(t0), mrr_at(t1)], axis=1, keys=["s", "e"]).fillna(0)
        s, e = both.s, both.e
        fresh = first_paid.reindex(both.index).between(t0, t1, inclusive="left")
        grow = (s == 0) & (e > 0)
        rows.append(
            {
                "mrr_start": s.sum(),
                "new": e[grow & fresh].sum(),
                "reactivation": e[grow & ~fresh].sum(),
                "churn": s[(s > 0) & (e == 0)].sum(),
                "expansion": (e - s)[(s > 0) & (e > s)].sum(),
                "contraction": (s - e)[(e > 0) & (e < s)].sum(),
                "mrr_end": e.sum(),
                "churned_customers": int(((s > 0) & (e == 0)).sum()),
                "new_customers": int((grow & fresh).sum()),
            }
        )
    return pd.DataFrame(rows)


@needs_datasets
def test_ravenstack_movements_equal_a_pandas_computation() -> None:
    subs = _ravenstack()
    table = mrr_movements(subs, start="2023-02-01", end="2024-11-01")
    months = list(table["period_start"])
    assert len(months) == 22
    expected = _pandas_movements(subs, months)
    for column in expected.columns:
        np.testing.assert_allclose(
            table[column].to_numpy("float64"),
            expected[column].to_numpy("float64"),
            rtol=1e-9,
            atol=1e-6,
            err_msg=column,
        )
    assert_identity(table)
    assert table["churn"].sum() > 0 and table["expansion"].sum() > 0


@needs_datasets
def test_ravenstack_rates_are_consistent() -> None:
    rates = revenue_churn(
        _ravenstack(), start="2023-06-01", end="2024-11-01", n_boot=200
    )
    assert (rates["grr"] <= rates["nrr"] + 1e-12).all()
    assert (rates["grr"] <= 1 + 1e-12).all()
    assert (rates["nrr_lower"] <= rates["nrr_upper"]).all()
    inside = (rates["grr_lower"] <= rates["grr"] + 1e-9) & (
        rates["grr"] <= rates["grr_upper"] + 1e-9
    )
    assert inside.mean() > 0.8


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    folder = tmp_path_factory.mktemp("demo")
    files = generate_demo(folder, n_customers=400, seed=7)
    db = folder / "demo.duckdb"
    ingest([files.subscriptions, files.customers], db)
    return db, files


def _demo_fx() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "currency": ["USD", "GBP", "PLN", "DKK", "USD"],
            "date": ["2000-01-01"] * 4 + ["2024-01-01"],
            "rate": [0.875, 1.125, 0.25, 0.125, 0.9375],
        }
    )


def test_demo_store_end_to_end(demo_store: tuple[Path, Any]) -> None:
    db, files = demo_store
    csv = files.subscriptions
    with Store.open(db, read_only=True) as store:
        from_store = mrr_movements(store, fx=_demo_fx(), currency="EUR", by="segment")
        total = mrr_movements(store, fx=_demo_fx(), currency="EUR")
    assert_identity(from_store)
    assert_identity(total)
    assert total["new"].sum() > 0 and total["churn"].sum() > 0
    # The rate change on 2024-01-01 shows as an FX effect in December 2023 only.
    fx = total.set_index("period_start")["fx"]
    assert (fx.drop(date(2023, 12, 1), errors="ignore").abs() < 1e-6).all()
    if date(2023, 12, 1) in fx.index:
        assert fx[date(2023, 12, 1)] != 0
    # Segments add up to the total.
    summed = from_store.groupby("period_start")[["mrr_start", "churn", "mrr_end"]].sum()
    np.testing.assert_allclose(
        summed.to_numpy(),
        total.set_index("period_start")[["mrr_start", "churn", "mrr_end"]].to_numpy(),
        rtol=1e-9,
    )
    # The same file read directly gives the same table.
    direct = mrr_movements(pd.read_csv(csv), fx=_demo_fx(), currency="EUR")
    pd.testing.assert_frame_equal(direct, total, check_exact=False, rtol=1e-9)


def test_demo_with_its_own_fx_file(demo_store: tuple[Path, Any]) -> None:
    db, files = demo_store
    with Store.open(db, read_only=True) as store:
        table = mrr_movements(store, fx=files.fx_rates, period="quarter")
        rates = revenue_churn(store, fx=files.fx_rates, period="quarter", n_boot=100)
    assert_identity(table)
    assert (table["fx"].abs() > 0).any()  # the rates drift month by month
    assert len(rates) == len(table) and rates["nrr"].notna().all()
    np.testing.assert_allclose(rates["mrr_start"], table["mrr_start"])
