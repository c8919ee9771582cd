"""Metrics: each defined once as an engine-neutral expression."""

from __future__ import annotations

from churnlens.metrics.churn import CHURN_COLUMNS, churn_rate

__all__ = ["CHURN_COLUMNS", "churn_rate"]
