"""The demo generator's true churn risk at an as-of date, from ground_truth.json.

Written from the generator's documented hazard (ground_truth["churn_hazard"])
and usage (ground_truth["usage"]), with plain pandas over the raw CSV files; it
shares no code with the features. A request at r ends service at the next
renewal after r, so the customer leaves within H days when the request falls
before the last renewal in (t, t + H]; the hazard is held at its value at t
over that window. Usage fades before most requests: _true_fade weighs what the
weekly usage up to t says about a request to come. A customer who has already
asked leaves at the next renewal after t.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from risk._true_fade import Fade, leave_probability, weekly_usage

MONTH_DAYS = 30.4375


def _read(folder: Path, name: str, dates: list[str]) -> pd.DataFrame:
    frame = pd.read_csv(folder / f"{name}.csv")
    for column in dates:
        values = pd.to_datetime(frame[column], utc=True, format="ISO8601")
        frame[column] = values.dt.tz_convert(None)
    return frame


def true_risk(folder: Path, as_of: str, horizon_days: float = 90) -> pd.DataFrame:
    """customer_id, true_risk, hazard_risk (the hazard alone), fading (P(usage
    fading at t)), cancel_requested and tenure for customers in the base at t."""
    truth = json.loads((folder / "ground_truth.json").read_text())
    t = pd.Timestamp(as_of)
    frame = _hazard_at(folder, truth["churn_hazard"], t, horizon_days)
    waiting = frame[~frame.cancel_requested].set_index("customer_id")
    activity = _read(folder, "activity", ["occurred_at"])
    count, share, middle = weekly_usage(activity, waiting.spell_start, t)
    leave, fading = leave_probability(
        count,
        share,
        middle,
        rate=waiting.rate.to_numpy() * 7 / MONTH_DAYS,
        window=waiting.window.to_numpy() * MONTH_DAYS / 7,
        fade=Fade.from_truth(truth["usage"]),
    )
    frame["true_risk"] = frame.renews_in_window.astype(float)
    frame["fading"] = 0.0
    frame.loc[~frame.cancel_requested, "true_risk"] = leave
    frame.loc[~frame.cancel_requested, "fading"] = fading
    frame["hazard_risk"] = np.where(
        frame.cancel_requested, frame.true_risk, 1 - np.exp(-frame.rate * frame.window)
    )
    columns = ["true_risk", "hazard_risk", "fading", "cancel_requested", "tenure"]
    return frame[["customer_id", *columns]]


def _hazard_at(
    folder: Path, truth: dict, t: pd.Timestamp, horizon_days: float
) -> pd.DataFrame:
    """Per customer in the base at t: the hazard (per month) held at t and the
    months from t to the last renewal in (t, t + H]."""
    subs = _read(folder, "subscriptions", ["started_at", "ended_at", "canceled_at"])
    customers = pd.read_csv(folder / "customers.csv")
    tickets = _read(
        folder, "tickets", ["created_at", "first_response_at", "resolved_at"]
    )
    now = subs[(subs.started_at < t) & (subs.ended_at.isna() | (subs.ended_at > t))]
    asked = now.canceled_at.notna() & (now.canceled_at <= t)
    requested = asked.groupby(now.customer_id).any()
    # The largest row in effect sets the plan and billing period.
    rows = now.sort_values(["customer_id", "mrr"], kind="stable")
    frame = rows.groupby("customer_id").tail(1).set_index("customer_id")
    frame["spell_start"] = pd.Series(_spell_starts(subs, t))
    frame["segment"] = customers.set_index("customer_id").segment
    hr = truth["hazard_ratios"]
    beta = {c["name"]: c["log_hazard_ratio"] for c in truth["covariates"]}
    active = _covariates(subs, tickets, t)
    log_hr = [sum(beta[name] for name in active.get(c, ())) for c in frame.index]
    frame["rate"] = (
        truth["reference_rate_per_month"]
        * frame.plan.map(hr["plan"])
        * frame.segment.map(hr["segment"])
        * frame.billing_period.map(hr["billing_period"])
        * [_tenure_hr(hr["tenure"], start, t) for start in frame.spell_start]
        * np.exp(log_hr)
    )
    frame["window"] = [
        _window_months(start, billing, t, horizon_days)
        for start, billing in zip(frame.spell_start, frame.billing_period, strict=True)
    ]
    frame["cancel_requested"] = requested
    frame["tenure"] = (t - frame.spell_start).dt.days / MONTH_DAYS
    # Having asked, the customer leaves at the next renewal: within H if the
    # window holds one.
    frame["renews_in_window"] = frame.window > 0
    return frame.reset_index()


def _tenure_hr(bands: list[dict], start: pd.Timestamp, t: pd.Timestamp) -> float:
    for band in reversed(bands):
        if start + pd.DateOffset(months=band["from_months"]) <= t:
            return band["hazard_ratio"]
    return bands[0]["hazard_ratio"]


def _spell_starts(subs: pd.DataFrame, t: pd.Timestamp) -> dict[str, pd.Timestamp]:
    out = {}
    never = pd.Timestamp.max
    for cid, group in (
        subs[subs.started_at < t].sort_values("started_at").groupby("customer_id")
    ):
        start, end = None, None
        for s, e in zip(group.started_at, group.ended_at, strict=True):
            e = never if pd.isna(e) else e
            if start is None or s > end:
                start, end = s, e
            else:
                end = max(end, e)
        out[cid] = start
    return out


def _window_months(
    start: pd.Timestamp, billing: str, t: pd.Timestamp, horizon: float
) -> float:
    step = 12 if billing == "annual" else 1
    stop = t + pd.Timedelta(days=horizon)
    k, last = step, None
    while True:
        renewal = start + pd.DateOffset(months=k)
        if renewal > stop:
            break
        if renewal > t:
            last = renewal
        k += step
    if last is None:
        return 0.0
    return (last - t).total_seconds() / 86400 / MONTH_DAYS


def _covariates(subs: pd.DataFrame, tickets: pd.DataFrame, t: pd.Timestamp) -> dict:
    day = pd.Timedelta(days=1)
    out: dict[str, set] = {}
    recent = tickets[(tickets.created_at >= t - 90 * day) & (tickets.created_at < t)]
    answered = recent[recent.first_response_at <= t]
    waits = (answered.first_response_at - answered.created_at).dt.total_seconds()
    mean_wait = waits.groupby(answered.customer_id).mean() / 3600
    for cid in mean_wait[mean_wait > 24].index:
        out.setdefault(cid, set()).add("slow_first_response")
    low = tickets[
        (tickets.satisfaction <= 2)
        & (tickets.resolved_at >= t - 90 * day)
        & (tickets.resolved_at < t)
    ]
    for cid in low.customer_id.unique():
        out.setdefault(cid, set()).add("low_satisfaction")
    late = tickets[
        (tickets.created_at <= t - 7 * day)
        & (tickets.resolved_at.isna() | (tickets.resolved_at > t))
    ]
    for cid in late.customer_id.unique():
        out.setdefault(cid, set()).add("open_ticket_over_7d")
    cur = subs[(subs.started_at >= t - 90 * day) & (subs.started_at < t)]
    pairs = cur.merge(
        subs,
        left_on=["customer_id", "started_at"],
        right_on=["customer_id", "ended_at"],
        suffixes=("", "_prev"),
    )
    up = pairs[
        (pairs.plan == pairs.plan_prev)
        & (pairs.billing_period == pairs.billing_period_prev)
        & (pairs.mrr > pairs.mrr_prev)
    ]
    for cid in up.customer_id.unique():
        out.setdefault(cid, set()).add("price_increase")
    return out
