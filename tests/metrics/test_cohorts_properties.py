"""Cohort tables: revenue against the oracle, agreement with the churn table,
invariants, options and errors."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from churnlens.errors import ConfigError
from churnlens.metrics.churn import churn_rate
from churnlens.metrics.cohorts import cohort_table, to_wide
from metrics._churn_cases import Case, cases, engine_settings
from metrics.test_cohorts_oracle import assert_same_cohorts, check_cohort_invariants
from oracle.churn_reference import period_floor
from oracle.cohort_reference import reference_cohort_table

NOW = dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC)
PRICES = (0.0, 9.99, 10.0, 49.5, 120.0, 1234.56, 1 / 3)


def _priced(case: Case, prices: list[float]) -> tuple[list[dict], pd.DataFrame]:
    rows = [
        {**s, "mrr": prices[i % len(prices)]} for i, s in enumerate(case.subscriptions)
    ]
    frame = case.product_input()
    frame["mrr"] = [r["mrr"] for r in rows]
    return rows, frame


@engine_settings("duckdb", 25)
@given(
    case=cases(max_groups=10),
    prices=st.lists(st.sampled_from(PRICES), min_size=1, max_size=7),
)
def test_revenue_matches_oracle(case: Case, prices: list[float]) -> None:
    rows, frame = _priced(case, prices)
    options = case.options()
    expected = reference_cohort_table(rows, kind="revenue", **options)
    actual = cohort_table(frame, kind="revenue", **options)
    try:
        # Amounts are summed in millionths: 1/3 is 0.333333 there.
        assert_same_cohorts(actual, expected, rel=1e-5)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{case.describe()}\nprices {prices}") from None


def _cohort_labels(case: Case) -> pd.DataFrame:
    """Each customer's cohort, found by hand (first start, floored locally)."""
    firsts: dict[str, dt.datetime] = {}
    for s in case.subscriptions:
        cid = s["customer_id"]
        firsts[cid] = min(firsts.get(cid, s["started_at"]), s["started_at"])
    zone = ZoneInfo(case.tz)
    return pd.DataFrame(
        {
            "customer_id": list(firsts),
            "signup": [
                period_floor(t.astimezone(zone).date(), case.period).isoformat()
                for t in firsts.values()
            ],
        }
    )


@engine_settings("duckdb", 8)
@given(case=cases(max_groups=10, by=False))
def test_counts_equal_churn_table_head_counts_per_cohort(case: Case) -> None:
    """A cohort's count at age k is the churn table's ``customers_end`` of period
    cohort + k among that cohort's customers, its size their ``new``."""
    labels = _cohort_labels(case)
    options = {"period": case.period, "tz": case.tz, "grace_days": case.grace_days}
    cohorts = cohort_table(case.product_input(), now=NOW, **options)
    if cohorts.empty:
        return
    churn = churn_rate(
        case.product_input(),
        by="signup",
        customers=labels,
        start=cohorts["cohort"].min(),
        end=cohorts["period_start"].max(),
        now=NOW,
        **options,
    )
    churn = churn.set_index(["signup", "period_start"])
    for row in cohorts.itertuples():
        key = (row.cohort.isoformat(), row.period_start)
        if row.cohort_size == 0:
            assert key not in churn.index or churn.loc[key, "new"] == 0
            continue
        head = churn.loc[key]
        assert head["customers_end"] == row.customers, (row, head)
        first = churn.loc[(row.cohort.isoformat(), row.cohort)]
        assert first["new"] == row.cohort_size


@engine_settings("duckdb", 10)
@given(case=cases(max_groups=12, by=True))
def test_segments_add_up_to_the_whole(case: Case) -> None:
    options = case.options()
    split = cohort_table(case.product_input(), **options)
    whole = cohort_table(case.product_input(), **{**options, "by": None})
    check_cohort_invariants(whole)
    check_cohort_invariants(split, case.by)
    summed = split.groupby(["cohort", "age"], sort=True)[
        ["cohort_size", "customers"]
    ].sum()
    expected = whole.set_index(["cohort", "age"])[["cohort_size", "customers"]]
    pd.testing.assert_frame_equal(summed, expected.sort_index())


