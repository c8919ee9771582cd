"""Metrics: each defined once as an engine-neutral expression."""

from __future__ import annotations

from churnlens.metrics.churn import CHURN_COLUMNS, churn_rate
from churnlens.metrics.conventions import CONVENTIONS
from churnlens.metrics.reconcile import Reconciliation, reconcile

__all__ = [
    "CHURN_COLUMNS",
    "CONVENTIONS",
    "Reconciliation",
    "churn_rate",
    "reconcile",
]
