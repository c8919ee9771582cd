"""Customer lifetime value on data built so that every figure is known by hand."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from churnlens.cli.ltv import ltv as ltv_command
from churnlens.errors import ConfigError
from churnlens.models.ltv import LTV_COLUMNS, lifetime_value

NOW = dt.datetime(2030, 1, 1)
DAYS_PER_MONTH = 365.25 / 12


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def _steady_churn() -> pd.DataFrame:
    """100 customers join on 10 January 2023 at 40 a month; 10 of them leave on
    the 15th of March, of April and of May; one more customer joins on 20 June,
    which ends the data there: the full months are February to May."""
    rows = []
    for i in range(100):
        end = _ts(f"2023-{3 + i // 10:02d}-15") if i < 30 else pd.NaT
        rows.append((f"c{i:03d}", _ts("2023-01-10"), end, 40.0, "a" if i % 2 else "b"))
    rows.append(("late", _ts("2023-06-20"), pd.NaT, 40.0, "a"))
    return pd.DataFrame(
        rows, columns=["customer_id", "started_at", "ended_at", "mrr", "plan"]
    )


def _z(confidence: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_simple_ltv_is_arpa_times_margin_over_the_pooled_churn_rate() -> None:
    table = lifetime_value(_steady_churn(), window=3, margin=0.5, now=NOW)
    assert list(table.columns) == list(LTV_COLUMNS)
    row = table.iloc[0]
    # March, April, May: 100, 90 and 80 customers at the start, 10 lost in each.
    churn = 30 / 270
    assert row["monthly_churn_rate"] == pytest.approx(churn, rel=1e-12)
    assert row["arpa"] == pytest.approx(40.0, rel=1e-12)
    assert row["ltv"] == pytest.approx(40 * 0.5 / churn, rel=1e-12)
    assert row["observations"] == 270
    lower, upper = _wilson(30, 270, _z(0.95))
    assert row["ltv_lower"] == pytest.approx(20 / upper, rel=1e-9)
    assert row["ltv_upper"] == pytest.approx(20 / lower, rel=1e-9)


def test_simple_ltv_discounts_each_month() -> None:
    table = lifetime_value(_steady_churn(), window=3, discount_rate=0.1, now=NOW)
    d = 1.1 ** (1 / 12) - 1
    churn = 1 / 9
    # Months paid, discounted: sum over t >= 0 of ((1 - churn) / (1 + d)) ** t.
    months = sum(((1 - churn) / (1 + d)) ** t for t in range(5000))
    assert table.iloc[0]["expected_lifetime_months"] == pytest.approx(months, rel=1e-9)
    assert table.iloc[0]["ltv"] == pytest.approx(40 * months, rel=1e-9)


def test_no_churn_gives_no_simple_ltv_and_says_why() -> None:
    frame = _steady_churn().assign(ended_at=pd.NaT)
    row = lifetime_value(frame, window=3, now=NOW).iloc[0]
    assert math.isnan(row["ltv"]) and math.isnan(row["ltv_upper"])
    assert row["monthly_churn_rate"] == 0
    assert "no customer churned" in row["note"]


def _all_churned() -> tuple[pd.DataFrame, np.ndarray]:
    """Customers who all left, with lifetimes from 3 to 400 days; a zero-length
    subscription later on (no lifetime, no revenue) ends the data after them."""
    rng = np.random.default_rng(7)
    start = _ts("2022-01-01 08:00")
    days = rng.integers(3, 400, size=60)
    rows = [
        (f"c{i}", start, start + pd.Timedelta(days=int(d), hours=5), 30.0)
        for i, d in enumerate(days)
    ]
    rows.append(("probe", _ts("2024-01-01"), _ts("2024-01-01"), 0.0))
    frame = pd.DataFrame(rows, columns=["customer_id", "started_at", "ended_at", "mrr"])
    return frame, days.astype("float64")


def test_kaplan_meier_lifetime_without_censoring_is_the_mean_lifetime() -> None:
    frame, days = _all_churned()
    row = lifetime_value(frame, method="kaplan_meier", now=NOW, n_boot=50).iloc[0]
    assert row["observations"] == 60
    expected = days.mean() / DAYS_PER_MONTH
    assert row["expected_lifetime_months"] == pytest.approx(expected, rel=1e-9)
    assert row["ltv_lower"] <= row["ltv"] <= row["ltv_upper"]


def test_kaplan_meier_lifetime_is_discounted_continuously() -> None:
    frame, days = _all_churned()
    row = lifetime_value(
        frame, method="kaplan_meier", discount_rate=0.2, now=NOW, n_boot=0
    ).iloc[0]
    k = math.log1p(1.2 ** (1 / 12) - 1) / DAYS_PER_MONTH
    # Each customer is worth the discounted length of their own lifetime.
    expected = np.mean((1 - np.exp(-k * days)) / k) / DAYS_PER_MONTH
    assert row["expected_lifetime_months"] == pytest.approx(expected, rel=1e-9)
    assert math.isnan(row["ltv_lower"])  # n_boot=0: no interval


def test_sbg_over_a_one_month_horizon_is_one_payment() -> None:
    frame, _ = _all_churned()
    row = lifetime_value(
        frame, method="sbg", horizon_months=1, margin=0.8, now=NOW, n_boot=30
    ).iloc[0]
    # Every customer pays the first month: one month of ARPA x margin.
    assert row["expected_lifetime_months"] == pytest.approx(1.0, rel=1e-12)
    assert row["ltv"] == pytest.approx(row["arpa"] * 0.8, rel=1e-12)


def test_all_methods_by_segment() -> None:
    table = lifetime_value(_steady_churn(), method="all", by="plan", now=NOW, n_boot=0)
    assert list(table["plan"]) == ["a"] * 3 + ["b"] * 3
    assert list(table["method"]) == ["simple", "kaplan_meier", "sbg"] * 2
    assert (table["arpa"] == 40).all()
    finite = table.dropna(subset=["ltv"])
    assert (finite["ltv"] > 0).all()


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"method": "magic"}, "unknown LTV method"),
        ({"margin": 0}, "margin"),
        ({"margin": 80}, "margin"),
        ({"discount_rate": -0.1}, "discount_rate"),
        ({"window": 0}, "window"),
    ],
)
def test_bad_settings_are_refused(options: dict, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        lifetime_value(_steady_churn(), now=NOW, **options)


def test_cli_prints_every_method(tmp_path) -> None:
    path = tmp_path / "subscriptions.csv"
    _steady_churn().to_csv(path, index=False)
    result = CliRunner().invoke(
        ltv_command,
        [str(path), "--window", "3", "--margin", "0.5", "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln]
    assert lines[0].startswith("method,arpa,margin")
    assert [ln.split(",")[0] for ln in lines[1:]] == ["simple", "kaplan_meier", "sbg"]
    simple = lines[1].split(",")
    assert float(simple[5]) == pytest.approx(180.0, rel=1e-9)
