"""Confidence intervals shared by the rate metrics."""

from __future__ import annotations

import numpy as np

__all__ = ["Z_95", "wilson_interval"]

# Two-sided 95% normal quantile, written out so results do not depend on SciPy.
Z_95 = 1.959963984540054


def wilson_interval(
    successes: np.ndarray, trials: np.ndarray, *, z: float = Z_95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion; NaN where there are no trials.

    Unlike the normal (Wald) interval it stays inside [0, 1] and keeps its
    coverage when the proportion is near 0 or 1, as churn rates often are.
    """
    x = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        z2 = z * z
        denominator = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
        # Exact at the edges (the closed form leaves rounding error such as 5e-17
        # there), so a rate of 0 or 1 always lies inside its own interval.
        lower = np.where(x <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        upper = np.where(x >= n, 1.0, np.clip(centre + half, 0.0, 1.0))
    empty = n <= 0
    return np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)
