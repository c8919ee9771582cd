"""Point-in-time churn-risk features: what was known about each customer at ``as_of``.

Every measure reads only rows and events dated before ``as_of``: subscriptions that
started before it (their end only as "not ended by then"), tickets created before
it (a response, resolution or rating only if it happened before it) and activity
before it. The engine aggregates each table to a row per customer (four grouped
queries); pandas joins them and derives ratios. docs/risk.md defines each column.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from churnlens.errors import ConfigError
from churnlens.models.risk._tables import RiskTables, risk_tables

__all__ = [
    "CATEGORICAL_FEATURES",
    "FEATURES",
    "NUMERIC_FEATURES",
    "as_instant",
    "risk_features",
    "risk_target",
]

_DAY = 86_400
PAYMENT_FAILURE_EVENTS = ("payment_failed", "payment_failure", "failed_payment")
LOW_RATING_MAX = 2
OVERDUE_DAYS = 7

# The activity trend, one topic when reasons are told.
USAGE_FEATURES = (
    "usage_7d",
    "usage_30d",
    "usage_90d",
    "usage_change_7d",
    "usage_change_30d",
    "days_since_activity",
)
NUMERIC_FEATURES = (
    "tenure_days",
    "customer_age_days",
    "previous_spells",
    "mrr",
    "mrr_change_30d_pct",
    "mrr_change_90d_pct",
    "price_increase_90d",
    "upgrade_90d",
    "downgrade_90d",
    "days_to_renewal",
    "cancel_requested",
    "tickets_30d",
    "tickets_90d",
    "open_tickets",
    "open_over_7d",
    "oldest_open_days",
    "unanswered_tickets",
    "first_response_hours_90d",
    "bad_ratings_90d",
    "satisfaction_mean",
    *USAGE_FEATURES,
    "payment_failures_90d",
)
CATEGORICAL_FEATURES = ("plan", "billing_period", "segment", "country")
FEATURES = (*NUMERIC_FEATURES, *CATEGORICAL_FEATURES)
# Carried beside the features for the contact list; never fed to a model.
CONTEXT_COLUMNS = ("customer_id", "as_of", "currency", "owner", "canceled_at")


def as_instant(value: dt.date | dt.datetime | str) -> dt.datetime:
    """A naive UTC instant; a bare date means its midnight (the start of the day)."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as e:
        raise ConfigError(
            f"as_of {value!r} is not a date", hint="write it as YYYY-MM-DD"
        ) from e
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.to_pydatetime()


def risk_features(data: Any, *, as_of: dt.date | dt.datetime | str) -> pd.DataFrame:
    """One row per customer in the base at ``as_of``, with ``FEATURES``.

    ``data`` is a store, its path, or a mapping of table name to DataFrame
    (``subscriptions`` required; ``customers``, ``tickets``, ``activity`` used when
    present). Also returns ``customer_id``, ``as_of``, ``currency``, ``owner`` and
    ``canceled_at`` (of a pending cancellation).

    >>> risk_features("churnlens.duckdb", as_of="2026-06-01")  # doctest: +SKIP
    """
    tables = risk_tables(data)
    t = as_instant(as_of)
    base = _base(tables, t)
    parts = [_subscription_measures(tables.subscriptions, t), _repricings(tables, t)]
    if tables.tickets is not None:
        parts.append(_ticket_measures(tables.tickets, t))
    if tables.activity is not None:
        parts.append(_activity_measures(tables.activity, t))
    if tables.customers is not None:
        c = tables.customers
        parts.append(c.select("customer_id", "segment", "country", "owner").to_pandas())
    frame = base.reset_index(drop=True)
    for part in parts:
        _look_up(frame, part)
    return _finish(frame, t)


def risk_target(
    data: Any, *, as_of: dt.date | dt.datetime | str, horizon_days: float = 90
) -> pd.DataFrame:
    """``customer_id``, ``churned``: in the base at ``as_of`` and out of it within
    ``horizon_days`` (the spell containing ``as_of`` ends by ``as_of + H``).

    Raises ``ConfigError`` when ``as_of + H`` is after the data's end: the label
    would be censored.
    """
    tables = risk_tables(data)
    t = as_instant(as_of)
    stop = t + dt.timedelta(days=horizon_days)
    end = tables.data_end()
    if stop > end:
        raise ConfigError(
            f"as_of + {horizon_days:g} days ({stop:%Y-%m-%d}) is after the data's "
            f"end ({end:%Y-%m-%d}): who churns by then is not known yet",
            hint="pick an earlier --as-of or a shorter --horizon",
        )
    sp = _active_spells(tables, t)
    churned = sp.spell_end.notnull() & (sp.spell_end <= ibis.literal(stop))
    out = sp.select("customer_id", churned=churned.cast("int8")).to_pandas()
    return out.sort_values("customer_id", ignore_index=True)


