"""The two distribution functions the survival models need, without SciPy.

``normal_quantile`` uses the standard library (Wichura's AS241, about 1e-16
relative error); ``chi2_sf`` is the closed form of the chi-square upper tail for
whole degrees of freedom (Abramowitz and Stegun 26.4.4 and 26.4.5), which is all a
log-rank test needs.
"""

from __future__ import annotations

import math
from statistics import NormalDist

__all__ = ["chi2_sf", "normal_quantile"]


def normal_quantile(p: float) -> float:
    """The standard normal quantile: ``normal_quantile(0.975) = 1.95996...``."""
    return NormalDist().inv_cdf(p)


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for X chi-square with ``df`` (a whole number >= 1) degrees."""
    if df < 1 or int(df) != df:
        raise ValueError(f"degrees of freedom must be a whole number >= 1, got {df}")
    if math.isnan(x):
        return math.nan
    if x <= 0:
        return 1.0
    half = x / 2
    if df % 2 == 0:
        # exp(-x/2) * sum_{i < df/2} (x/2)^i / i!
        term, total = 1.0, 1.0
        for i in range(1, df // 2):
            term *= half / i
            total += term
        return min(1.0, math.exp(-half) * total)
    # erfc(sqrt(x/2)) + sqrt(2x/pi) exp(-x/2) sum_{r=1}^{(df-1)/2} x^(r-1) / (2r-1)!!
    total, term = 0.0, 1.0
    for r in range(1, (df - 1) // 2 + 1):
        if r > 1:
            term *= x / (2 * r - 1)
        total += term
    tail = math.sqrt(2 * x / math.pi) * math.exp(-half) * total if total else 0.0
    return min(1.0, math.erfc(math.sqrt(half)) + tail)
