"""The demo generator's true churn risk at an as-of date, from ground_truth.json.

Written from the generator's documented hazard (ground_truth["churn_hazard"]),
with plain pandas over the raw CSV files; it shares no code with the features.
A request at r ends service at the next renewal after r, so the customer leaves
within H days when the request falls before the last renewal in (t, t + H]; the
hazard is held at its value at t over that window.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

MONTH_DAYS = 30.4375


def _read(folder: Path, name: str, dates: list[str]) -> pd.DataFrame:
    frame = pd.read_csv(folder / f"{name}.csv")
    for column in dates:
        values = pd.to_datetime(frame[column], utc=True, format="ISO8601")
        frame[column] = values.dt.tz_convert(None)
    return frame


def true_risk(folder: Path, as_of: str, horizon_days: float = 90) -> pd.DataFrame:
    """customer_id, true_risk, cancel_requested for customers in the base at t."""
    truth = json.loads((folder / "ground_truth.json").read_text())["churn_hazard"]
    t = pd.Timestamp(as_of)
    subs = _read(folder, "subscriptions", ["started_at", "ended_at", "canceled_at"])
    customers = pd.read_csv(folder / "customers.csv")
    tickets = _read(
        folder, "tickets", ["created_at", "first_response_at", "resolved_at"]
    )
    rows = []
    now = subs[(subs.started_at < t) & (subs.ended_at.isna() | (subs.ended_at > t))]
    spell_start = _spell_starts(subs, t)
    segment = customers.set_index("customer_id").segment
    hr = truth["hazard_ratios"]
    beta = {c["name"]: c["log_hazard_ratio"] for c in truth["covariates"]}
    active = _covariates(subs, tickets, t)
    for cid, group in now.groupby("customer_id"):
        row = group.sort_values("mrr").iloc[-1]
        start = spell_start[cid]
        tenure_months = (t - start).days / MONTH_DAYS
        tenure_hr = _tenure_hr(hr["tenure"], start, t)
        rate = (
            truth["reference_rate_per_month"]
            * hr["plan"][row.plan]
            * hr["segment"][segment[cid]]
            * hr["billing_period"][row.billing_period]
            * tenure_hr
        )
        rate *= np.exp(sum(beta[name] for name in active.get(cid, ())))
        window = _window_months(start, row.billing_period, t, horizon_days)
        requested = bool((group.canceled_at.notna() & (group.canceled_at <= t)).any())
        p = 1.0 if requested else 1 - np.exp(-rate * window)
        rows.append((cid, p, requested, tenure_months))
    return pd.DataFrame(
        rows, columns=["customer_id", "true_risk", "cancel_requested", "tenure"]
    )


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