def _look_up(frame: pd.DataFrame, part: pd.DataFrame) -> None:
    """Add ``part``'s columns to ``frame`` by customer_id (a left join, in place).

    A hash lookup per table is cheaper than a pandas merge at a million rows.
    """
    part = part.drop_duplicates("customer_id").set_index("customer_id")
    where = part.index.get_indexer(frame["customer_id"])
    found = where >= 0
    for column in part.columns:
        values = part[column].to_numpy()
        if values.dtype.kind in "biuf":
            out = np.full(len(frame), np.nan)
        elif values.dtype.kind == "M":
            out = np.full(len(frame), np.datetime64("NaT"), dtype=values.dtype)
        else:
            out = np.full(len(frame), None, dtype=object)
        out[found] = values[where[found]]
        frame[column] = out


def _active_spells(tables: RiskTables, t: dt.datetime) -> ir.Table:
    sp = tables.spells
    lit = ibis.literal(t)
    return sp.filter(
        (sp.spell_start < lit) & (sp.spell_end.isnull() | (sp.spell_end > lit))
    )


def _base(tables: RiskTables, t: dt.datetime) -> pd.DataFrame:
    sp = _active_spells(tables, t)
    te = _epoch(t)
    frame = sp.select(
        "customer_id",
        tenure_days=(te - sp.spell_start.epoch_seconds()) / _DAY,
        customer_age_days=(te - sp.first_started_at.epoch_seconds()) / _DAY,
        previous_spells=sp.spell_no - 1,
        spell_start=sp.spell_start,
    ).to_pandas()
    # A customer with overlapping stored spells cannot exist, but keep one row.
    return frame.drop_duplicates("customer_id")


def _in_effect(s: ir.Table, at: dt.datetime) -> ir.BooleanValue:
    lit = ibis.literal(at)
    return (s.started_at < lit) & (s.ended_at.isnull() | (s.ended_at > lit))


def _subscription_measures(s: ir.Table, t: dt.datetime) -> pd.DataFrame:
    s = s.filter(s.started_at < ibis.literal(t))
    now = _in_effect(s, t)
    mrr = s.mrr.fill_null(0)

    def mrr_at(at: dt.datetime) -> ir.NumericValue:
        return ibis.ifelse(_in_effect(s, at), mrr, 0).sum()

    requested = now & s.canceled_at.notnull() & (s.canceled_at <= ibis.literal(t))
    weight = ibis.ifelse(now, mrr + 1, 0)
    out = s.group_by("customer_id").aggregate(
        mrr=mrr_at(t),
        mrr_30d_ago=mrr_at(t - dt.timedelta(days=30)),
        mrr_90d_ago=mrr_at(t - dt.timedelta(days=90)),
        cancel_requested=requested.cast("int8").max(),
        canceled_at=ibis.ifelse(requested, s.canceled_at, None).max(),
        plan=s.plan.argmax(weight),
        billing_period=s.billing_period.argmax(weight),
        currency=s.currency.argmax(weight),
    )
    return out.to_pandas()


def _repricings(tables: RiskTables, t: dt.datetime) -> pd.DataFrame:
    """Price increases, upgrades and downgrades: a row ending as the next starts."""
    s = tables.subscriptions
    lo, hi = ibis.literal(t - dt.timedelta(days=90)), ibis.literal(t)
    cur = s.filter((s.started_at >= lo) & (s.started_at < hi))
    prev = s.filter((s.ended_at >= lo) & (s.ended_at < hi))
    pairs = cur.join(
        prev,
        [cur.customer_id == prev.customer_id, cur.started_at == prev.ended_at],
        rname="{name}_prev",
    )
    same = (pairs.plan == pairs.plan_prev) & (
        pairs.billing_period == pairs.billing_period_prev
    )
    up = pairs.mrr > pairs.mrr_prev
    out = pairs.group_by("customer_id").aggregate(
        price_increase_90d=(same & up).cast("int8").max(),
        upgrade_90d=(~same & up).cast("int8").max(),
        downgrade_90d=(pairs.mrr < pairs.mrr_prev).cast("int8").max(),
    )
    return out.to_pandas()


def _ticket_measures(k: ir.Table, t: dt.datetime) -> pd.DataFrame:
    te = _epoch(t)
    created = k.created_at.epoch_seconds()
    k = k.filter(created < te)
    created = k.created_at.epoch_seconds()
    resolved = k.resolved_at.epoch_seconds()
    responded = k.first_response_at.epoch_seconds()
    is_open = resolved.isnull() | (resolved >= te)
    answered_90 = (created >= te - 90 * _DAY) & responded.notnull() & (responded < te)
    resolved_before = resolved.notnull() & (resolved < te)
    low = resolved_before & (resolved >= te - 90 * _DAY)
    low = low & (k.satisfaction <= LOW_RATING_MAX)

    def count(condition: ir.BooleanValue) -> ir.IntegerValue:
        return condition.cast("int64").sum()

    out = k.group_by("customer_id").aggregate(
        tickets_30d=count(created >= te - 30 * _DAY),
        tickets_90d=count(created >= te - 90 * _DAY),
        open_tickets=count(is_open),
        open_over_7d=count(is_open & (created <= te - OVERDUE_DAYS * _DAY)),
        oldest_open_days=ibis.ifelse(is_open, (te - created) / _DAY, None).max(),
        unanswered_tickets=count(responded.isnull() | (responded >= te)),
        first_response_hours_90d=ibis.ifelse(
            answered_90, (responded - created) / 3600, None
        ).mean(),
        bad_ratings_90d=count(low),
        satisfaction_mean=ibis.ifelse(resolved_before, k.satisfaction, None).mean(),
    )
    return out.to_pandas()


