"""The contact list: who to call this week, why, and what to offer.

Every customer in the base at ``as_of`` is scored by the churn-risk model; the
list ranks them by the revenue a call could keep. Customers who already asked to
cancel come first (their churn is near certain and the call is urgent).

Value assumption (docs/risk.md): a contact keeps ``save_rate`` of the customers it
reaches (default 25%), and a kept customer pays ``months_retained`` more months
(default 12), so ``expected_value_saved = mrr_at_risk * months_retained *
save_rate`` with ``mrr_at_risk = churn_probability * mrr``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError
from churnlens.models.risk._tables import risk_tables
from churnlens.models.risk.explain import risk_reasons
from churnlens.models.risk.features import as_instant, risk_features
from churnlens.models.risk.model import RiskModel
from churnlens.models.risk.training import latest_labelled, train_risk_model

__all__ = ["CONTACT_COLUMNS", "contact_list", "suggested_action"]

CONTACT_COLUMNS = (
    "rank",
    "customer_id",
    "owner",
    "status",
    "churn_probability",
    "mrr",
    "currency",
    "mrr_at_risk",
    "expected_value_saved",
    "reasons",
    "suggested_action",
    "reason_codes",
    "as_of",
)
SAVE_RATE = 0.25
MONTHS_RETAINED = 12.0
RENEWAL_SOON_DAYS = 30

# The first matching reason code picks the action; order is priority.
_ACTIONS = (
    ("cancel_requested", "save call before the service ends: ask why, offer a fix"),
    ("open_over_7d", "escalate the open tickets to a senior agent"),
    ("oldest_open_days", "escalate the open tickets to a senior agent"),
    ("open_tickets", "escalate the open tickets to a senior agent"),
    ("unanswered_tickets", "answer the waiting tickets today"),
    ("bad_ratings_90d", "support recovery call about the bad experience"),
    ("satisfaction_mean", "support recovery call about the bad experience"),
    ("first_response_hours_90d", "support recovery call: apologise for slow replies"),
    ("price_increase_90d", "price/plan review: explain the increase or fit a plan"),
    ("mrr_change_30d_pct", "price/plan review"),
    ("mrr_change_90d_pct", "price/plan review"),
    ("downgrade_90d", "price/plan review"),
    ("payment_failures_90d", "billing follow-up on failed payments"),
    ("tenure_days", "onboarding call"),
    ("customer_age_days", "onboarding call"),
    ("usage_change_7d", "usage review: re-engage the team"),
    ("usage_change_30d", "usage review: re-engage the team"),
    ("days_since_activity", "usage review: re-engage the team"),
    ("usage_7d", "usage review: re-engage the team"),
    ("usage_30d", "usage review: re-engage the team"),
    ("usage_90d", "usage review: re-engage the team"),
    ("billing_period", "loyalty offer: discount for switching to annual billing"),
    ("days_to_renewal", "renewal check-in with a loyalty offer"),
)
DEFAULT_ACTION = "loyalty offer"
# Reasons come largest first, up to five; a minor fourth or fifth one (a
# new-ish customer whose usage collapsed) should not pick the call.
_ACTION_REASONS = 3


def contact_list(
    data: Any,
    *,
    as_of: dt.date | dt.datetime | str,
    horizon_days: float = 90,
    top: int | None = None,
    model: RiskModel | str | Path | None = None,
    save_rate: float = SAVE_RATE,
    months_retained: float = MONTHS_RETAINED,
) -> pd.DataFrame:
    """The ranked contact list at ``as_of`` (``CONTACT_COLUMNS``).

    ``model`` is a fitted ``RiskModel``, a saved one's path, or None to train one
    on as-of dates whose ``horizon_days`` of churn were known by ``as_of``.
    ``top`` keeps the first N rows.

    >>> contact_list("churnlens.duckdb", as_of="2026-09-01", top=50)  # doctest: +SKIP
    """
    if not 0 < save_rate <= 1 or months_retained <= 0:
        raise ConfigError(
            "save_rate must be in (0, 1] and months_retained above 0",
            hint="e.g. save_rate=0.25, months_retained=12",
        )
    tables = risk_tables(data)
    t = as_instant(as_of)
    model = _model(tables, model, t, horizon_days)
    features = risk_features(tables, as_of=t)
    p = model.predict_proba(features) if len(features) else np.zeros(0)
    out = features[["customer_id", "owner", "mrr", "currency", "as_of"]].copy()
    requested = features["cancel_requested"].to_numpy() > 0
    soon = features["days_to_renewal"].to_numpy() <= RENEWAL_SOON_DAYS
    out["status"] = np.where(
        requested, "cancel_requested", np.where(soon, "renewal_due", "active")
    )
    out["churn_probability"] = p
    out["mrr_at_risk"] = p * out["mrr"]
    out["expected_value_saved"] = out["mrr_at_risk"] * months_retained * save_rate
    out["_first"] = ~requested
    out = out.sort_values(
        ["_first", "expected_value_saved", "customer_id"],
        ascending=[True, False, True],
        kind="stable",
    )
    if top is not None:
        out = out.head(top)
    chosen = features.loc[out.index]
    reasons = risk_reasons(model, chosen)
    out["reasons"] = reasons["reasons"].to_numpy()
    out["reason_codes"] = reasons["reason_codes"].to_numpy()
    out["suggested_action"] = [
        suggested_action(codes, cancel_requested=status == "cancel_requested")
        for codes, status in zip(out["reason_codes"], out["status"], strict=True)
    ]
    out["rank"] = np.arange(1, len(out) + 1)
    return out[list(CONTACT_COLUMNS)].reset_index(drop=True)


def suggested_action(reason_codes: str, *, cancel_requested: bool = False) -> str:
    """The action for a customer's comma-separated reason codes (largest
    contribution first): the most pressing action among the first
    ``_ACTION_REASONS`` of them. A cancellation request comes first, whether
    among the codes or only in the customer's status (``cancel_requested``):
    its contribution may be too small to be listed."""
    listed = [c for c in reason_codes.split(",") if c]
    codes = set(listed[:_ACTION_REASONS])
    if cancel_requested or "cancel_requested" in listed:
        codes.add("cancel_requested")
    for code, action in _ACTIONS:
        if code in codes:
            return action
    return DEFAULT_ACTION


def _model(
    tables: Any, model: RiskModel | str | Path | None, t: dt.datetime, horizon: float
) -> RiskModel:
    if isinstance(model, RiskModel):
        return model
    if model is not None:
        return RiskModel.load(model)
    # Train only on dates whose churn was already known at t: no look-ahead.
    last = min(
        latest_labelled(tables, horizon),
        dt.datetime.combine((t - dt.timedelta(days=horizon)).date(), dt.time()),
    )
    return train_risk_model(tables, as_of=last, horizon_days=horizon)
