"""Reason shares: the churned customers of each reason as a share of all churned
customers (with a Wilson interval) and of the MRR they took with them, per
group; shared by the store's reasons (churn_reasons) and a plain table's
(table_reasons)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from churnlens.explain.reasons import REASON_LABELS
from churnlens.metrics._intervals import Z_95, wilson_interval

__all__ = [
    "NO_SEGMENT",
    "SHARE_COLUMNS",
    "UNKNOWN",
    "WHY_REASONS",
    "reason_shares",
    "segment_key",
]

UNKNOWN = "unknown"
WHY_REASONS = (*REASON_LABELS, UNKNOWN)
LABELS = {**REASON_LABELS, UNKNOWN: "Unknown (no reason given)"}
# What ``reason_shares`` adds up for each group and reason, in order.
SHARE_COLUMNS = (
    "reason",
    "reason_label",
    "churned",
    "churned_total",
    "share",
    "share_lower",
    "share_upper",
    "lost_mrr",
    "lost_mrr_share",
)
# The key of the empty segment (a customer without a value), for grouping.
NO_SEGMENT = "\x00none"


def segment_key(value: Any) -> str:
    """Segments as strings, the empty one (None, NaN) as ``NO_SEGMENT``."""
    return NO_SEGMENT if value is None or value != value else str(value)


def reason_shares(
    rows: pd.DataFrame,
    grid: pd.DataFrame,
    *,
    counts: list[str],
    mrr_known: bool,
) -> pd.DataFrame:
    """Every reason of ``WHY_REASONS`` for every row of ``grid`` (its columns
    are the group keys): ``churned`` (customers of ``rows``, one row each with
    ``reason``, ``lost_mrr`` and the 0/1 ``counts``), the ``counts`` and
    ``lost_mrr`` summed, ``churned_total``, ``share`` with ``share_lower`` and
    ``share_upper``, ``lost_mrr_share`` and ``reason_label``. ``lost_mrr`` is 0
    where nobody left when MRR is known at all, else missing."""
    keys = list(grid.columns)
    full = grid.merge(pd.DataFrame({"reason": WHY_REASONS}), how="cross")
    values = ["churned", "lost_mrr", *counts]
    sums = (
        rows.assign(churned=1)
        .groupby([*keys, "reason"])[values]
        .sum(min_count=1)
        .reset_index()
    )
    table = full.merge(sums, on=[*keys, "reason"], how="left")
    whole = ["churned", *counts]
    table[whole] = table[whole].fillna(0).astype("int64")
    table["lost_mrr"] = table["lost_mrr"].astype("float64")
    if mrr_known:
        table["lost_mrr"] = table["lost_mrr"].fillna(0.0)
    group = table.groupby(keys, dropna=False, sort=False)
    table["churned_total"] = group["churned"].transform("sum")
    mrr_total = group["lost_mrr"].transform("sum")
    x, n = table["churned"].to_numpy(float), table["churned_total"].to_numpy(float)
    table["share_lower"], table["share_upper"] = wilson_interval(x, n, z=Z_95)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share"] = np.where(n > 0, x / n, np.nan)
        table["lost_mrr_share"] = np.where(
            mrr_total > 0, table["lost_mrr"] / mrr_total, np.nan
        )
    table["reason_label"] = table["reason"].map(LABELS)
    return table
