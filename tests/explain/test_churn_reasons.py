"""churn_reasons: which reason each churned customer gets, and the counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from churnlens.errors import ConfigError
from churnlens.explain.churn_reasons import (
    WHY_REASONS,
    churn_reason_customers,
    churn_reasons,
    reason_trends,
)

NOW = dt.datetime(2024, 7, 1)


@pytest.fixture(scope="module")
def demo_why_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import churnlens

    root = tmp_path_factory.mktemp("why-reasons")
    files = churnlens.generate_demo(root / "demo", n_customers=1500, seed=11)
    db = root / "demo.duckdb"
    churnlens.ingest([files.subscriptions, files.customers, files.tickets], db=db)
    return db


def _subs() -> pd.DataFrame:
    rows = [
        # id, customer, start, end, mrr, plan, canceled_at, code, feedback
        (
            "s1",
            "a",
            "2024-01-05",
            "2024-03-10",
            100.0,
            "team",
            "2024-03-01",
            "too_expensive",
            "the support was bad",
        ),
        (
            "s2",
            "b",
            "2024-01-05",
            "2024-03-20",
            50.0,
            "starter",
            None,
            None,
            "Way too expensive for us",
        ),
        (
            "s3",
            "c",
            "2024-01-05",
            "2024-04-15",
            30.0,
            "starter",
            "2024-04-10",
            None,
            None,
        ),
        ("s4", "d", "2024-01-05", "2024-04-20", 20.0, "starter", None, None, None),
        (
            "s5",
            "e",
            "2024-01-05",
            "2024-05-02",
            10.0,
            "team",
            None,
            "some_code_we_do_not_know",
            None,
        ),
        # f leaves in March and comes back in March: no churn in March; churns
        # in May from the second spell.
        ("s6", "f", "2024-01-05", "2024-03-05", 40.0, "team", None, "unused", None),
        (
            "s7",
            "f",
            "2024-03-25",
            "2024-05-25",
            45.0,
            "team",
            None,
            "switched_service",
            None,
        ),
        # g upgrades: two subscriptions, one spell; the last one's MRR is lost.
        ("s8", "g", "2024-01-05", "2024-02-01", 10.0, "starter", None, None, None),
        (
            "s9",
            "g",
            "2024-02-01",
            "2024-05-10",
            70.0,
            "team",
            None,
            "low_quality",
            None,
        ),
        # h is still a customer.
        ("s10", "h", "2024-01-05", None, 99.0, "team", None, None, None),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "subscription_id",
            "customer_id",
            "started_at",
            "ended_at",
            "mrr",
            "plan",
            "canceled_at",
            "cancel_reason",
            "cancel_feedback",
        ],
    )
    for column in ("started_at", "ended_at", "canceled_at"):
        frame[column] = pd.to_datetime(frame[column])
    frame["currency"] = "EUR"
    return frame


def _tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket_id": ["t1", "t2", "t3", "t4"],
            "customer_id": ["c", "c", "d", "d"],
            "created_at": pd.to_datetime(
                ["2024-04-01", "2024-01-20", "2024-04-18", "2024-04-19"]
            ),
            "subject": ["App keeps crashing", "Price question", "Hello", "Thanks"],
            "text": [
                "The app crashes every time we export, it is full of bugs",
                "Too expensive",
                "",
                "",
            ],
        }
    )


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return churn_reason_customers(
        _subs(), tickets=_tickets(), start="2024-01-01", end="2024-06-01", now=NOW
    )


def test_each_churned_customer_gets_one_reason_from_the_first_source_that_has_one(
    customers: pd.DataFrame,
) -> None:
    got = customers.set_index("customer_id")
    assert sorted(got.index) == ["a", "b", "c", "d", "e", "f", "g"]
    # A code wins over feedback.
    assert got.loc["a", ["reason", "source"]].tolist() == ["price", "code"]
    assert got.loc["b", ["reason", "source"]].tolist() == ["price", "feedback"]
    # c: no code or feedback; the ticket 5 days before the request, not the one
    # three months earlier.
    assert got.loc["c", ["reason", "source"]].tolist() == [
        "technical_problems",
        "tickets",
    ]
    # Tickets with nothing recognisable leave the reason unknown, not other.
    assert got.loc["d", ["reason", "source"]].tolist() == ["unknown", "none"]
    assert got.loc["e", ["reason", "source"]].tolist() == ["other", "code"]
    assert got.loc["f", "reason"] == "switched_to_competitor"
    assert got.loc["g", "reason"] == "technical_problems"


def test_churn_is_attributed_to_the_period_the_customer_left_the_base(
    customers: pd.DataFrame,
) -> None:
    got = customers.set_index("customer_id")["period_start"].astype(str).to_dict()
    assert got == {
        "a": "2024-03-01",
        "b": "2024-03-01",
        "c": "2024-04-01",
        "d": "2024-04-01",
        "e": "2024-05-01",
        "f": "2024-05-01",  # the March gap was filled within March
        "g": "2024-05-01",
    }


def test_lost_mrr_is_the_mrr_just_before_leaving(customers: pd.DataFrame) -> None:
    got = customers.set_index("customer_id")["lost_mrr"].to_dict()
    assert got == {"a": 100, "b": 50, "c": 30, "d": 20, "e": 10, "f": 45, "g": 70}


def test_table_counts_shares_and_intervals() -> None:
    table = churn_reasons(
        _subs(), tickets=_tickets(), start="2024-01-01", end="2024-06-01", now=NOW
    )
    assert list(table["period_start"].astype(str).unique()) == [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
        "2024-04-01",
        "2024-05-01",
        "2024-06-01",
    ]
    assert len(table) == 6 * len(WHY_REASONS)
    may = table[table["period_start"].astype(str) == "2024-05-01"].set_index("reason")
    assert may.loc["other", "churned"] == 1
    assert may.loc["switched_to_competitor", "churned"] == 1
    assert (may["churned_total"] == 3).all()
    assert may["churned"].sum() == 3
    assert may["share"].sum() == pytest.approx(1.0)
    assert may.loc["technical_problems", "lost_mrr"] == 70
    assert may["lost_mrr_share"].sum() == pytest.approx(1.0)
    assert may.loc["technical_problems", "lost_mrr_share"] == pytest.approx(70 / 125)
    assert (may["share_lower"] <= may["share"]).all()
    assert (may["share"] <= may["share_upper"]).all()
    assert may.loc["other", "from_code"] == 1
    march = table[table["period_start"].astype(str) == "2024-03-01"]
    march = march.set_index("reason")
    assert march.loc["price", ["churned", "from_code", "from_feedback"]].tolist() == [
        2,
        1,
        1,
    ]
    # An empty period has no share, not a share of 0.
    jan = table[table["period_start"].astype(str) == "2024-01-01"]
    assert jan["churned_total"].eq(0).all() and jan["share"].isna().all()


def test_by_segment_splits_the_counts() -> None:
    table = churn_reasons(
        _subs(), by="plan", start="2024-01-01", end="2024-06-01", now=NOW
    )
    sums = table.groupby("plan")["churned"].sum().to_dict()
    # by= takes the latest subscription's plan: a, e, f, g are team.
    assert sums == {"starter": 3, "team": 4}


def test_trends_compare_the_two_halves() -> None:
    table = churn_reasons(
        _subs(), tickets=_tickets(), start="2024-01-01", end="2024-06-01", now=NOW
    )
    trends = reason_trends(table).set_index("reason")
    price = trends.loc["price"]
    assert price["churned_first"] == 2 and price["total_first"] == 2
    assert price["churned_last"] == 0 and price["total_last"] == 5
    assert price["change"] == pytest.approx(-1.0)
    assert price["change_lower"] <= -0.5 <= price["change_upper"] <= 0
    assert trends["share_last"].sum() == pytest.approx(1.0)


def test_several_currencies_without_fx_leave_lost_mrr_empty() -> None:
    subs = _subs()
    subs.loc[subs["customer_id"] == "a", "currency"] = "USD"
    table = churn_reasons(subs, start="2024-01-01", end="2024-06-01", now=NOW)
    assert table["lost_mrr"].isna().all()
    assert table["churned"].sum() == 7
    with pytest.raises(ConfigError):
        churn_reasons(subs, now=NOW, currency="EUR")
    fx = pd.DataFrame(
        {"currency": ["USD", "EUR"], "date": ["2024-01-01"] * 2, "rate": [0.5, 1.0]}
    )
    table = churn_reasons(
        subs, start="2024-01-01", end="2024-06-01", now=NOW, fx=fx, currency="EUR"
    )
    march = table[table["period_start"].astype(str) == "2024-03-01"]
    assert march["lost_mrr"].sum() == pytest.approx(100 * 0.5 + 50)


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError):
        churn_reasons(_subs(), ticket_days=-1)


def _naive_churn(subscriptions: pd.DataFrame, end: dt.datetime) -> dict[tuple, float]:
    """Churned customers per month with their lost MRR, by plain loops: spells
    are merged touching intervals; a spell's end is churn in the month (of its
    last instant) unless a later spell starts before that month ends."""
    out: dict[tuple, float] = {}
    for customer, group in subscriptions.groupby("customer_id"):
        intervals = sorted(
            (r.started_at, r.ended_at if pd.notna(r.ended_at) else None, r.mrr)
            for r in group.itertuples()
            if pd.isna(r.ended_at) or r.ended_at > r.started_at
        )
        spells: list[list] = []
        for start, stop, _ in intervals:
            if spells and (spells[-1][1] is None or start <= spells[-1][1]):
                if spells[-1][1] is not None and (stop is None or stop > spells[-1][1]):
                    spells[-1][1] = stop
            else:
                spells.append([start, stop])
        for i, (_, stop) in enumerate(spells):
            if stop is None or stop > end:
                continue
            last = stop - pd.Timedelta(microseconds=1)
            month = dt.date(last.year, last.month, 1)
            boundary = pd.Timestamp(month) + pd.offsets.MonthBegin(1)
            if any(later[0] < boundary for later in spells[i + 1 :]):
                continue
            lost = sum(m for a, b, m in intervals if b == stop and a < stop)
            out[(customer, month)] = lost
    return out


def test_on_the_demo_customers_and_mrr_match_a_naive_count(
    demo_why_store: Path,
) -> None:
    csv = demo_why_store.parent / "demo" / "subscriptions.csv"
    subs = pd.read_csv(csv, parse_dates=["started_at", "ended_at"])
    for column in ("started_at", "ended_at"):
        subs[column] = subs[column].dt.tz_localize(None)
    got = churn_reason_customers(demo_why_store, start="2024-01-01", end="2026-06-30")
    end = pd.Timestamp("2026-07-01")
    naive = {
        k: v for k, v in _naive_churn(subs, end).items() if k[1] >= dt.date(2024, 1, 1)
    }
    ours = {(r.customer_id, r.period_start): r.lost_mrr for r in got.itertuples()}
    assert len(ours) > 300
    assert set(ours) == set(naive)
    # Several currencies and no FX table: lost MRR is left empty ...
    assert got["lost_mrr"].isna().all()
    # ... and with the demo's FX table it is converted.
    fx = demo_why_store.parent / "demo" / "fx_rates.csv"
    one = subs.assign(currency="EUR")
    priced = churn_reason_customers(
        one, start="2024-01-01", end="2026-06-30", fx=fx, currency="EUR"
    )
    mrr = {(r.customer_id, r.period_start): r.lost_mrr for r in priced.itertuples()}
    assert mrr == pytest.approx(naive)


def test_on_the_demo_store_unknown_and_codes(demo_why_store: Path) -> None:
    reasons = churn_reasons(demo_why_store, period="quarter")
    total = reasons["churned"].sum()
    # The demo reports a coded reason 75% of the time; tickets fill in some.
    unknown = reasons.loc[reasons["reason"] == "unknown", "churned"].sum()
    assert 0.1 < unknown / total < 0.3
    assert reasons["from_code"].sum() / total > 0.6
    assert reasons["from_tickets"].sum() > 0
