"""The demo company's story: what a churn analyst should find in it.

Structure (plan changes, returns, languages, consistent timestamps) is checked on
the small data set; rates and planted effects on the default one, where they are
estimated precisely enough to compare with the ground truth.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from churnlens.demo import DemoFiles
from churnlens.demo._feedback_texts import FEEDBACK
from demo._helpers import instants, monthly_churn, read, request_within

LANGUAGES = ("en", "pl", "lt", "da", "vi", "sl")


def _subscriptions(files: DemoFiles) -> pd.DataFrame:
    subs = read(files.subscriptions)
    for column in ("started_at", "ended_at", "canceled_at"):
        subs[column] = instants(subs[column])
    subs["mrr"] = subs["mrr"].astype(float)
    return subs.sort_values(["customer_id", "started_at", "subscription_id"])


def _tickets(files: DemoFiles) -> pd.DataFrame:
    tickets = read(files.tickets)
    for column in ("created_at", "first_response_at", "resolved_at"):
        tickets[column] = instants(tickets[column])
    tickets["satisfaction"] = pd.to_numeric(tickets["satisfaction"].replace("", None))
    return tickets


def _truth(files: DemoFiles) -> dict:
    return json.loads(files.ground_truth.read_text(encoding="utf-8"))


def _successions(subs: pd.DataFrame) -> pd.DataFrame:
    """Each subscription next to the same customer's previous one."""
    previous = subs.groupby("customer_id").shift(1)
    both = subs.assign(
        prev_ended_at=previous["ended_at"],
        prev_plan=previous["plan"],
        prev_mrr=previous["mrr"],
        prev_billing=previous["billing_period"],
    )
    return both[previous["started_at"].notna()]


# -- structure (small data set) -------------------------------------------------


def test_subscription_intervals_are_consistent(small_demo: DemoFiles) -> None:
    subs = _subscriptions(small_demo)
    ended = subs.dropna(subset=["ended_at"])
    assert (ended["ended_at"] >= ended["started_at"]).all()
    asked = subs.dropna(subset=["canceled_at"])
    assert (asked["canceled_at"] >= asked["started_at"]).all()
    asked_and_ended = asked.dropna(subset=["ended_at"])
    assert (asked_and_ended["canceled_at"] <= asked_and_ended["ended_at"]).all()
    # End-of-term cancellations: asked first, service stops at the renewal.
    assert (asked_and_ended["canceled_at"] < asked_and_ended["ended_at"]).mean() > 0.5
    # A customer's subscriptions never overlap.
    chain = _successions(subs)
    assert (chain["started_at"] >= chain["prev_ended_at"]).all()
    assert (subs["mrr"] > 0).all()


def test_plan_changes_start_the_next_subscription_at_the_same_instant(
    small_demo: DemoFiles,
) -> None:
    chain = _successions(_subscriptions(small_demo))
    seamless = chain[chain["started_at"] == chain["prev_ended_at"]]
    plan_changes = seamless[seamless["plan"] != seamless["prev_plan"]]
    repricings = seamless[seamless["plan"] == seamless["prev_plan"]]
    assert len(plan_changes) >= 50
    assert len(repricings) >= 50
    # A repricing is a list-price increase reaching the customer at renewal.
    assert (repricings["mrr"] > repricings["prev_mrr"]).all()
    assert (seamless["billing_period"] == seamless["prev_billing"]).all()


def test_customers_come_back_after_a_gap(small_demo: DemoFiles) -> None:
    chain = _successions(_subscriptions(small_demo))
    returns = chain[chain["started_at"] > chain["prev_ended_at"]]
    assert returns["customer_id"].nunique() >= 20
    gap = returns["started_at"] - returns["prev_ended_at"]
    assert gap.min() >= pd.Timedelta(days=14)


def test_billing_periods_plans_and_currencies(small_demo: DemoFiles) -> None:
    subs = _subscriptions(small_demo)
    assert set(subs["billing_period"]) == {"monthly", "annual"}
    assert set(subs["plan"]) == {"starter", "team", "business", "enterprise"}
    assert 0.15 < (subs["billing_period"] == "annual").mean() < 0.5
    customers = read(small_demo.customers)
    currency = subs.merge(customers, on="customer_id")
    assert set(currency.loc[currency["country"] == "PL", "currency"]) == {"PLN"}
    assert set(currency.loc[currency["country"] == "DK", "currency"]) == {"DKK"}


def test_customers_have_owners_countries_segments_languages(
    small_demo: DemoFiles,
) -> None:
    customers = read(small_demo.customers)
    assert customers["customer_id"].is_unique
    assert set(customers["language"]) == set(LANGUAGES)
    assert set(customers["segment"]) == {"smb", "mid_market", "enterprise"}
    assert customers["country"].nunique() >= 8
    assert (customers["owner"] != "").all() and (customers["name"] != "").all()


def test_feedback_is_written_in_all_six_languages(small_demo: DemoFiles) -> None:
    subs = read(small_demo.subscriptions)
    written = subs[subs["cancel_feedback"] != ""]
    assert (written["cancel_reason"] != "").all()
    for language in LANGUAGES:
        texts = {t for by_language in FEEDBACK.values() for t in by_language[language]}
        assert written["cancel_feedback"].isin(texts).any(), language
    # Feedback matches the reason given.
    for _, row in written.iterrows():
        options = {
            t for texts in FEEDBACK[row["cancel_reason"]].values() for t in texts
        }
        assert row["cancel_feedback"] in options


def test_reasons_are_given_only_with_a_cancellation(small_demo: DemoFiles) -> None:
    subs = read(small_demo.subscriptions)
    with_reason = subs[subs["cancel_reason"] != ""]
    assert (with_reason["canceled_at"] != "").all()
    assert with_reason["cancel_reason"].nunique() >= 7


