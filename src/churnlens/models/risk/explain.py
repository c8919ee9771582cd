"""Per-customer reasons: the features that push a customer's risk up the most.

Tree SHAP (LightGBM ``pred_contrib``) splits each customer's score into one
contribution per feature. The largest positive ones become plain-language
sentences built from the customer's own values ("3 tickets unresolved for over
7 days", "MRR down 30% in 90 days"); a feature whose value gives nothing to say
(usage up, say) is passed over for the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from churnlens.models.risk.model import RiskModel

__all__ = ["REASON_COLUMNS", "reason_text", "risk_reasons"]

REASON_COLUMNS = ("customer_id", "reasons", "reason_codes")
# Contributions below this (log-odds) are noise, not a reason.
MIN_CONTRIBUTION = 0.02


def _n(value: float, one: str, many: str) -> str:
    count = int(round(value))
    return f"{count} {one if count == 1 else many}"


def _pct(value: float, what: str, days: int) -> str | None:
    if value < -1:
        return f"{what} down {abs(value):.0f}% in {days} days"
    if value > 1:
        return f"{what} up {value:.0f}% in {days} days"
    return None


def _usage(value: float, span: str) -> str | None:
    if value < -0.1:
        return f"usage down {abs(value) * 100:.0f}% in the {span} vs its own history"
    return None


def _tenure(days: float) -> str | None:
    if days < 365:
        return f"new customer: {days:.0f} days since (re)joining"
    return None


Template = Callable[[Any, dict[str, Any]], str | None]

_TEMPLATES: dict[str, Template] = {
    "cancel_requested": lambda v, r: (
        (
            "cancellation requested"
            + (
                f" on {pd.Timestamp(r['canceled_at']):%Y-%m-%d}"
                if pd.notna(r.get("canceled_at"))
                else ""
            )
        )
        if v > 0
        else None
    ),
    "open_over_7d": lambda v, r: (
        _n(v, "ticket", "tickets") + " unresolved for over 7 days" if v > 0 else None
    ),
    "oldest_open_days": lambda v, r: (
        f"oldest open ticket waiting {v:.0f} days" if v >= 2 else None
    ),
    "open_tickets": lambda v, r: _n(v, "open ticket", "open tickets") if v else None,
    "unanswered_tickets": lambda v, r: (
        _n(v, "ticket", "tickets") + " still without a first response" if v else None
    ),
    "first_response_hours_90d": lambda v, r: (
        f"first responses took {v:.0f} h on average in the last 90 days"
        if v >= 12
        else None
    ),
    "bad_ratings_90d": lambda v, r: (
        _n(v, "bad support rating", "bad support ratings") + " (1-2 of 5) in 90 days"
        if v > 0
        else None
    ),
    "satisfaction_mean": lambda v, r: (
        f"average support rating {v:.1f} of 5" if v < 3.5 else None
    ),
    "tickets_30d": lambda v, r: (
        _n(v, "ticket", "tickets") + " in the last 30 days" if v > 0 else None
    ),
    "tickets_90d": lambda v, r: (
        _n(v, "ticket", "tickets") + " in the last 90 days" if v > 0 else None
    ),
    "price_increase_90d": lambda v, r: (
        "price went up at renewal in the last 90 days" if v > 0 else None
    ),
    "mrr_change_30d_pct": lambda v, r: _pct(v, "MRR", 30),
    "mrr_change_90d_pct": lambda v, r: _pct(v, "MRR", 90),
    "upgrade_90d": lambda v, r: "changed plan in the last 90 days" if v > 0 else None,
    "downgrade_90d": lambda v, r: "downgraded in the last 90 days" if v > 0 else None,
    "tenure_days": lambda v, r: _tenure(v),
    "customer_age_days": lambda v, r: _tenure(v),
    "previous_spells": lambda v, r: "left before and came back" if v > 0 else None,
    "days_to_renewal": lambda v, r: (
        f"annual renewal due in {v:.0f} days"
        if v <= 120 and r.get("billing_period") == "annual"
        else None
    ),
    "billing_period": lambda v, r: (
        "pays monthly: free to leave at any month's end" if v == "monthly" else None
    ),
    "plan": lambda v, r: f"on the {v} plan" if isinstance(v, str) else None,
    "segment": lambda v, r: (
        f"{v.replace('_', ' ')} account" if isinstance(v, str) else None
    ),
    "country": lambda v, r: f"based in {v}" if isinstance(v, str) else None,
    "mrr": lambda v, r: (
        f"small account (MRR {v:,.0f} {r.get('currency') or ''})".replace(" )", ")")
        if v > 0
        else None
    ),
    "usage_change_30d": lambda v, r: _usage(v, "last 30 days"),
    "usage_change_7d": lambda v, r: _usage(v, "last week"),
    "usage_7d": lambda v, r: "little or no use in the last week" if v <= 5 else None,
    "usage_30d": lambda v, r: (
        "little or no use in the last 30 days" if v <= 20 else None
    ),
    "usage_90d": lambda v, r: (
        "little or no use in the last 90 days" if v <= 60 else None
    ),
    "days_since_activity": lambda v, r: (
        f"no activity for {v:.0f} days" if v >= 10 else None
    ),
    "payment_failures_90d": lambda v, r: (
        _n(v, "failed payment", "failed payments") + " in 90 days" if v > 0 else None
    ),
}


def reason_text(
    feature: str, value: Any, row: dict[str, Any] | None = None
) -> str | None:
    """The sentence for ``feature`` at ``value``, or None if it says nothing."""
    template = _TEMPLATES.get(feature)
    if (
        template is None
        or value is None
        or (not isinstance(value, str) and pd.isna(value))
    ):
        return None
    return template(value, row if row is not None else {})


def risk_reasons(
    model: RiskModel, features: pd.DataFrame, *, top: int = 3
) -> pd.DataFrame:
    """``customer_id``, ``reasons`` (sentences joined by "; ") and
    ``reason_codes`` (the features behind them, joined by ","), per row."""
    contrib = model.contributions(features)[list(model.features)].to_numpy()
    order = np.argsort(-contrib, axis=1, kind="stable")
    names = np.asarray(model.features)
    reasons, codes = [], []
    records = features.reset_index(drop=True)
    rows = records.to_dict(orient="records")
    for i, row in enumerate(rows):
        said, used = [], []
        for j in order[i]:
            if contrib[i, j] < MIN_CONTRIBUTION or len(said) == top:
                break
            text = reason_text(names[j], row[names[j]], row)
            if text and text not in said:
                said.append(text)
                used.append(names[j])
        reasons.append("; ".join(said))
        codes.append(",".join(used))
    return pd.DataFrame(
        {
            "customer_id": records["customer_id"].to_numpy(),
            "reasons": reasons,
            "reason_codes": codes,
        }
    )
