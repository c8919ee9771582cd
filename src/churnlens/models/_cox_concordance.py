"""Harrell's concordance for counting-process rows, by dominance counting.

Each event (row i failing at event time k) is compared with every other row at
risk at k (``a_j <= k < b_j``) that does not fail at k, in the same stratum. The
pair is concordant when the failing row has the higher risk score, tied when the
scores are equal (counted 1/2). That is R's ``survival::concordance`` for
``(start, stop]`` data (pairs tied on the event time are not comparable), and on
one-row-per-customer data it equals lifelines' ``concordance_index``.

Counting "rows at risk at k with a lower score" for every event is a
two-dimensional dominance count. It is done without a Python loop over rows: the
condition on the event index is split along the bits of the index (one sort and
one ``searchsorted`` per bit), so the cost is O(n log n log K).
"""

from __future__ import annotations

import numpy as np

from churnlens.models._cox_efron import RiskSets, at_risk_sums

__all__ = ["concordance"]


def concordance(eta: np.ndarray, sets: RiskSets) -> tuple[float, int]:
    """(concordance, number of comparable pairs) of the scores ``eta`` (one per
    row kept in ``sets``; a higher score means an earlier event)."""
    _, rank = np.unique(eta, return_inverse=True)
    rank = rank.astype(np.int64)
    deaths, key = sets.deaths, sets.death_key
    mine = rank[deaths]
    # Rows at risk at k = rows leaving after k minus rows entering after k.
    limits = (mine, mine + 1)
    leaving = _count_after(sets.leave, rank, key, limits)
    entering = _count_after(sets.enter, rank, key, limits)
    below = leaving[0] - entering[0]
    not_above = leaving[1] - entering[1]
    # Remove the pairs with other rows failing at the same time (and i itself).
    tie_below, tie_not_above = _within_ties(key, mine)
    below -= tie_below
    equal = (not_above - tie_not_above) - below
    size = np.bincount(key, minlength=sets.n_keys)
    risk = np.rint(at_risk_sums(sets, np.ones(rank.size))).astype(np.int64)
    comparable = int((risk[key] - size[key]).sum())
    if comparable == 0:
        return float("nan"), 0
    return float((below.sum() + 0.5 * equal.sum()) / comparable), comparable


def _count_after(
    where: np.ndarray,
    rank: np.ndarray,
    key: np.ndarray,
    limits: tuple[np.ndarray, ...],
) -> list[np.ndarray]:
    """For each query q and each ``limit`` in ``limits``:
    ``#{j : where_j > key_q and rank_j < limit_q}``."""
    span = int(rank.max(initial=0)) + 2
    ranks = np.sort(rank)
    totals = [np.searchsorted(ranks, limit, side="left") for limit in limits]
    threshold = key.astype(np.int64) + 1  # where_j >= threshold
    levels = max(int(where.max(initial=0)), int(threshold.max(initial=0))).bit_length()
    where = where.astype(np.int64)
    # #{where_j < T} splits over the bits L set in T: rows sharing T's bits above
    # L and having a 0 at bit L.
    for level in range(levels):
        query = ((threshold >> level) & 1).astype(bool)
        if not query.any():
            continue
        rows = ((where >> level) & 1) == 0
        keys = np.sort((where[rows] >> (level + 1)) * span + rank[rows])
        prefix = (threshold[query] >> (level + 1)) * span
        floor = np.searchsorted(keys, prefix, side="left")
        for total, limit in zip(totals, limits, strict=True):
            total[query] -= (
                np.searchsorted(keys, prefix + limit[query], side="left") - floor
            )
    return totals


def _within_ties(key: np.ndarray, mine: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per event: events at the same time with a lower score, and with a score
    not above (itself included)."""
    span = int(mine.max(initial=0)) + 2
    combined = key.astype(np.int64) * span + mine
    ordered = np.sort(combined)
    base = key.astype(np.int64) * span
    start = np.searchsorted(ordered, base, side="left")
    below = np.searchsorted(ordered, combined, side="left") - start
    not_above = np.searchsorted(ordered, combined, side="right") - start
    return below, not_above