def test_ticket_timestamps_and_status_agree(small_demo: DemoFiles) -> None:
    tickets = _tickets(small_demo)
    answered = tickets.dropna(subset=["first_response_at"])
    assert (answered["first_response_at"] >= answered["created_at"]).all()
    resolved = tickets.dropna(subset=["resolved_at"])
    assert (resolved["resolved_at"] >= resolved["first_response_at"]).all()
    assert (tickets["status"] == "open").eq(tickets["resolved_at"].isna()).all()
    assert set(tickets["status"]) == {"open", "resolved"}
    rated = tickets.dropna(subset=["satisfaction"])
    assert rated["satisfaction"].between(1, 5).all()
    assert rated["resolved_at"].notna().all()
    assert set(tickets["channel"]) == {"email", "chat", "phone", "web"}
    assert (tickets["subject"] != "").all() and (tickets["text"] != "").all()


def test_tickets_and_activity_happen_while_subscribed(small_demo: DemoFiles) -> None:
    subs = _subscriptions(small_demo)
    first_start = subs.groupby("customer_id")["started_at"].min()
    for path, column in (
        (small_demo.tickets, "created_at"),
        (small_demo.activity, "occurred_at"),
    ):
        frame = read(path)
        at = instants(frame[column])
        assert (at >= frame["customer_id"].map(first_start)).all(), column


def test_usage_fades_before_a_cancellation_request(small_demo: DemoFiles) -> None:
    subs = _subscriptions(small_demo)
    requests = subs.dropna(subset=["canceled_at"]).drop_duplicates("customer_id")
    activity = read(small_demo.activity)
    logins = activity[activity["event"] == "login"].assign(
        at=lambda f: instants(f["occurred_at"]),
        quantity=lambda f: f["quantity"].astype(int),
    )
    joined = logins.merge(requests[["customer_id", "canceled_at"]], on="customer_id")
    weeks_before = (joined["canceled_at"] - joined["at"]).dt.days // 7
    recent = joined[weeks_before.between(0, 1)]
    earlier = joined[weeks_before.between(12, 15)]
    both = set(recent["customer_id"]) & set(earlier["customer_id"])
    recent_mean = recent[recent["customer_id"].isin(both)]["quantity"].mean()
    earlier_mean = earlier[earlier["customer_id"].isin(both)]["quantity"].mean()
    assert recent_mean < 0.6 * earlier_mean


# -- size, rates and planted effects (default data set) ---------------------------


def test_default_is_20000_customers_over_three_years(default_demo: DemoFiles) -> None:
    customers = read(default_demo.customers)
    subs = _subscriptions(default_demo)
    truth = _truth(default_demo)
    assert len(customers) >= 20_000
    assert truth["settings"]["years"] == 3
    start, end = (pd.Timestamp(truth["settings"][k]) for k in ("start", "end"))
    assert end - start >= pd.Timedelta(days=3 * 365)
    assert subs["started_at"].min() < start + pd.Timedelta(days=31)
    assert subs["started_at"].max() > end - pd.Timedelta(days=31)
    assert subs["customer_id"].nunique() == len(customers)


def test_monthly_churn_is_realistic(default_demo: DemoFiles) -> None:
    truth = _truth(default_demo)
    table = monthly_churn(
        _subscriptions(default_demo),
        truth["settings"]["start"],
        truth["settings"]["end"],
    )
    settled = table.iloc[6:]  # after the first half year, the base is sizeable
    pooled = settled["churned"].sum() / settled["customers_start"].sum()
    assert 0.02 <= pooled <= 0.04
    assert settled["churn_rate"].between(0.01, 0.05).all()


@pytest.mark.parametrize(
    ("covariate", "exposed", "landmark"),
    [
        ("slow_first_response", "slow_first_response", "first_response_at"),
        ("low_satisfaction", "low_satisfaction", "resolved_at"),
    ],
)
def test_planted_support_effect_is_recoverable(
    default_demo: DemoFiles, covariate: str, exposed: str, landmark: str
) -> None:
    """Customers churn more in the 60 days after a bad support experience.

    A plain comparison of proportions, not a model: the ratio of the share who ask
    to cancel within 60 days after a slow (> 24 h) first response, or a rating of
    1-2, to the share after a fast answer or a rating of 3-5. It mixes in some
    confounding (small customers wait longer and churn more) and some dilution (the
    planted covariate is a 90-day window), so it must only land near the truth.
    """
    truth = _truth(default_demo)
    hazard_ratio = {c["name"]: c for c in truth["churn_hazard"]["covariates"]}[
        covariate
    ]["hazard_ratio"]
    tickets = _tickets(default_demo)
    wait_hours = (
        tickets["first_response_at"] - tickets["created_at"]
    ).dt.total_seconds() / 3600
    flags = {
        "slow_first_response": wait_hours > 24,
        "low_satisfaction": tickets["satisfaction"] <= 2,
    }
    events = tickets.assign(at=tickets[landmark], exposed=flags[exposed])
    if covariate == "low_satisfaction":
        events = events[tickets["satisfaction"].notna()]
    end = pd.Timestamp(truth["settings"]["end"])
    events = events[
        events["at"].notna() & (events["at"] <= end - pd.Timedelta(days=60))
    ]
    subs = _subscriptions(default_demo)
    requests = subs.dropna(subset=["canceled_at"])[["customer_id", "canceled_at"]]
    events = events.assign(churned=request_within(events, requests, days=60)).dropna(
        subset=["churned"]
    )
    share = events.groupby("exposed")["churned"].mean()
    ratio = share[True] / share[False]
    assert events["exposed"].sum() > 1_000
    assert ratio > 1.2
    assert abs(math.log(ratio / hazard_ratio)) < math.log(1.5)
