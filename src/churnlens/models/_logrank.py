"""The log-rank test: do two or more segments share one survival curve?

At every distinct duration the events of each segment are compared with those
expected were the hazard the same in all of them (hypergeometric means and
covariances); the statistic ``Z' V^- Z`` over all segments but one is chi-square
with ``k - 1`` degrees of freedom. The same arithmetic as lifelines'
``multivariate_logrank_test`` (and ``logrank_test`` for two), on counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from churnlens.errors import InputError
from churnlens.models._base import as_counts
from churnlens.models._stats import chi2_sf

__all__ = ["LogrankResult", "logrank_test"]


@dataclass(frozen=True)
class LogrankResult:
    """The test's outcome: statistic, degrees of freedom and p-value."""

    test_statistic: float
    degrees_of_freedom: int
    p_value: float
    groups: tuple[Any, ...]

    @property
    def summary(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "test": ["log-rank"],
                "groups": [len(self.groups)],
                "test_statistic": [self.test_statistic],
                "degrees_of_freedom": [self.degrees_of_freedom],
                "p_value": [self.p_value],
            }
        )


def logrank_test(
    durations: Any,
    groups: Any,
    event_observed: Any = None,
    *,
    weights: Any = None,
) -> LogrankResult:
    """Log-rank test of equal survival across ``groups`` (one label per duration).

    ``event_observed`` is 1 for a churn, 0 for censored (all 1 when omitted);
    ``weights`` are counts per row, so grouped lifetimes test directly.

    >>> logrank_test([1, 2, 3, 4], ["a", "a", "b", "b"]).degrees_of_freedom
    1
    """
    d = as_counts(durations, "durations")
    n = d.shape[0]
    labels = pd.Series(np.asarray(groups, dtype="object").reshape(-1))
    if labels.shape[0] != n:
        raise InputError(f"groups has {labels.shape[0]} labels for {n} durations")
    e = (
        np.ones(n)
        if event_observed is None
        else as_counts(event_observed, "event_observed", n)
    )
    w = np.ones(n) if weights is None else as_counts(weights, "weights", n)
    names, group = np.unique(
        labels.astype("string").fillna("\0none").to_numpy(), return_inverse=True
    )
    if names.size < 2:
        raise InputError(
            "the log-rank test needs at least two groups",
            hint="split the lifetimes by a column with two or more values",
        )
    times, time = np.unique(d, return_inverse=True)
    shape = (times.size, names.size)
    removed = np.zeros(shape)
    observed = np.zeros(shape)
    np.add.at(removed, (time, group), w)
    np.add.at(observed, (time, group), w * e)
    statistic = _statistic(removed, observed)
    df = int(names.size - 1)
    order = pd.unique(labels)
    return LogrankResult(statistic, df, chi2_sf(statistic, df), tuple(order))


def _statistic(removed: np.ndarray, observed: np.ndarray) -> float:
    at_risk = removed.sum(axis=0) - np.vstack(
        [np.zeros(removed.shape[1]), np.cumsum(removed, axis=0)[:-1]]
    )
    deaths = observed.sum(axis=1)
    total = at_risk.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = at_risk * (deaths / total)[:, None]
        spread = (total - deaths) / (total - 1)
        factor = np.where(np.isfinite(spread), spread, 1.0) * deaths / total**2
    z = (observed - expected).sum(axis=0)
    scaled = np.nan_to_num(at_risk * np.sqrt(factor)[:, None])
    scaled_total = np.nan_to_num(total * np.sqrt(factor))
    # V_jk = sum_i f_i (n_i n_ij [j = k] - n_ij n_ik)
    v = -scaled.T @ scaled
    v[np.diag_indices_from(v)] += scaled.T @ scaled_total
    keep = slice(0, removed.shape[1] - 1)
    u = z[keep] @ np.linalg.pinv(v[keep, keep]) @ z[keep]
    return float(u)
