"""Bootstrap intervals for NRR and GRR.

The statistic of a period is a ratio of sums over the customers paying at its
start: NRR = sum(E) / sum(S), GRR = sum(min(S, E)) / sum(S), with E at the
start's rates. The bootstrap resamples those customers with replacement. The
engine returns them counted by distinct (S, E) pair (most customers do not move
and share a price), so a resample is a multinomial draw over the distinct pairs,
exactly equivalent to drawing customers. When the pairs are too many for that
(``n_boot`` x pairs above ``_MAX_DRAWS``) the resampled sums are drawn from their
large-sample limit, the bivariate normal with the pairs' mean and covariance
times the number of customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.metrics._revenue_frame import Revenue
from churnlens.metrics._revenue_steps import (
    mixed_paying,
    mixed_rows,
    simple_rows,
    stayers,
)
from churnlens.metrics._segments import SEGMENT
from churnlens.mrr_changes import MICRO

__all__ = ["bootstrap_ratios", "paying_pairs"]

_MAX_DRAWS = 20_000_000


def paying_pairs(revenue: Revenue, keys: np.ndarray) -> pd.DataFrame:
    """``_segment, key, s, e, n``: customers paying at the start of each grid
    period by their MRR at its start and end (start's rates), in currency units."""
    changes, key, n = revenue.changes(), revenue.key, revenue.n
    grid = [int(k) for k in keys]
    extra = [SEGMENT] if SEGMENT in changes.columns else []
    counted = []
    for simple in simple_rows(changes, key):
        movers = simple.filter(simple.key.isin(grid) & (simple._b > 0))
        counted.append(
            movers.group_by("key", "currency", "_b", "_e", *extra)
            .aggregate(n=movers.count())
            .to_pandas()
        )
    moved = pd.concat(counted, ignore_index=True)
    stay = stayers(changes, key, grid).to_pandas()
    mixed = mixed_paying(mixed_rows(changes, key, revenue.found), grid, n).to_pandas()
    rows = {int(k): r for r, k in enumerate(keys)}
    rates = revenue.rates(keys)
    frames = []
    for part, end in ((moved, "_e"), (stay, "_b")):
        at = np.array([rows[int(k)] for k in part["key"]], dtype="int64")
        rate = rates[at, revenue.currency_index(part["currency"])]
        frames.append(
            pd.DataFrame(
                {
                    SEGMENT: part.get(SEGMENT),
                    "key": part["key"].astype("int64"),
                    "s": part["_b"].to_numpy("float64") * rate / MICRO,
                    "e": part[end].to_numpy("float64") * rate / MICRO,
                    "n": part["n"].astype("int64"),
                }
            )
        )
    at = np.array([rows[int(k)] for k in mixed["key"]], dtype="int64")
    b = mixed[[f"_b{i}" for i in range(n)]].to_numpy("float64")
    a = mixed[[f"_a{i}" for i in range(n)]].to_numpy("float64")
    frames.append(
        pd.DataFrame(
            {
                SEGMENT: mixed.get(SEGMENT),
                "key": mixed["key"].astype("int64"),
                "s": (b * rates[at]).sum(axis=1) / MICRO,
                "e": (a * rates[at]).sum(axis=1) / MICRO,
                "n": mixed["n"].astype("int64"),
            }
        )
    )
    return pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)


def bootstrap_ratios(
    s: np.ndarray,
    e: np.ndarray,
    w: np.ndarray,
    *,
    n_boot: int,
    confidence: float,
    seed: int | list[int],
) -> tuple[float, float, float, float]:
    """Percentile intervals (nrr_lower, nrr_upper, grr_lower, grr_upper) from
    customers counted ``w`` times at each (start, end) pair."""
    total = int(w.sum())
    if n_boot <= 0 or total == 0 or float(s @ w) <= 0:
        return (np.nan,) * 4  # type: ignore[return-value]
    # Engines return groups in any order: sort them, so a seed means one result.
    order = np.lexsort((w, e, s))
    s, e, w = s[order], e[order], w[order]
    rng = np.random.default_rng(seed)
    kept = np.minimum(s, e)
    values = np.column_stack([s, e, kept])
    if len(w) * n_boot <= _MAX_DRAWS:
        counts = rng.multinomial(total, w / total, size=n_boot)
        sums = counts @ values
    else:
        mean = (values * w[:, None]).sum(axis=0) / total
        centred = values - mean
        cov = (centred * w[:, None]).T @ centred / total
        sums = rng.multivariate_normal(mean * total, cov * total, size=n_boot)
    nrr = sums[:, 1] / sums[:, 0]
    grr = sums[:, 2] / sums[:, 0]
    tail = (1 - confidence) / 2
    q = [tail, 1 - tail]
    nrr_lo, nrr_hi = np.quantile(nrr, q)
    grr_lo, grr_hi = np.quantile(grr, q)
    return float(nrr_lo), float(nrr_hi), float(grr_lo), float(grr_hi)
