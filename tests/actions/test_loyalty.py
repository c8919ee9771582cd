"""Loyal customers: exact figures on constructed data, a naive oracle, the demo."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import churnlens
from churnlens.actions.loyalty import LOYAL_COLUMNS, loyal_customers

MONTH_DAYS = 30.436875
AS_OF = "2024-01-01"


def _subs(rows):
    frame = pd.DataFrame(
        rows, columns=["customer_id", "started_at", "ended_at", "mrr", "canceled_at"]
    )
    for column in ("started_at", "ended_at", "canceled_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


SUBS = _subs(
    [
        ("A", "2020-01-01", None, 100.0, None),
        ("B", "2021-01-01", "2022-01-01", 50.0, None),
        ("B", "2022-01-01", None, 80.0, None),
        ("C", "2023-06-01", None, 900.0, None),
        ("D", "2019-01-01", "2024-02-01", 70.0, "2023-12-01"),
        ("E", "2019-01-01", "2023-06-01", 60.0, "2023-05-01"),
        ("F", "2019-01-01", "2020-01-01", 10.0, None),
        ("F", "2022-06-01", None, 20.0, None),
    ]
)
CUSTOMERS = pd.DataFrame(
    {
        "customer_id": list("ABCDEF"),
        "name": [f"Co {c}" for c in "ABCDEF"],
        "owner": ["Ann", "Bo", "Ann", "Bo", "Ann", "Bo"],
    }
)


def _months(a: str, b: str) -> float:
    return (pd.Timestamp(b) - pd.Timestamp(a)).days / MONTH_DAYS


def test_tenure_and_lifetime_revenue_are_exact() -> None:
    table = loyal_customers(SUBS, customers=CUSTOMERS, as_of=AS_OF)
    assert list(table.columns) == [c for c in LOYAL_COLUMNS if c != "churn_probability"]
    assert list(table["customer_id"]) == ["A", "B"]  # C short, D cancelling, E gone
    a, b = table.iloc[0], table.iloc[1]
    assert a["tenure_months"] == pytest.approx(_months("2020-01-01", AS_OF))
    assert a["lifetime_revenue"] == pytest.approx(100 * 1461 / MONTH_DAYS)
    assert b["tenure_months"] == pytest.approx(_months("2021-01-01", AS_OF))
    assert b["lifetime_revenue"] == pytest.approx(
        50 * _months("2021-01-01", "2022-01-01") + 80 * _months("2022-01-01", AS_OF)
    )
    assert (a["mrr"], b["mrr"]) == (100.0, 80.0)
    assert (a["name"], a["owner"]) == ("Co A", "Ann")
    assert table.attrs["as_of"] == pd.Timestamp(AS_OF)


def test_tenure_counts_from_the_return() -> None:
    table = loyal_customers(SUBS, as_of=AS_OF, min_tenure_months=12).set_index(
        "customer_id"
    )
    assert set(table.index) == {"A", "B", "F"}
    assert table.loc["F", "tenure_months"] == pytest.approx(
        _months("2022-06-01", AS_OF)
    )
    assert table.loc["F", "lifetime_revenue"] == pytest.approx(
        10 * _months("2019-01-01", "2020-01-01") + 20 * _months("2022-06-01", AS_OF)
    )
    assert table["name"].isna().all()


def test_value_and_risk_filters() -> None:
    assert list(loyal_customers(SUBS, as_of=AS_OF, min_mrr=90)["customer_id"]) == ["A"]
    top = loyal_customers(SUBS, as_of=AS_OF, min_tenure_months=12, top_share=0.5)
    assert sorted(top["customer_id"]) == ["A", "B"]  # top half of A 100, B 80, F 20
    risk = pd.DataFrame({"customer_id": ["A", "B"], "churn_probability": [0.3, 0.05]})
    kept = loyal_customers(SUBS, as_of=AS_OF, risk=risk, max_risk=0.1)
    assert list(kept["customer_id"]) == ["B"]
    assert kept["churn_probability"].tolist() == [0.05]
    scored = loyal_customers(SUBS, as_of=AS_OF, min_tenure_months=12, risk=risk)
    assert scored.set_index("customer_id")["churn_probability"].isna().tolist() == [
        False,
        False,
        True,
    ]


def test_reward_tiers() -> None:
    fixed = loyal_customers(
        SUBS, as_of=AS_OF, min_tenure_months=12, tiers={"gold": 4000, "silver": 1000}
    ).set_index("customer_id")
    assert fixed["reward_tier"].to_dict() == {"A": "gold", "B": "silver", "F": None}
    default = loyal_customers(SUBS, as_of=AS_OF, min_tenure_months=12)
    assert default["reward_tier"].tolist() == ["gold", "silver", "bronze"]


def test_bad_options() -> None:
    with pytest.raises(churnlens.ConfigError, match="max_risk needs the risk"):
        loyal_customers(SUBS, max_risk=0.2)
    with pytest.raises(churnlens.ConfigError, match="top_share"):
        loyal_customers(SUBS, top_share=0)
    with pytest.raises(churnlens.InputError, match="lacks churn_probability"):
        loyal_customers(SUBS, risk=pd.DataFrame({"customer_id": ["A"]}))


# -- against a naive reference ---------------------------------------------------------


def _reference(subs: pd.DataFrame, as_of: dt.datetime, min_tenure: float) -> dict:
    """Plain loops: merge each customer's intervals, find the one holding as_of."""
    out = {}
    for customer, rows in subs.groupby("customer_id"):
        spans = sorted(
            (r.started_at, r.ended_at if pd.notna(r.ended_at) else None)
            for r in rows.itertuples()
        )
        merged: list[list] = []
        for start, end in spans:
            if start == end:
                continue
            if merged and (merged[-1][1] is None or start <= merged[-1][1]):
                last = merged[-1]
                last[1] = None if last[1] is None or end is None else max(last[1], end)
            else:
                merged.append([start, end])
        current = [
            s for s in merged if s[0] < as_of and (s[1] is None or s[1] >= as_of)
        ]
        if not current:
            continue
        tenure = (as_of - current[0][0]).total_seconds() / 86400 / MONTH_DAYS
        if tenure < min_tenure:
            continue
        revenue = 0.0
        for r in rows.itertuples():
            stop = as_of if pd.isna(r.ended_at) else min(r.ended_at, as_of)
            seconds = max(0.0, (stop - r.started_at).total_seconds())
            revenue += r.mrr * seconds / 86400 / MONTH_DAYS
        out[customer] = (tenure, revenue)
    return out


