"""Loyal customers: long tenure, high value and low risk, for a loyalty programme.

``tenure_months`` is the length of the customer's current spell in the base at
the as-of date (a customer who left and came back counts from the return), in
average months of 30.436875 days. ``lifetime_revenue`` is the integral of the
customer's monthly MRR over the months each subscription was in the base up to
the as-of date: sum over subscriptions of ``mrr x months(started_at, min(ended_at,
as_of)]``, in the reporting currency (each currency at its latest FX rate). ``mrr``
is the sum over the subscriptions active at the as-of date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from churnlens.actions._stored import utc_instant
from churnlens.engines import EngineSpec
from churnlens.errors import ConfigError, InputError
from churnlens.metrics._mrr import to_constant_currency
from churnlens.sources import resolve_source

__all__ = ["DEFAULT_TIERS", "LOYAL_COLUMNS", "loyal_customers"]

LOYAL_COLUMNS = (
    "customer_id",
    "name",
    "owner",
    "tenure_months",
    "lifetime_revenue",
    "mrr",
    "churn_probability",
    "reward_tier",
)
_MONTH_SECONDS = 30.436875 * 86400
# Without thresholds, tiers by rank in lifetime revenue among the loyal: the top
# 10% gold, the next 30% silver, the rest bronze (cumulative top shares).
DEFAULT_TIERS = {"gold": 0.10, "silver": 0.40, "bronze": 1.0}


def loyal_customers(
    data: Any = None,
    *,
    as_of: Any = None,
    min_tenure_months: float = 24,
    min_mrr: float | None = None,
    top_share: float | None = None,
    max_risk: float | None = None,
    risk: pd.DataFrame | None = None,
    tiers: Mapping[str, float] | None = None,
    fx: Any = None,
    currency: str | None = None,
    customers: Any = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
) -> pd.DataFrame:
    """Customers in the base at ``as_of`` with long tenure, high value, low risk.

    Kept: tenure >= ``min_tenure_months``; MRR >= ``min_mrr`` and/or within the
    ``top_share`` by MRR of those long-tenured customers; churn probability <=
    ``max_risk`` (needs ``risk``: customer_id, churn_probability; customers
    without a score are then left out). Customers who asked to cancel
    (``canceled_at`` on an active subscription) are never loyal. ``tiers`` maps
    a tier name to the minimum lifetime revenue (in the reporting currency); by
    default the top 10% by lifetime revenue are gold, the next 30% silver and the
    rest bronze (``DEFAULT_TIERS``). Sorted by
    lifetime revenue, highest first; ``LOYAL_COLUMNS`` (``churn_probability``
    only with ``risk``).
    """
    _check_options(min_tenure_months, min_mrr, top_share, max_risk, risk)
    source = resolve_source(data, customers=customers, engine=engine, tz=tz)
    if as_of is None:
        span = source.span()
        if span is None:
            return _empty(risk is not None)
        at = span[1]
    else:
        at = utc_instant(as_of, "as_of")
    table = _candidates(source, at, min_tenure_months, fx=fx, currency=currency)
    table = _by_value(table, min_mrr=min_mrr, top_share=top_share)
    if risk is not None:
        table = _with_risk(table, risk, max_risk)
    table = _with_names(table, source.customers)
    table["reward_tier"] = _tiers(table["lifetime_revenue"].to_numpy(), tiers)
    table = table.sort_values(
        ["lifetime_revenue", "customer_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    columns = [c for c in LOYAL_COLUMNS if c != "churn_probability" or risk is not None]
    table = table[columns]
    table.attrs["as_of"] = pd.Timestamp(at)
    return table


def _check_options(
    min_tenure: float,
    min_mrr: float | None,
    top_share: float | None,
    max_risk: float | None,
    risk: pd.DataFrame | None,
) -> None:
    if min_tenure < 0:
        raise ConfigError(
            f"min_tenure_months must be >= 0, got {min_tenure}", hint="e.g. 24"
        )
    if top_share is not None and not 0 < top_share <= 1:
        raise ConfigError(
            f"top_share must be in (0, 1], got {top_share}",
            hint="e.g. top_share=0.2 keeps the top 20% by MRR",
        )
    if max_risk is not None:
        if risk is None:
            raise ConfigError(
                "max_risk needs the risk scores",
                hint="pass risk= (a table with customer_id, churn_probability)",
            )
        if not 0 <= max_risk <= 1:
            raise ConfigError(
                f"max_risk is a probability, got {max_risk}", hint="e.g. 0.1"
            )
    if risk is not None:
        missing = {"customer_id", "churn_probability"} - set(risk.columns)
        if missing:
            raise InputError(
                f"the risk table lacks {', '.join(sorted(missing))}",
                column=sorted(missing)[0],
                hint="pass the customer_id and churn_probability columns",
            )
    if min_mrr is not None and min_mrr < 0:
        raise ConfigError(f"min_mrr must be >= 0, got {min_mrr}", hint="e.g. 100")


def _candidates(
    source: Any, at: Any, min_tenure: float, *, fx: Any, currency: str | None
) -> pd.DataFrame:
    """Per long-tenured customer in the base: tenure, lifetime revenue, MRR (one
    engine query, grouped by customer)."""
    t = ibis.literal(pd.Timestamp(at).to_pydatetime(), "timestamp")
    spells = source.spells()
    current = spells.filter(
        (spells.spell_start < t) & (spells.spell_end.isnull() | (spells.spell_end >= t))
    )
    tenure = (t.epoch_seconds() - current.spell_start.epoch_seconds()) / _MONTH_SECONDS
    current = current.select("customer_id", tenure_months=tenure.cast("float64"))
    current = current.filter(current.tenure_months >= float(min_tenure))
    subs = to_constant_currency(source.subscriptions, fx=fx, currency=currency)
    subs = subs.filter(subs.started_at < t)
    amounts = _amounts(subs, t)
    joined = current.join(amounts, "customer_id")
    grouped = joined.group_by(["customer_id", "tenure_months"]).aggregate(
        lifetime_revenue=joined.revenue.sum(),
        mrr=joined.active_mrr.sum(),
        cancel_requested=joined.cancel_requested.max(),
    )
    frame = grouped.to_pandas()
    frame = frame[~frame["cancel_requested"].fillna(False).astype(bool)]
    frame = frame.drop(columns="cancel_requested")
    frame["customer_id"] = frame["customer_id"].astype(str)
    for column in ("tenure_months", "lifetime_revenue", "mrr"):
        frame[column] = frame[column].astype("float64").fillna(0.0)
    return frame.reset_index(drop=True)


def _amounts(subs: ir.Table, t: ir.TimestampScalar) -> ir.Table:
    end = subs.ended_at.isnull().ifelse(t, ibis.least(subs.ended_at, t))
    months = (end.epoch_seconds() - subs.started_at.epoch_seconds()) / _MONTH_SECONDS
    months = ibis.greatest(months.cast("float64"), 0.0)
    monthly = subs.mrr_monthly.fill_null(0.0)
    active = subs.ended_at.isnull() | (subs.ended_at >= t)
    if "canceled_at" in subs.columns:
        asked = active & subs.canceled_at.notnull() & (subs.canceled_at <= t)
    else:
        asked = ibis.literal(False)
    return subs.select(
        "customer_id",
        revenue=monthly * months,
        active_mrr=active.ifelse(monthly, 0.0),
        cancel_requested=asked,
    )


def _by_value(
    table: pd.DataFrame, *, min_mrr: float | None, top_share: float | None
) -> pd.DataFrame:
    keep = np.ones(len(table), dtype=bool)
    if min_mrr is not None:
        keep &= table["mrr"].to_numpy() >= min_mrr
    if top_share is not None and len(table):
        # Ties at the cut stay in: equal MRR, equal treatment.
        n = max(1, int(np.ceil(top_share * len(table))))
        cut = np.sort(table["mrr"].to_numpy())[::-1][n - 1]
        keep &= table["mrr"].to_numpy() >= cut
    return table[keep].reset_index(drop=True)


def _with_risk(
    table: pd.DataFrame, risk: pd.DataFrame, max_risk: float | None
) -> pd.DataFrame:
    scores = risk[["customer_id", "churn_probability"]].astype(
        {"customer_id": str, "churn_probability": "float64"}
    )
    scores = scores.drop_duplicates("customer_id", keep="last")
    out = table.merge(scores, on="customer_id", how="left")
    if max_risk is not None:
        out = out[out["churn_probability"] <= max_risk]
    return out.reset_index(drop=True)


def _with_names(table: pd.DataFrame, customers: ir.Table | None) -> pd.DataFrame:
    wanted = [
        c for c in ("name", "owner") if customers is not None and c in customers.columns
    ]
    if wanted and len(table):
        ids = table["customer_id"].tolist()
        found = (
            customers.filter(customers.customer_id.isin(ids))
            .select("customer_id", *wanted)
            .to_pandas()
            .astype({"customer_id": str})
            .drop_duplicates("customer_id")
        )
        table = table.merge(found, on="customer_id", how="left")
    for column in ("name", "owner"):
        if column not in table.columns:
            table[column] = pd.Series([None] * len(table), dtype="object")
    return table


def _tiers(revenue: np.ndarray, tiers: Mapping[str, float] | None) -> list[str | None]:
    if len(revenue) == 0:
        return []
    if tiers is None:
        # Share of the loyal with a strictly higher lifetime revenue: ties share a tier.
        above = pd.Series(revenue).rank(method="min", ascending=False).to_numpy() - 1
        share = above / len(revenue)
        ranked = sorted(DEFAULT_TIERS.items(), key=lambda kv: kv[1])
        return [next(name for name, top in ranked if s < top) for s in share]
    if not tiers:
        raise ConfigError("no reward tiers given", hint="e.g. gold=5000 silver=0")
    thresholds = sorted(
        ((str(k), float(v)) for k, v in tiers.items()), key=lambda kv: -kv[1]
    )
    return [next((n for n, low in thresholds if v >= low), None) for v in revenue]


def _empty(with_risk: bool) -> pd.DataFrame:
    columns = [c for c in LOYAL_COLUMNS if c != "churn_probability" or with_risk]
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