def _activity_measures(a: ir.Table, t: dt.datetime) -> pd.DataFrame:
    te = _epoch(t)
    at = a.occurred_at.epoch_seconds()
    # A year is enough history for the usage baseline and keeps the scan short.
    a = a.filter((at < te) & (at >= te - 365 * _DAY))
    at = a.occurred_at.epoch_seconds()
    q = a.quantity.fill_null(1)
    failed = a.event.isin(PAYMENT_FAILURE_EVENTS)

    def usage(days_from: int, days_to: int = 0) -> ir.NumericValue:
        window = (at >= te - days_from * _DAY) & (at < te - days_to * _DAY)
        return ibis.ifelse(window & ~failed, q, 0).sum()

    out = a.group_by("customer_id").aggregate(
        usage_7d=usage(7),
        usage_30d=usage(30),
        usage_90d=usage(90),
        usage_history=usage(210, 30),
        last_active_s=ibis.ifelse(failed, None, at).max(),
        payment_failures_90d=(failed & (at >= te - 90 * _DAY)).cast("int64").sum(),
    )
    return out.to_pandas()


def _finish(frame: pd.DataFrame, t: dt.datetime) -> pd.DataFrame:
    for column in (*NUMERIC_FEATURES, "usage_history", "last_active_s"):
        if column not in frame:
            frame[column] = np.nan
    for column in ("segment", "country", "owner", "currency", "canceled_at"):
        if column not in frame:
            frame[column] = None
    zero_if_missing = [
        "price_increase_90d",
        "upgrade_90d",
        "downgrade_90d",
        "cancel_requested",
        "tickets_30d",
        "tickets_90d",
        "open_tickets",
        "open_over_7d",
        "unanswered_tickets",
        "bad_ratings_90d",
        "usage_7d",
        "usage_30d",
        "usage_90d",
        "usage_history",
        "payment_failures_90d",
        "mrr",
        "mrr_30d_ago",
        "mrr_90d_ago",
    ]
    for column in zero_if_missing:
        # An empty engine result comes back as object columns: make them numbers.
        frame[column] = frame[column].astype("float64").fillna(0)
    frame["mrr_change_30d_pct"] = _pct_change(frame.mrr, frame.mrr_30d_ago)
    frame["mrr_change_90d_pct"] = _pct_change(frame.mrr, frame.mrr_90d_ago)
    frame["days_to_renewal"] = _days_to_renewal(
        frame.spell_start, frame.billing_period, t
    )
    # The usage baseline: the customer's own 30-day average over [t-210d, t-30d).
    history_days = np.clip(frame.tenure_days - 30, 0, 180)
    per_30 = frame.usage_history / history_days.where(history_days >= 14) * 30
    per_30 = per_30.where(per_30 > 0)
    frame["usage_change_30d"] = frame.usage_30d / per_30 - 1
    frame["usage_change_7d"] = frame.usage_7d * 30 / 7 / per_30 - 1
    frame["days_since_activity"] = (_epoch(t) - frame.last_active_s) / _DAY
    frame["as_of"] = pd.Timestamp(t)
    for column in CATEGORICAL_FEATURES:
        frame[column] = frame[column].astype("object")
    columns = [*CONTEXT_COLUMNS, *FEATURES]
    frame = frame[columns].sort_values("customer_id", ignore_index=True)
    for column in NUMERIC_FEATURES:
        frame[column] = frame[column].astype("float64")
    return frame


def _pct_change(now: pd.Series, before: pd.Series) -> pd.Series:
    change = (now - before) / before.where(before > 0) * 100
    return change.where(before > 0, 0.0)


def _days_to_renewal(start: pd.Series, billing: pd.Series, t: dt.datetime) -> pd.Series:
    """Days from ``t`` to the next monthly (or yearly) anniversary of the spell."""
    begin = pd.to_datetime(start).to_numpy("datetime64[s]")
    step = np.where(billing.to_numpy() == "annual", 12, 1)
    month0 = begin.astype("datetime64[M]")
    into = begin - month0.astype("datetime64[s]")
    cut = np.datetime64(t, "s")
    months = (cut.astype("datetime64[M]") - month0).astype(np.int64)
    months = np.maximum(-(-months // step) * step, step)
    due = (month0 + months).astype("datetime64[s]") + into
    due = np.where(
        due <= cut, (month0 + months + step).astype("datetime64[s]") + into, due
    )
    days = (due - cut).astype(np.int64) / _DAY
    return pd.Series(days, index=start.index, dtype="float64")


def _epoch(t: dt.datetime) -> int:
    return int(pd.Timestamp(t).value // 1_000_000_000)