_day = st.integers(min_value=0, max_value=2000)


@st.composite
def _subscriptions(draw):
    rows = []
    for k in range(draw(st.integers(1, 12))):
        start = draw(_day)
        length = draw(st.one_of(st.none(), st.integers(0, 900)))
        rows.append(
            (
                f"c{draw(st.integers(0, 5))}",
                dt.datetime(2019, 1, 1) + dt.timedelta(days=start, hours=k),
                None
                if length is None
                else dt.datetime(2019, 1, 1)
                + dt.timedelta(days=start + length, hours=k),
                float(draw(st.integers(0, 500))),
                None,
            )
        )
    return _subs(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subs=_subscriptions(), as_of_day=_day, min_tenure=st.sampled_from([0, 6, 24]))
def test_matches_the_naive_reference(subs, as_of_day, min_tenure) -> None:
    as_of = dt.datetime(2019, 1, 1) + dt.timedelta(days=as_of_day, hours=5)
    got = loyal_customers(subs, as_of=as_of, min_tenure_months=min_tenure)
    want = _reference(subs, as_of, min_tenure)
    assert set(got["customer_id"]) == set(want)
    for row in got.itertuples():
        tenure, revenue = want[row.customer_id]
        assert row.tenure_months == pytest.approx(tenure, rel=1e-9, abs=1e-9)
        assert row.lifetime_revenue == pytest.approx(revenue, rel=1e-9, abs=1e-6)


def test_demo_store(demo_dir) -> None:
    table = loyal_customers(
        demo_dir / "demo.duckdb", fx=demo_dir / "fx_rates.csv", currency="EUR"
    )
    assert len(table) > 20
    assert (table["tenure_months"] >= 24).all()
    assert table["lifetime_revenue"].is_monotonic_decreasing
    assert set(table["reward_tier"]) == {"gold", "silver", "bronze"}
    assert table["owner"].notna().all()
    assert (table["lifetime_revenue"] > 0).all() and (table["mrr"] > 0).all()


def test_same_on_every_engine(engine) -> None:
    risk = pd.DataFrame({"customer_id": ["A", "B", "F"], "churn_probability": 0.1})
    options = {"as_of": AS_OF, "min_tenure_months": 12, "risk": risk}
    got = loyal_customers(SUBS, customers=CUSTOMERS, engine=engine, **options)
    want = loyal_customers(SUBS, customers=CUSTOMERS, **options)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9)
