"""The Efron partial likelihood of counting-process rows, by cumulative sums.

A row ``j`` (interval ``(start_j, stop_j]``) is at risk at the event times ``t``
with ``start_j < t <= stop_j``. Numbering the distinct event times (per stratum)
``k = 0..K-1``, that is a contiguous run ``a_j <= k < b_j``, found once by
``searchsorted``. Every risk-set sum is then ``sum over rows leaving after k``
minus ``sum over rows entering after k``: two ``bincount``s and a reversed
``cumsum`` per quantity, O(n) per Newton step instead of O(n x risk set).

The second-moment sums (d x d per event time) are never formed: the Hessian only
needs ``sum_k c_k S2_k``, which is one weighted Gram matrix
``X' diag(phi_j * sum_{a_j <= k < b_j} c_k) X``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Evaluation",
    "RiskSets",
    "at_risk_sums",
    "efron_means",
    "evaluate",
    "risk_sets",
]


@dataclass(frozen=True)
class RiskSets:
    """Where each row enters and leaves the ordered event times; fixed per fit."""

    keep: np.ndarray  # rows at risk at some event time (the others add nothing)
    enter: np.ndarray  # a_j: first event index the row is at risk for
    leave: np.ndarray  # b_j: first event index after the row's interval
    deaths: np.ndarray  # row indices of the events, grouped by event index
    death_key: np.ndarray  # event index of each of ``deaths``
    n_keys: int  # K, distinct (stratum, event time) pairs
    blocks: np.ndarray  # K-index boundaries of the strata (length strata + 1)
    key_time: np.ndarray  # the event time of each event index
    # Efron's (k, l) pairs: one per death, l = 0..d_k-1 within the tie.
    pair_key: np.ndarray
    pair_frac: np.ndarray  # l / d_k


@dataclass(frozen=True)
class Evaluation:
    """Partial log-likelihood, gradient and Hessian at one coefficient vector."""

    log_likelihood: float
    gradient: np.ndarray
    hessian: np.ndarray
    # Efron means per (k, l) pair; their mean per k is the Schoenfeld centre.
    pair_means: np.ndarray


def risk_sets(
    start: np.ndarray,
    stop: np.ndarray,
    event: np.ndarray,
    stratum: np.ndarray,
    *,
    breslow: bool = False,
) -> RiskSets:
    """Index rows against the distinct (stratum, event time) pairs.

    ``stratum`` holds small non-negative integer codes (all zero without strata).
    Breslow's ties are Efron's with no tied deaths taken out of the risk set.
    """
    times = np.unique(stop[event])
    width = times.size + 1
    # Time codes: how many event times are <= the value. A row is at risk at
    # event time m iff code(start) <= m < code(stop).
    code_start = np.searchsorted(times, start, side="right")
    code_stop = np.searchsorted(times, stop, side="right")
    base = stratum.astype(np.int64) * width
    death_rows = np.flatnonzero(event)
    death_codes = base[death_rows] + code_stop[death_rows] - 1
    keys, death_key = np.unique(death_codes, return_inverse=True)
    enter = np.searchsorted(keys, base + code_start, side="left")
    leave = np.searchsorted(keys, base + code_stop, side="left")
    keep = enter < leave
    if not keep.all():
        # Renumber the events among the rows kept (every event row is kept).
        death_rows = np.cumsum(keep)[death_rows] - 1
        enter, leave = enter[keep], leave[keep]
    order = np.argsort(death_key, kind="stable")
    deaths, death_key = death_rows[order], death_key[order]
    counts = np.bincount(death_key, minlength=keys.size)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    pair_frac = (np.arange(deaths.size) - first) / counts[death_key]
    if breslow:
        pair_frac = np.zeros_like(pair_frac)
    key_stratum = keys // width
    blocks = np.flatnonzero(np.diff(key_stratum)) + 1
    return RiskSets(
        keep=keep,
        enter=enter,
        leave=leave,
        deaths=deaths,
        death_key=death_key,
        n_keys=int(keys.size),
        blocks=np.concatenate([[0], blocks, [keys.size]]).astype(np.int64),
        key_time=times[keys % width],
        pair_key=death_key,
        pair_frac=pair_frac,
    )


def at_risk_sums(sets: RiskSets, values: np.ndarray) -> np.ndarray:
    """``sum_j values_j [a_j <= k < b_j]`` per event index k (values 1- or 2-D).

    Reversed cumulative sums within each stratum: rows leaving after k minus rows
    entering after k. Both are small late in time, where risk sets are small, so
    the difference keeps its relative precision.
    """
    size = sets.n_keys + 1
    shape = (size,) + values.shape[1:]
    leaving, entering = np.empty(shape), np.empty(shape)
    if values.ndim == 1:
        leaving[:] = np.bincount(sets.leave, values, size)
        entering[:] = np.bincount(sets.enter, values, size)
    else:
        for c in range(values.shape[1]):
            leaving[:, c] = np.bincount(sets.leave, values[:, c], size)
            entering[:, c] = np.bincount(sets.enter, values[:, c], size)
    # Within the stratum block [lo, hi) rows leave at lo+1..hi and enter at
    # lo..hi-1 (index hi may hold the next stratum's entries).
    result = np.empty((sets.n_keys,) + values.shape[1:])
    for lo, hi in zip(sets.blocks[:-1], sets.blocks[1:], strict=True):
        net = leaving[lo + 1 : hi + 1].copy()
        net[:-1] -= entering[lo + 1 : hi]
        result[lo:hi] = np.cumsum(net[::-1], axis=0)[::-1]
    return result


def _interval_sums(sets: RiskSets, per_key: np.ndarray) -> np.ndarray:
    """``sum_{a_j <= k < b_j} per_key_k`` for every row j."""
    cumulative = np.concatenate([[0.0], np.cumsum(per_key)])
    return cumulative[sets.leave] - cumulative[sets.enter]


def evaluate(
    X: np.ndarray,
    beta: np.ndarray,
    sets: RiskSets,
    death_x_sum: np.ndarray,
) -> Evaluation:
    """Efron log-likelihood, gradient and Hessian at ``beta`` (unpenalized).

    ``death_x_sum`` is the sum of the covariates over the event rows (it does not
    depend on ``beta``).
    """
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        # Extreme coefficients (tried, then halved, by Newton-Raphson) may
        # underflow risk sets to 0; the caller rejects non-finite results.
        return _evaluate(X, beta, sets, death_x_sum)


def _evaluate(
    X: np.ndarray,
    beta: np.ndarray,
    sets: RiskSets,
    death_x_sum: np.ndarray,
) -> Evaluation:
    eta = X @ beta
    # The partial likelihood ignores a common shift of eta; shifting by the
    # largest value keeps exp() finite for any coefficients.
    shift = float(eta.max()) if eta.size else 0.0
    phi = np.exp(eta - shift)
    phi_x = X * phi[:, None]
    s0 = at_risk_sums(sets, phi)
    s1 = at_risk_sums(sets, phi_x)
    deaths = sets.deaths
    n_keys = sets.n_keys
    d0 = np.bincount(sets.death_key, phi[deaths], n_keys)
    d1 = np.empty((n_keys, X.shape[1]))
    for c in range(X.shape[1]):
        d1[:, c] = np.bincount(sets.death_key, phi_x[deaths, c], n_keys)
    k, frac = sets.pair_key, sets.pair_frac
    denom = s0[k] - frac * d0[k]
    means = (s1[k] - frac[:, None] * d1[k]) / denom[:, None]
    log_likelihood = float(eta[deaths].sum() - shift * deaths.size)
    log_likelihood -= float(np.log(denom).sum())
    gradient = death_x_sum - means.sum(axis=0)
    inverse = 1.0 / denom
    c_key = np.bincount(k, inverse, n_keys)
    e_key = np.bincount(k, frac * inverse, n_keys)
    row_weight = phi * _interval_sums(sets, c_key)
    death_weight = e_key[sets.death_key] * phi[deaths]
    x_deaths = X[deaths]
    # A.T @ A of the same array is one symmetric rank-k update (BLAS syrk).
    weighted = X * np.sqrt(row_weight)[:, None]
    information = weighted.T @ weighted
    information -= (x_deaths * death_weight[:, None]).T @ x_deaths
    information -= means.T @ means
    return Evaluation(
        log_likelihood=log_likelihood,
        gradient=gradient,
        hessian=-(information + information.T) / 2,
        pair_means=means,
    )


def efron_means(sets: RiskSets, pair_means: np.ndarray) -> np.ndarray:
    """The covariate mean each event is compared with (one row per death, in the
    order of ``sets.deaths``): Efron's average over the tied deaths' terms."""
    n_keys = sets.n_keys
    counts = np.bincount(sets.pair_key, minlength=n_keys).astype("float64")
    totals = np.empty((n_keys, pair_means.shape[1]))
    for c in range(pair_means.shape[1]):
        totals[:, c] = np.bincount(sets.pair_key, pair_means[:, c], n_keys)
    return (totals / counts[:, None])[sets.death_key]
