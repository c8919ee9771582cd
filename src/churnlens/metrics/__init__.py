"""Metrics: each defined once as an engine-neutral expression."""

from __future__ import annotations

from churnlens.metrics.churn import CHURN_COLUMNS, churn_rate
from churnlens.metrics.cohorts import (
    COHORT_COLUMNS,
    REVENUE_COLUMNS,
    cohort_table,
    to_wide,
)
from churnlens.metrics.conventions import CONVENTIONS
from churnlens.metrics.reconcile import Reconciliation, reconcile

__all__ = [
    "CHURN_COLUMNS",
    "COHORT_COLUMNS",
    "CONVENTIONS",
    "REVENUE_COLUMNS",
    "Reconciliation",
    "churn_rate",
    "cohort_table",
    "reconcile",
    "to_wide",
]