def test_age_zero_is_the_end_of_the_signup_period() -> None:
    subs = pd.DataFrame(
        {
            "customer_id": ["joins-and-leaves", "stays", "leaves-on-boundary", "back"],
            "started_at": [
                "2024-01-05",
                "2024-01-31T23:00",
                "2024-01-02",
                "2024-01-03",
            ],
            "ended_at": ["2024-01-20", None, "2024-02-01", "2024-01-04"],
        }
    )
    returns = pd.DataFrame(
        {
            "customer_id": ["back", "later"],
            "started_at": ["2024-03-15", "2024-04-20"],
            "ended_at": [None, None],
        }
    )
    table = cohort_table(pd.concat([subs, returns]), now=NOW, end="2024-01-01")
    jan = table[table.cohort == dt.date(2024, 1, 1)].set_index("age")
    assert jan.loc[0, "cohort_size"] == 4
    # In the base at 2024-02-01: "stays" and "leaves-on-boundary" (ended_at = t).
    assert jan.loc[0, "customers"] == 2
    assert jan.loc[1, "customers"] == 1  # at 2024-03-01
    assert jan.loc[2, "customers"] == 2  # "back" returned: counted again
    assert jan.loc[2, "retention"] == 0.5
    assert list(table.cohort.unique()) == [dt.date(2024, 1, 1)]


def test_triangle_stops_at_the_data_end_capped_at_now() -> None:
    subs = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "started_at": ["2024-01-10", "2024-02-10", "2024-03-10"],
            "ended_at": [None, "2024-04-15", None],
        }
    )
    table = cohort_table(subs, now=dt.datetime(2030, 1, 1))
    # The data end at 2024-04-15: the last boundary within them is 2024-04-01.
    assert table.groupby("cohort").age.max().to_dict() == {
        dt.date(2024, 1, 1): 2,
        dt.date(2024, 2, 1): 1,
        dt.date(2024, 3, 1): 0,
    }
    capped = cohort_table(subs, now=dt.datetime(2024, 3, 1))
    assert capped.groupby("cohort").age.max().to_dict() == {
        dt.date(2024, 1, 1): 1,
        dt.date(2024, 2, 1): 0,
    }
    assert cohort_table(subs, now=dt.datetime(2024, 1, 20)).empty


def test_to_wide_is_the_triangle() -> None:
    subs = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "started_at": ["2024-01-10", "2024-01-11", "2024-02-10", "2024-03-01"],
            "ended_at": ["2024-02-15", None, None, "2024-05-01"],
            "plan": ["x", "y", "x", "y"],
        }
    )
    table = cohort_table(subs, now=NOW)
    wide = to_wide(table)
    assert list(wide.columns) == list(range(4))
    assert wide.index.tolist() == [dt.date(2024, m, 1) for m in (1, 2, 3, 4)]
    assert wide.iloc[0].tolist() == [1.0, 0.5, 0.5, 0.5]
    assert np.isnan(wide.iloc[3, 1]) and wide.iloc[2, 0] == 1.0
    counts = to_wide(table, value="customers")
    assert str(counts.dtypes.iloc[0]) == "Int64"
    assert counts.iloc[1].tolist()[:3] == [1, 1, 1] and counts.iloc[1].isna().iloc[3]
    split = to_wide(cohort_table(subs, by="plan", now=NOW))
    assert split.index.names == ["cohort", "plan"]
    with pytest.raises(ConfigError, match="no value column 'churn'"):
        to_wide(table, value="churn")


def test_revenue_in_constant_currency() -> None:
    subs = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c"],
            "started_at": ["2024-01-10", "2024-02-10", "2024-01-20", "2024-04-10"],
            "ended_at": ["2024-02-10", None, "2024-03-05", None],
            "mrr": [100.0, 150.0, 50.0, 10.0],
            "currency": ["EUR", "EUR", "USD", "USD"],
        }
    )
    fx = pd.DataFrame(
        {
            "currency": ["EUR", "EUR", "USD"],
            "date": ["2024-01-01", "2024-03-01", "2024-01-01"],
            "rate": [1.0, 1.2, 1.0],
        }
    )
    table = cohort_table(subs, kind="revenue", fx=fx, currency="USD", now=NOW)
    jan = table[table.cohort == dt.date(2024, 1, 1)].set_index("age")
    # One rate per currency, its latest (1.2), so FX moves never look like churn.
    assert jan.loc[0, "cohort_mrr"] == pytest.approx(100 * 1.2 + 50)
    assert jan.loc[1, "mrr"] == pytest.approx(150 * 1.2 + 50)
    assert jan.loc[2, "mrr"] == pytest.approx(150 * 1.2)
    assert jan.loc[2, "retention"] == pytest.approx(180 / 170)
    assert jan.loc[0, "cohort_size"] == 2
    assert list(table.columns) == [
        "cohort",
        "age",
        "period_start",
        "period_end",
        "cohort_size",
        "cohort_mrr",
        "mrr",
        "retention",
    ]


