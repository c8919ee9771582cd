"""Explain churn: why customers leave (reasons) and what support changes."""

from __future__ import annotations

from churnlens.explain.churn_reasons import (
    UNKNOWN,
    WHY_REASONS,
    churn_reason_customers,
    churn_reasons,
    reason_trends,
)
from churnlens.explain.reasons import (
    REASON_COLUMNS,
    REASON_LABELS,
    REASONS,
    STRIPE_FEEDBACK,
    ReasonMatch,
    classify_reason,
    classify_reasons,
    is_reason_code,
    reason_from_code,
)
from churnlens.explain.support_impact import SupportImpact, support_impact
from churnlens.explain.table_impact import (
    TableImpact,
    bucket_table,
    cox_from_table,
    table_support_impact,
)
from churnlens.explain.table_reasons import table_reasons

__all__ = [
    "REASONS",
    "REASON_COLUMNS",
    "REASON_LABELS",
    "STRIPE_FEEDBACK",
    "ReasonMatch",
    "SupportImpact",
    "TableImpact",
    "UNKNOWN",
    "WHY_REASONS",
    "bucket_table",
    "churn_reason_customers",
    "churn_reasons",
    "classify_reason",
    "classify_reasons",
    "cox_from_table",
    "is_reason_code",
    "reason_from_code",
    "reason_trends",
    "support_impact",
    "table_reasons",
    "table_support_impact",
]
