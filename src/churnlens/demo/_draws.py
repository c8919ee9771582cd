"""Vectorised random choices shared by the generator's stages."""

from __future__ import annotations

import numpy as np


def categorical(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    """One category index per row; ``probs`` is (k,) for all rows or (n, k).

    Rows need not sum to exactly one: the last category takes the rounding rest.
    """
    cumulative = np.cumsum(np.asarray(probs, dtype=np.float64), axis=-1)
    cumulative = np.broadcast_to(cumulative, (n, cumulative.shape[-1]))
    u = rng.random(n)[:, None]
    last = cumulative.shape[-1] - 1
    return np.minimum((u >= cumulative).sum(axis=1), last)


def lognormal(
    rng: np.random.Generator,
    median: np.ndarray | float,
    sigma: np.ndarray | float,
    n: int,
) -> np.ndarray:
    """Lognormal draws given the median (the form the settings are written in)."""
    return np.asarray(median) * np.exp(np.asarray(sigma) * rng.standard_normal(n))