def test_grace_joins_short_gaps() -> None:
    subs = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "started_at": ["2024-01-10", "2024-02-03"],
            "ended_at": ["2024-01-30", None],
        }
    )
    plain = cohort_table(subs, now=NOW, end="2024-01-01")
    graced = cohort_table(subs, now=NOW, end="2024-01-01", grace_days=5)
    assert plain.customers.iloc[0] == 0 and graced.customers.iloc[0] == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "logos"}, "unknown kind 'logos'"),
        ({"period": "fortnight"}, "unknown period 'fortnight'"),
        ({"fx": pd.DataFrame()}, "fx and currency only apply to revenue"),
        ({"start": "2024-03-01", "end": "2024-01-01"}, "the range ends"),
        ({"start": "March"}, "cannot read start date 'March'"),
        ({"grace_days": -1}, "grace_days must be >= 0"),
        ({"by": "nowhere"}, "no column 'nowhere' to split by"),
    ],
)
def test_errors(options: dict[str, Any], message: str) -> None:
    subs = pd.DataFrame(
        {"customer_id": ["a"], "started_at": ["2024-01-10"], "ended_at": [None]}
    )
    with pytest.raises(ConfigError, match=message):
        cohort_table(subs, now=NOW, **options)


def test_empty_input_gives_an_empty_table_with_the_columns() -> None:
    subs = pd.DataFrame(
        {
            "customer_id": pd.Series([], dtype=object),
            "started_at": pd.Series([], dtype="datetime64[us]"),
            "ended_at": pd.Series([], dtype="datetime64[us]"),
        }
    )
    table = cohort_table(subs, now=NOW)
    assert table.empty
    assert list(table.columns) == [
        "cohort",
        "age",
        "period_start",
        "period_end",
        "cohort_size",
        "customers",
        "retention",
    ]
    assert table["customers"].dtype == "int64"


@pytest.mark.parametrize("grace_days", [0, 7])
def test_a_store_gives_the_oracle_s_table(tmp_path: Any, grace_days: float) -> None:
    """Through ingest and the store's materialised spells (what the benchmark
    reads), on the demo data: plan changes, annual plans, currencies, returns."""
    from churnlens import generate_demo, ingest

    files = tmp_path / "demo"
    generate_demo(files, n_customers=300, years=2)
    store = tmp_path / "demo.duckdb"
    ingest([files / "subscriptions.csv", files / "customers.csv"], store)
    subs = pd.read_csv(files / "subscriptions.csv")
    customers = pd.read_csv(files / "customers.csv")
    options: dict[str, Any] = {
        "period": "quarter",
        "tz": "Europe/Warsaw",
        "by": "segment",
        "grace_days": grace_days,
        "now": NOW,
    }
    rows = subs.assign(
        started_at=pd.to_datetime(subs.started_at, utc=True),
        ended_at=pd.to_datetime(subs.ended_at, utc=True),
    ).to_dict("records")
    expected = reference_cohort_table(rows, customers=customers, **options)
    actual = cohort_table(store, **options)
    assert_same_cohorts(actual, expected)
    assert expected["cohort_size"].sum() > 0 and expected["customers"].sum() > 0


def test_revenue_from_a_store_in_constant_currency(tmp_path: Any) -> None:
    """Demo data in several currencies: the oracle gets each amount at its
    currency's latest rate, the product the FX table."""
    from churnlens import generate_demo, ingest

    files = tmp_path / "demo"
    generate_demo(files, n_customers=300, years=2)
    store = tmp_path / "demo.duckdb"
    ingest([files / "subscriptions.csv"], store)
    subs = pd.read_csv(files / "subscriptions.csv")
    fx = pd.read_csv(files / "fx_rates.csv").sort_values(["currency", "date"])
    latest = fx.groupby("currency")["rate"].last()
    assert subs["currency"].nunique() > 1
    rows = subs.assign(
        started_at=pd.to_datetime(subs.started_at, utc=True),
        ended_at=pd.to_datetime(subs.ended_at, utc=True),
        mrr=subs["mrr"] * subs["currency"].map(latest),
    ).to_dict("records")
    options: dict[str, Any] = {"period": "month", "now": NOW}
    expected = reference_cohort_table(rows, kind="revenue", **options)
    actual = cohort_table(
        store, kind="revenue", fx=files / "fx_rates.csv", currency="EUR", **options
    )
    assert_same_cohorts(actual, expected, rel=1e-6)  # summed in millionths
    assert (expected["retention"].dropna() > 1).any()  # expansion shows
