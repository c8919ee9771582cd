"""Per-customer reasons: the features that push a customer's risk up.

Tree SHAP (LightGBM ``pred_contrib``) splits each customer's score into one
contribution per feature. Features that tell one story (the six usage measures,
the three open-ticket measures, the price measures) are summed into one topic,
so that a drop in usage seen six ways takes one line, not three. Every topic
that raises the score materially becomes a plain-language sentence built from
the customer's own values ("3 tickets unresolved for over 7 days", "MRR down
30% in 90 days"), largest first, up to a cap; a topic whose values give nothing
to say (usage up, say) is passed over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from churnlens.models.risk.features import USAGE_FEATURES
from churnlens.models.risk.model import RiskModel

__all__ = ["REASON_COLUMNS", "reason_text", "risk_reasons"]

REASON_COLUMNS = ("customer_id", "reasons", "reason_codes")
# A topic raising the log-odds by less than this (about 5% on the odds) is not
# worth a line of a caller's time.
MIN_CONTRIBUTION = 0.05
MAX_REASONS = 5
# Features that describe one thing share a topic; any other is its own topic.
TOPICS = {
    "usage": USAGE_FEATURES,
    "open_tickets": ("open_over_7d", "oldest_open_days", "open_tickets"),
    "ratings": ("bad_ratings_90d", "satisfaction_mean"),
    "ticket_volume": ("tickets_30d", "tickets_90d"),
    "price": ("price_increase_90d", "mrr_change_30d_pct", "mrr_change_90d_pct"),
    "tenure": ("tenure_days", "customer_age_days"),
    "renewal": ("days_to_renewal", "billing_period"),
}


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
    model: RiskModel, features: pd.DataFrame, *, top: int = MAX_REASONS
) -> pd.DataFrame:
    """``customer_id``, ``reasons`` (sentences joined by "; ", at most ``top``)
    and ``reason_codes`` (the feature behind each sentence, joined by ","), per
    row: every topic whose contributions add up to MIN_CONTRIBUTION or more."""
    contrib = model.contributions(features)
    topics = _topics(model.features)
    totals = np.column_stack(
        [contrib[list(members)].to_numpy().sum(axis=1) for members in topics]
    )
    order = np.argsort(-totals, axis=1, kind="stable")
    records = features.reset_index(drop=True)
    values = contrib[list(model.features)].to_numpy()
    where = {name: j for j, name in enumerate(model.features)}
    reasons, codes = [], []
    for i, row in enumerate(records.to_dict(orient="records")):
        said: dict[str, str] = {}  # sentence -> feature
        for k in order[i]:
            if totals[i, k] < MIN_CONTRIBUTION or len(said) == top:
                break
            # The topic speaks through the member that raised the score most.
            members = sorted(topics[k], key=lambda f, i=i: -values[i, where[f]])
            _say(said, members, row)
        reasons.append("; ".join(said))
        codes.append(",".join(said.values()))
    return pd.DataFrame(
        {
            "customer_id": records["customer_id"].to_numpy(),
            "reasons": reasons,
            "reason_codes": codes,
        }
    )


def _say(said: dict[str, str], members: list[str], row: dict[str, Any]) -> None:
    """Add the first member's sentence not said yet, if any member has one."""
    for feature in members:
        text = reason_text(feature, row[feature], row)
        if text and text not in said:
            said[text] = feature
            return


def _topics(features: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The model's features grouped by TOPICS, in the model's order."""
    topic_of = {f: name for name, members in TOPICS.items() for f in members}
    groups: dict[str, list[str]] = {}
    for feature in features:
        groups.setdefault(topic_of.get(feature, feature), []).append(feature)
    return [tuple(members) for members in groups.values()]
