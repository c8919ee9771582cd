"""Explain churn: why customers leave (reasons) and what support changes."""

from __future__ import annotations

from churnlens.explain.reasons import (
    REASON_COLUMNS,
    REASON_LABELS,
    REASONS,
    STRIPE_FEEDBACK,
    ReasonMatch,
    classify_reason,
    classify_reasons,
    reason_from_code,
)

__all__ = [
    "REASONS",
    "REASON_COLUMNS",
    "REASON_LABELS",
    "STRIPE_FEEDBACK",
    "ReasonMatch",
    "classify_reason",
    "classify_reasons",
    "reason_from_code",
]
