"""support_measures end to end: the demo store, and RavenStack's tickets against a
pandas computation of the same definitions."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from _datasets import dataset, needs_datasets
from churnlens.demo import generate_demo
from churnlens.inputs.load import ingest
from churnlens.inputs.presets import Duration, Preset
from churnlens.inputs.read import read_table
from churnlens.metrics.support import support_measures
from oracle.support_reference import reference_support


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("support_demo")
    files = generate_demo(folder, n_customers=300, seed=7, years=2)
    db = folder / "store.duckdb"
    paths = [folder / f"{name}.csv" for name in ("customers", "subscriptions")]
    ingest([*paths, folder / "tickets.csv"], db)
    return db, folder, files


def test_demo_store_matches_the_oracle(demo_store):
    db, folder, _ = demo_store
    tickets = pd.read_csv(folder / "tickets.csv")
    rows = []
    for r in tickets.to_dict("records"):
        row = {"customer_id": str(r["customer_id"]), "channel": r["channel"]}
        for name in ("created_at", "first_response_at", "resolved_at"):
            value = r[name]
            row[name] = (
                None
                if pd.isna(value)
                else pd.Timestamp(value).tz_convert("UTC").tz_localize(None)
            )
        sat = r["satisfaction"]
        row["satisfaction"] = None if pd.isna(sat) else float(sat)
        rows.append(row)
    last = max(r["created_at"] for r in rows)
    cut = datetime(last.year, last.month, 1)
    actual = support_measures(db, as_of=cut)
    expected = reference_support(rows, cut)
    assert len(actual) == len(expected) > 50
    by_id = actual.set_index("customer_id")
    for customer, want in expected.items():
        got = by_id.loc[customer]
        for name, value in want.items():
            if name == "channels":
                for channel, n in value.items():
                    assert got[f"channel_{channel}"] == n
            elif value is None:
                assert np.isnan(got[name])
            else:
                assert got[name] == pytest.approx(value, rel=1e-9), (customer, name)


def test_demo_store_over_months(demo_store):
    db, _, _ = demo_store
    table = support_measures(db, period="month")
    # counting-process rows: one per customer and month, cumulative counts grow
    assert not table.duplicated(["customer_id", "period_start"]).any()
    grown = table.groupby("customer_id")["tickets_total"].apply(
        lambda s: bool((s.diff().dropna() >= 0).all())
    )
    assert grown.all()
    assert (table["open_tickets"] <= table["tickets_total"]).all()
    assert {"channel_email", "channel_chat"} <= set(table.columns)


@needs_datasets
def test_ravenstack_tickets_against_pandas():
    path = dataset("ravenstack_saas_synthetic") / "ravenstack_support_tickets.csv"
    raven = Preset(
        "ravenstack",
        columns={
            "ticket_id": ("ticket_id",),
            "customer_id": ("account_id",),
            "created_at": ("submitted_at",),
            "resolved_at": ("closed_at",),
            "satisfaction": ("satisfaction_score",),
        },
        durations={
            "first_response_at": (Duration(("first_response_time_minutes",), 60),)
        },
    )
    result = read_table(path, preset=raven)
    assert result.n_rejected == 0 and result.n_read == 2000
    cut = datetime(2024, 7, 1)
    actual = support_measures(
        result.accepted, as_of=cut, sla_first_response_hours=2
    ).set_index("customer_id")

    raw = pd.read_csv(path)
    created = pd.to_datetime(raw["submitted_at"])
    closed = pd.to_datetime(raw["closed_at"])
    response = created + pd.to_timedelta(raw["first_response_time_minutes"], "min")
    frame = raw.assign(created=created, closed=closed, response=response)
    frame = frame[frame["created"] < cut]
    resolved = frame["closed"].notna() & (frame["closed"] < cut)
    responded = frame["response"].notna() & (frame["response"] < cut)
    frame = frame.assign(
        resolved=resolved,
        open=~resolved,
        response_h=(
            (frame["response"] - frame["created"]).dt.total_seconds() / 3600
        ).where(responded),
        resolution_h=(
            (frame["closed"] - frame["created"]).dt.total_seconds() / 3600
        ).where(resolved),
        rating=frame["satisfaction_score"].where(resolved),
        fr_breach=np.where(
            responded,
            (frame["response"] - frame["created"]) > pd.Timedelta(hours=2),
            (cut - frame["created"]) > pd.Timedelta(hours=2),
        ),
    )
    expected = frame.groupby("account_id").agg(
        tickets_total=("ticket_id", "size"),
        open_tickets=("open", "sum"),
        first_response_hours_median=("response_h", "median"),
        resolution_hours_mean=("resolution_h", "mean"),
        satisfaction_mean=("rating", "mean"),
        rated_tickets=("rating", "count"),
        first_response_sla_breaches=("fr_breach", "sum"),
    )
    assert sorted(actual.index) == sorted(expected.index)
    for column in expected.columns:
        pd.testing.assert_series_equal(
            actual.loc[expected.index, column].astype(float),
            expected[column].astype(float),
            check_names=False,
            rtol=1e-9,
        )
