"""Churn shares by bucket of a measure, with Wilson intervals: the bucket
labels and their order, shared by the store's view (support_impact) and the
plain tables' (table_impact)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from churnlens.metrics._intervals import wilson_interval

__all__ = ["BUCKET_COLUMNS", "bucket_labels", "bucket_names", "with_shares"]

BUCKET_COLUMNS = (
    "measure",
    "bucket",
    "observations",
    "customers",
    "churned",
    "churn_share",
    "churn_share_lower",
    "churn_share_upper",
)


def with_shares(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    x = table["churned"].to_numpy("float64")
    n = table["observations"].to_numpy("float64")
    lower, upper = wilson_interval(x, n)
    table.insert(0, "measure", measure)
    table["churn_share"] = np.where(n > 0, x / np.maximum(n, 1), np.nan)
    table["churn_share_lower"], table["churn_share_upper"] = lower, upper
    return table[list(BUCKET_COLUMNS)]


def bucket_labels(
    values: pd.Series, edges: Sequence[float], missing: str, counts: bool
) -> pd.Series:
    edges = sorted(float(e) for e in edges)
    names = np.array(bucket_names(edges, None, counts)[:-1], dtype=object)
    # Index 0 is "below the first edge"; values on an edge open its bucket.
    k = np.searchsorted(np.asarray(edges), values.to_numpy("float64"), side="right")
    out = pd.Series(names[np.minimum(k, len(names) - 1)], index=values.index)
    return out.where(values.notna(), missing)


def bucket_names(
    edges: Sequence[float], missing: str | None, counts: bool
) -> list[str]:
    """Bucket names: counts as "1", "2-3", "4+"; other values "1 to <4", "24+"."""
    edges = sorted(float(e) for e in edges)
    names = [f"< {edges[0]:g}"]
    for lo, hi in zip(edges, edges[1:], strict=False):
        integral = counts and lo.is_integer() and hi.is_integer()
        if integral and hi - lo == 1:
            names.append(f"{lo:g}")
        elif integral:
            names.append(f"{lo:g}-{hi - 1:g}")
        else:
            names.append(f"{lo:g} to <{hi:g}")
    names.append(f"{edges[-1]:g}+")
    return [*([missing] if missing else []), *names, *([] if missing else ["missing"])]
