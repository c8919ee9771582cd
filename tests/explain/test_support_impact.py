"""support_impact: counting-process rows, the Cox fit against lifelines, the
what-if against a plain loop, and the demo's planted effects recovered."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import churnlens
from churnlens.errors import ConfigError
from churnlens.explain.support_impact import (
    SupportImpact,
    bucket_table,
    support_impact,
)

ADJUST = ("plan", "tenure", "segment", "billing_period")


def _demo(root: Path, n: int, seed: int) -> tuple[Path, dict]:
    files = churnlens.generate_demo(root / "demo", n_customers=n, seed=seed)
    db = root / "demo.duckdb"
    churnlens.ingest([files.subscriptions, files.customers, files.tickets], db=db)
    truth = json.loads((root / "demo" / "ground_truth.json").read_text())
    return db, truth


def _true_effects(truth: dict) -> dict[str, float]:
    return {
        c["name"]: c["log_hazard_ratio"] for c in truth["churn_hazard"]["covariates"]
    }


def _data_end(truth: dict) -> pd.Timestamp:
    return pd.Timestamp(truth["settings"]["end"]).to_pydatetime()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    return _demo(tmp_path_factory.mktemp("why-impact"), 4000, 42)


@pytest.fixture(scope="module")
def impact(demo: tuple[Path, dict]) -> SupportImpact:
    db, truth = demo
    return support_impact(db, adjust_for=ADJUST, now=_data_end(truth), n_boot=100)


@pytest.fixture(scope="module")
def weekly(demo: tuple[Path, dict]) -> SupportImpact:
    """Rows re-read weekly: the support covariates are exact whatever the
    period, so the estimates equal the monthly ones."""
    db, truth = demo
    return support_impact(
        db, adjust_for=ADJUST, now=_data_end(truth), period="week", n_boot=0
    )


def test_the_demo_effects_are_inside_their_95_percent_intervals(
    weekly: SupportImpact, demo: tuple[Path, dict]
) -> None:
    effects = _true_effects(demo[1])
    table = weekly.hazard_ratios.set_index("covariate")
    for name in ("slow_first_response", "low_satisfaction", "open_ticket_over_7d"):
        row = table.loc[name]
        assert row["coef_lower"] <= effects[name] <= row["coef_upper"], name
        assert row["kind"] == "support"
        assert row["hazard_ratio_lower"] > 1  # each one clearly raises churn
    # The generator's other factors come out with their planted signs.
    assert table.loc["billing_period=annual", "coef"] < np.log(0.7)
    assert 0.55 < weekly.concordance < 0.8
    assert set(weekly.ph_check["covariate"]) >= {"slow_first_response", "global"}


def test_rows_are_a_counting_process(impact: SupportImpact) -> None:
    rows = impact.rows
    assert (rows["start"] < rows["stop"]).all()
    key = ["customer_id", "spell_no"]
    ordered = rows.sort_values([*key, "start"])
    same = ordered[key].eq(ordered[key].shift()).all(axis=1)
    # Contiguous pieces: each starts where the previous one of its spell stopped.
    gaps = (
        ordered["start"].to_numpy()[same.to_numpy()]
        - ordered["stop"].shift().to_numpy()[same.to_numpy()]
    )
    assert np.allclose(gaps, 0)
    # One event at most per spell, on its last piece.
    last = ~ordered[key].eq(ordered[key].shift(-1)).all(axis=1)
    assert ordered.loc[~last, "event"].eq(0).all()
    assert ordered.groupby(key)["event"].sum().le(1).all()
    # Measured at the boundary that opens the piece, never later.
    assert (rows["measured_at"] <= rows["row_from"]).all()
    pieces = rows[~rows["first_cut"] & ~rows["at_change"]]
    assert (pieces["measured_at"] == pieces["row_from"]).all()
    assert impact.fit["events"].iloc[0] == rows["event"].sum()


def test_the_cox_fit_matches_lifelines(impact: SupportImpact) -> None:
    lifelines = pytest.importorskip("lifelines")
    names = list(impact.model.params_.index)
    rows = impact.rows
    frame = pd.DataFrame({"id": np.arange(len(rows))})
    for name in names:
        if "=" in name:
            column, level = name.split("=", 1)
            frame[name] = (rows[column].astype(str) == level).astype(float).to_numpy()
        else:
            frame[name] = rows[name].to_numpy(float)
    frame["start"] = rows["start"].to_numpy()
    frame["stop"] = rows["stop"].to_numpy()
    frame["event"] = rows["event"].to_numpy()
    oracle = lifelines.CoxTimeVaryingFitter()
    oracle.fit(
        frame, id_col="id", start_col="start", stop_col="stop", event_col="event"
    )
    ours = impact.model.params_
    assert np.allclose(oracle.params_[names].to_numpy(), ours.to_numpy(), atol=2e-4)


def test_the_what_if_matches_a_plain_sum_over_rows(impact: SupportImpact) -> None:
    lifelines = pytest.importorskip("lifelines")
    model = impact.model
    names = list(model.params_.index)
    rows = impact.rows
    X = np.column_stack(
        [
            (rows[n.split("=")[0]].astype(str) == n.split("=")[1]).to_numpy(float)
            if "=" in n
            else rows[n].to_numpy(float)
            for n in names
        ]
    )
    beta = model.params_.to_numpy()
    frame = pd.DataFrame(X, columns=names)
    frame["id"], frame["event"] = np.arange(len(rows)), rows["event"].to_numpy()
    frame["start"], frame["stop"] = rows["start"].to_numpy(), rows["stop"].to_numpy()
    oracle = lifelines.CoxTimeVaryingFitter()
    oracle.fit(
        frame, id_col="id", start_col="start", stop_col="stop", event_col="event"
    )
    # lifelines' Breslow baseline is for covariates at their means.
    base = oracle.baseline_cumulative_hazard_.iloc[:, 0]
    times, values = base.index.to_numpy(), base.to_numpy()
    mean = X.mean(axis=0)

    def cumulative(t: float) -> float:
        k = np.searchsorted(times, t, side="right")
        return float(values[k - 1]) if k else 0.0

    row = impact.what_if.set_index("covariate").loc["slow_first_response"]
    window_start = pd.Timestamp(row["window_start"])
    spared = 0.0
    j = names.index("slow_first_response")
    for i in np.flatnonzero((rows["row_to"] > window_start).to_numpy()):
        shift = max((window_start - rows["row_from"].iloc[i]) / pd.Timedelta(days=1), 0)
        a = min(rows["start"].iloc[i] + shift, rows["stop"].iloc[i])
        dh = cumulative(rows["stop"].iloc[i]) - cumulative(a)
        x, met = X[i], X[i].copy()
        met[j] = min(met[j], 0.0)
        spared += dh * (np.exp((x - mean) @ beta) - np.exp((met - mean) @ beta))
    assert row["churned_avoided"] == pytest.approx(spared, rel=1e-3)
    assert row["churned_avoided_lower"] <= row["churned_avoided"]
    assert row["churned_avoided"] <= row["churned_avoided_upper"]
    assert row["kind"] == "estimate"
    assert row["churned_avoided"] > 0


def test_what_if_of_a_target_everyone_meets_is_zero(demo: tuple[Path, dict]) -> None:
    db, truth = demo
    result = support_impact(
        db,
        adjust_for=("plan", "tenure"),
        now=_data_end(truth),
        targets={"low_satisfaction": 1.0},
        n_boot=20,
    )
    row = result.what_if.iloc[0]
    assert row["rows_changed"] == 0
    assert row["churned_avoided"] == 0
    assert row["churned_avoided_upper"] == 0


def test_buckets_partition_the_same_observations(impact: SupportImpact) -> None:
    table = impact.buckets
    totals = table.groupby("measure")[["observations", "churned"]].sum()
    assert totals["observations"].nunique() == 1
    assert totals["churned"].nunique() == 1
    assert (table["churn_share_lower"] <= table["churn_share"]).all()
    assert (table["churn_share"] <= table["churn_share_upper"]).all()
    bad = table[table["measure"] == "bad_ratings"].set_index("bucket")
    # A bad rating goes with more churn than good ones, as planted.
    assert bad.loc["1+", "churn_share_lower"] > bad.loc["0", "churn_share"]


def test_bad_options_are_config_errors(demo: tuple[Path, dict]) -> None:
    db, _ = demo
    with pytest.raises(ConfigError, match="unknown support measure"):
        support_impact(db, measures=["shoe_size"])
    with pytest.raises(ConfigError, match="horizon_days"):
        support_impact(db, horizon_days=0)
    with pytest.raises(ConfigError, match="cannot adjust"):
        support_impact(db, adjust_for=("plan", "colour"), n_boot=0)


def test_without_tickets_support_impact_says_so() -> None:
    subs = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "started_at": pd.to_datetime(["2024-01-01", "2024-01-01"]),
            "ended_at": pd.to_datetime(["2024-03-01", None]),
        }
    )
    with pytest.raises(ConfigError, match="no tickets"):
        support_impact(subs, adjust_for=("tenure",))


def test_bucket_table_matches_a_crosstab() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"calls": rng.integers(0, 7, 500)})
    frame["churn"] = np.where(
        rng.random(500) < 0.1 + 0.08 * frame["calls"], "yes", "no"
    )
    table = bucket_table(frame, "calls", "churn", edges=[0, 2, 4]).set_index("bucket")
    cut = pd.cut(frame["calls"], [0, 2, 4, np.inf], right=False)
    expected = pd.crosstab(cut, frame["churn"] == "yes", normalize="index")[True]
    assert table["churn_share"].tolist() == pytest.approx(expected.tolist())
    assert table.loc["0-1", "observations"] == (frame["calls"] < 2).sum()


def test_the_period_does_not_move_the_support_effects(
    weekly: SupportImpact, impact: SupportImpact
) -> None:
    """The covariates change at their own instants, not at period ends: monthly
    and weekly rows give the same support coefficients."""
    names = ["slow_first_response", "low_satisfaction", "open_ticket_over_7d"]
    monthly = impact.hazard_ratios.set_index("covariate").loc[names, "coef"]
    by_week = weekly.hazard_ratios.set_index("covariate").loc[names, "coef"]
    np.testing.assert_allclose(by_week.to_numpy(), monthly.to_numpy(), atol=2e-3)
    assert len(weekly.rows) > len(impact.rows)


def test_rows_are_cut_where_the_covariates_change(impact: SupportImpact) -> None:
    """Each piece starting at a change carries a covariate value different from
    the piece before it, or starts where a new period starts."""
    rows = impact.rows.sort_values(["customer_id", "spell_no", "row_from"])
    names = ["slow_first_response", "low_satisfaction", "open_ticket_over_7d"]
    changed = rows[rows["at_change"]]
    assert len(changed) > 1000
    before = rows[names].shift()
    differs = (rows[names] != before).any(axis=1)[rows["at_change"]]
    assert differs.mean() > 0.99
    assert rows.loc[rows["at_change"], "event"].sum() <= rows["event"].sum()


@pytest.mark.slow
def test_the_default_demo_recovers_the_planted_effects(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """At 20,000 customers the intervals are narrow: with the covariates exact,
    each planted effect lies inside its 95% interval (docs/why.md lists the
    figures)."""
    db, truth = _demo(tmp_path_factory.mktemp("why-default"), 20_000, 42)
    result = support_impact(db, adjust_for=ADJUST, now=_data_end(truth), n_boot=0)
    effects = _true_effects(truth)
    table = result.hazard_ratios.set_index("covariate")
    for name in ("slow_first_response", "low_satisfaction", "open_ticket_over_7d"):
        row = table.loc[name]
        assert row["coef_lower"] <= effects[name] <= row["coef_upper"], name
        assert abs(row["coef"] - effects[name]) < 0.1, name
