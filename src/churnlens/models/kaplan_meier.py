"""The Kaplan-Meier estimate of the lifetime survival function.

Right-censored durations (or counts of them: ``weights``) go in; out come the
survival curve with its log-log ("exponential Greenwood") interval, the median
lifetime with its interval, the restricted mean lifetime and the hazard by
tenure. The arithmetic follows lifelines' ``KaplanMeierFitter`` step for step
(the tests hold the two equal to 1e-9), but works on the distinct durations only:
grouped data from the engine (a few thousand rows for millions of customers) fit
directly, and raw durations are counted first, in one pass when they are whole
numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError, InputError
from churnlens.metrics._intervals import wilson_interval
from churnlens.models._base import Model, as_counts
from churnlens.models._stats import normal_quantile

try:
    from churnlens.models._counting import count_pairs as _count_pairs
except ImportError:  # installed without a C compiler: numpy counts instead
    _count_pairs = None

__all__ = ["SURVIVAL_COLUMNS", "HAZARD_COLUMNS", "KaplanMeier"]

SURVIVAL_COLUMNS = (
    "timeline",
    "at_risk",
    "events",
    "censored",
    "survival",
    "survival_lower",
    "survival_upper",
)
HAZARD_COLUMNS = (
    "interval_start",
    "interval_end",
    "at_risk",
    "events",
    "censored",
    "hazard",
    "hazard_lower",
    "hazard_upper",
)
# Whole-number durations up to this many times their count are counted with
# bincount (one pass) rather than sorted.
_BINCOUNT_SPREAD = 4
# Up to this many hazard buckets are all listed, empty ones too; beyond (e.g.
# durations in seconds with a bucket width of 1) only those holding durations.
_DENSE_BUCKETS = 1_000_000
# Durations per chunk when counting: 64k float64 stay in the CPU cache.
_CHUNK = 1 << 16


class KaplanMeier(Model):
    """Kaplan-Meier survival of lifetimes.

    ``alpha`` sets the interval level (0.05: 95%); ``hazard_width`` the width of the
    tenure buckets of ``hazard_``, in the durations' unit.

    >>> km = KaplanMeier().fit([3, 5, 5, 8], [1, 1, 0, 1])
    >>> float(km.median_lifetime_)
    5.0
    """

    _fitted_attribute = "survival_function_"

    def __init__(self, *, alpha: float = 0.05, hazard_width: float = 1.0) -> None:
        self.alpha = alpha
        self.hazard_width = hazard_width
        self.survival_function_: pd.DataFrame | None = None

    def fit(
        self,
        durations: Any,
        event_observed: Any = None,
        *,
        weights: Any = None,
    ) -> KaplanMeier:
        """Fit to ``durations`` (>= 0), ``event_observed`` (1 = churned, 0 =
        censored; all churned when omitted) and ``weights`` (counts per row)."""
        self._check_settings()
        times, removed, observed = _distinct(durations, event_observed, weights)
        if times.size == 0 or removed.sum() <= 0:
            raise InputError(
                "no lifetimes to fit", hint="pass at least one duration with weight > 0"
            )
        self._fit_distinct(times, removed, observed)
        return self

    # -- results -------------------------------------------------------------

    def predict(self, t: Any) -> Any:
        """Survival at times ``t`` (a number or an array): the step function."""
        self._check_fitted()
        curve = self.survival_function_
        at = np.asarray(t, dtype="float64")
        index = np.searchsorted(curve["timeline"].to_numpy(), at, side="right") - 1
        values = np.where(
            index >= 0, curve["survival"].to_numpy()[np.maximum(index, 0)], 1.0
        )
        return float(values) if values.ndim == 0 else values

    def restricted_mean_lifetime(self, t: float | None = None) -> float:
        """Mean lifetime restricted to ``[0, t]``: the area under the curve up to
        ``t`` (default: the longest duration observed)."""
        return self._rmst(t)[0]

    def restricted_mean_lifetime_interval(
        self, t: float | None = None
    ) -> tuple[float, float]:
        """Normal interval of ``restricted_mean_lifetime(t)`` at level 1 - alpha,
        from the Greenwood-type variance of Klein and Moeschberger (4.5.2)."""
        estimate, variance = self._rmst(t)
        half = normal_quantile(1 - self.alpha / 2) * math.sqrt(variance)
        return max(0.0, estimate - half), estimate + half

    def expected_lifetime(self, t: float | None = None) -> float:
        """The restricted mean lifetime: a KM curve that does not reach zero
        only knows the mean up to the last duration observed."""
        return self.restricted_mean_lifetime(t)

    @property
    def summary(self) -> pd.DataFrame:
        """One row: counts, median with interval, restricted mean with interval."""
        self._check_fitted()
        curve = self.survival_function_
        tau = float(curve["timeline"].iloc[-1])
        lower, upper = self.restricted_mean_lifetime_interval(tau)
        return pd.DataFrame(
            {
                "customers": [float(curve["at_risk"].iloc[0])],
                "events": [float(curve["events"].sum())],
                "censored": [float(curve["censored"].sum())],
                "median_lifetime": [self.median_lifetime_],
                "median_lifetime_lower": [self.median_lifetime_lower_],
                "median_lifetime_upper": [self.median_lifetime_upper_],
                "rmst": [self.restricted_mean_lifetime(tau)],
                "rmst_lower": [lower],
                "rmst_upper": [upper],
                "rmst_horizon": [tau],
            }
        )

    # -- machinery -----------------------------------------------------------

    def _check_settings(self) -> None:
        if not 0 < self.alpha < 1:
            raise ConfigError(
                f"alpha must be between 0 and 1, got {self.alpha}",
                hint="alpha=0.05 gives 95% intervals",
            )
        if not self.hazard_width > 0:
            raise ConfigError(
                f"hazard_width must be > 0, got {self.hazard_width}",
                hint="give the bucket width in the durations' unit, e.g. 30 for "
                "monthly buckets of days",
            )

    def _fit_distinct(
        self, times: np.ndarray, removed: np.ndarray, observed: np.ndarray
    ) -> None:
        if times[0] > 0:  # the curve starts at 0, as lifelines' does
            times = np.r_[0.0, times]
            removed = np.r_[0.0, removed]
            observed = np.r_[0.0, observed]
        at_risk = removed.sum() - np.r_[0.0, np.cumsum(removed)[:-1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            log_survival = np.cumsum(np.log(at_risk - observed) - np.log(at_risk))
            ratio = observed / (at_risk * (at_risk - observed))
            variance = np.cumsum(np.where(np.isinf(ratio), 0.0, ratio))
            survival = np.exp(log_survival)
            lower, upper = _log_log_bounds(survival, variance, self.alpha)
        self._variance = variance
        self.survival_function_ = pd.DataFrame(
            {
                "timeline": times,
                "at_risk": at_risk,
                "events": observed,
                "censored": removed - observed,
                "survival": survival,
                "survival_lower": lower,
                "survival_upper": upper,
            }
        )
        self.median_lifetime_ = _first_at_or_below(times, survival, 0.5)
        self.median_lifetime_lower_ = _first_at_or_below(times, lower, 0.5)
        self.median_lifetime_upper_ = _first_at_or_below(times, upper, 0.5)
        self.hazard_ = self._hazard(times, removed, observed)

    def _rmst(self, t: float | None) -> tuple[float, float]:
        self._check_fitted()
        curve = self.survival_function_
        times = curve["timeline"].to_numpy()
        tau = float(times[-1]) if t is None else float(t)
        if tau < 0:
            raise ConfigError(f"the horizon must be >= 0, got {tau}")
        inside = times <= tau
        edges = np.r_[times[inside], tau]
        areas = np.diff(edges) * curve["survival"].to_numpy()[inside]
        # Area from each time to the horizon, for the variance.
        beyond = np.cumsum(areas[::-1])[::-1]
        events = curve["events"].to_numpy()[inside]
        n = curve["at_risk"].to_numpy()[inside]
        with np.errstate(divide="ignore", invalid="ignore"):
            # Each event time t_i contributes the area from t_i to the horizon.
            terms = np.where(n > events, beyond**2 * events / (n * (n - events)), 0.0)
        return float(areas.sum()), float(terms.sum())

    def _hazard(
        self, times: np.ndarray, removed: np.ndarray, observed: np.ndarray
    ) -> pd.DataFrame:
        width = float(self.hazard_width)
        bucket = np.floor(times / width + 1e-12).astype("int64")
        if bucket[-1] < max(_BINCOUNT_SPREAD * bucket.size + 1000, _DENSE_BUCKETS):
            first = np.arange(bucket[-1] + 1)  # every bucket, empty ones too
        else:  # durations far apart: only the buckets holding some
            first, bucket = np.unique(bucket, return_inverse=True)
        n_buckets = first.size
        events = np.bincount(bucket, weights=observed, minlength=n_buckets)
        gone = np.bincount(bucket, weights=removed, minlength=n_buckets)
        at_risk = removed.sum() - np.r_[0.0, np.cumsum(gone)[:-1]]
        keep = at_risk > 0
        starts = first.astype("float64") * width
        with np.errstate(divide="ignore", invalid="ignore"):
            hazard = events / at_risk
        lower, upper = wilson_interval(
            events, at_risk, z=normal_quantile(1 - self.alpha / 2)
        )
        return pd.DataFrame(
            {
                "interval_start": starts,
                "interval_end": starts + width,
                "at_risk": at_risk,
                "events": events,
                "censored": gone - events,
                "hazard": hazard,
                "hazard_lower": lower,
                "hazard_upper": upper,
            }
        )[keep].reset_index(drop=True)


def _distinct(
    durations: Any, event_observed: Any, weights: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct durations with the weight removed and observed at each.

    Whole-number durations (days from the engine, months) are counted with one
    bincount of ``2 * duration + event``: one pass over the data, where sorting
    millions of durations would take ten times as long. Integer arrays are
    counted as they are; converting them to floats first would cost two passes.
    """
    d = np.asarray(durations).reshape(-1)
    if d.dtype.kind not in "iub":
        d = d.astype("float64", copy=False)
    n = d.shape[0]
    e = _events(event_observed, n)
    w = None if weights is None else as_counts(weights, "weights", n)
    if n == 0:
        empty = np.empty(0, dtype="float64")
        return empty, empty, empty
    # Beyond this many bins the counts would dwarf the data: sort instead.
    limit = _BINCOUNT_SPREAD * n + 1000
    if d.dtype.kind == "f":
        counted = _count_whole(d, e, w, limit) if _check_floats(d) <= limit else None
    elif _count_pairs is not None and w is None and d.dtype.kind in "ib":
        counted = _count_compiled(
            np.ascontiguousarray(d, dtype="int64"),
            None if e is None else np.ascontiguousarray(e),
            limit,
        )
    else:
        counted = _count_whole(d, e, w, limit)
    if counted is None:
        return _distinct_sorted(d.astype("float64", copy=False), e, w)
    counts, rows = counted
    observed = counts[1::2] if e is not None else counts[0::2]
    removed = counts[0::2] + counts[1::2]
    present = removed > 0 if rows is None else rows > 0
    return (
        np.flatnonzero(present).astype("float64"),
        removed[present].astype("float64"),
        observed[present].astype("float64"),
    )


def _check_floats(d: np.ndarray) -> float:
    """The largest duration, once none is missing, infinite or negative."""
    lo, hi = float(d.min()), float(d.max())
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(
            "durations hold missing or infinite values",
            hint="drop those rows or fill them before fitting",
        )
    if lo < 0:
        _negative(lo)
    return hi


def _negative(lo: float) -> None:
    raise InputError(
        f"durations hold negative values (smallest {lo:g})",
        hint="a lifetime is >= 0",
    )


def _distinct_sorted(
    d: np.ndarray, e: np.ndarray | None, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    times, index = np.unique(d, return_inverse=True)
    removed = np.bincount(index, weights=w, minlength=times.size)
    observed = removed
    if e is not None:
        hits = e if w is None else w * e
        observed = np.bincount(index, weights=hits, minlength=times.size)
    return times, removed.astype("float64"), observed.astype("float64")


def _count_whole(
    d: np.ndarray, e: np.ndarray | None, w: np.ndarray | None, limit: float
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Counts per ``2 * duration + event`` and rows per duration, or None as
    soon as a duration is not a whole number or exceeds ``limit``.

    In chunks that stay in the CPU cache, through one reused index buffer: each
    step of a chunk reads what the previous one just wrote, about twice as fast
    as whole-array passes. Integer chunks are checked for negatives and the
    limit here, on the cached chunk, instead of in passes of their own.
    """
    whole_floats = d.dtype.kind == "f"
    counts = np.zeros(0, dtype="float64" if w is not None else "int64")
    # Rows per duration, for durations whose weights are all zero: lifelines
    # keeps them on the timeline. Without weights, counts say it.
    rows = np.zeros(0, dtype="int64") if w is not None else None
    buffer = np.empty(min(_CHUNK, d.shape[0]), dtype="int64")
    for begin in range(0, d.shape[0], _CHUNK):
        part = d[begin : begin + _CHUNK]
        index = buffer[: part.shape[0]]
        if whole_floats:
            np.copyto(index, part, casting="unsafe")
            if not (index == part).all():
                return None
            if rows is not None:
                rows = _add_into(rows, np.bincount(index))
            index <<= 1
        else:
            if part.max() > limit:
                return None
            # In int64: doubling a uint8 or int16 in its own type wraps round.
            np.left_shift(part, 1, out=index, dtype="int64", casting="unsafe")
            if rows is not None:
                rows = _add_into(rows, _bincount(index >> 1, None, d))
        if e is not None:
            index += e[begin : begin + _CHUNK]
        weights = None if w is None else w[begin : begin + _CHUNK]
        counts = _add_into(counts, _bincount(index, weights, d))
    if counts.shape[0] % 2:
        counts = _add_into(counts, np.zeros(counts.shape[0] + 1, counts.dtype))
    if rows is not None:
        rows = _add_into(rows, np.zeros(counts.shape[0] // 2, rows.dtype))
    return counts, rows


def _count_compiled(
    d: np.ndarray, e: np.ndarray | None, limit: float
) -> tuple[np.ndarray, None] | None:
    """``_count_whole`` for int64 durations without weights, by the C loop: one
    pass, the histogram grown whenever a longer duration turns up."""
    n = d.shape[0]
    longest = min(int(d[:_CHUNK].max()), int(limit))
    counts = np.zeros(2 * (max(longest, 0) + 1), dtype="int64")
    at = 0
    while True:
        at, needed = _count_pairs(d, e, counts, at)
        if at == n:
            return counts, None
        if needed < 0:
            _negative(float(d.min()))
        if needed // 2 > limit:  # far beyond the rest (or past int64 / 2)
            return None
        # At least double (few regrowths), never past the limit.
        size = min(max(needed // 2 + 1, counts.shape[0]), int(limit) + 1)
        counts = _add_into(np.zeros(2 * size, dtype="int64"), counts)


def _bincount(index: np.ndarray, weights: Any, d: np.ndarray) -> np.ndarray:
    """bincount, whose refusal of negative values (integer durations are not
    checked beforehand: a pass saved) becomes the input error it is."""
    try:
        return np.bincount(index, weights=weights)
    except ValueError:
        _negative(float(d.min()))
        raise


def _add_into(total: np.ndarray, part: np.ndarray) -> np.ndarray:
    """``total + part`` over the longer of the two, zero-padded."""
    if part.shape[0] > total.shape[0]:
        grown = np.zeros(part.shape[0], dtype=total.dtype)
        grown[: total.shape[0]] = total
        total = grown
    total[: part.shape[0]] += part
    return total


def _events(event_observed: Any, n: int) -> np.ndarray | None:
    """Events as 0/1 integers (None: all observed)."""
    if event_observed is None:
        return None
    raw = np.asarray(event_observed).reshape(-1)
    if raw.dtype == np.bool_ and raw.shape[0] == n:
        return raw.view(np.int8)
    e = raw.astype("float64")
    if e.shape[0] != n or not ((e == 0) | (e == 1)).all():
        raise InputError(
            "event_observed must hold one 0 or 1 (True/False) per duration",
            hint="1 = the customer churned at that duration, 0 = still a "
            "customer then (censored)",
        )
    return e.astype(np.int8)


def _log_log_bounds(
    survival: np.ndarray, variance: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """The exponential Greenwood interval: a normal interval for log(-log S)."""
    z = normal_quantile(1 - alpha / 2)
    v = np.log(survival)
    spread = z * np.sqrt(variance) / v
    lower = np.exp(-np.exp(np.log(-v) - spread))
    upper = np.exp(-np.exp(np.log(-v) + spread))
    # Before the first event (S = 1) the interval is undefined; it is [1, 1].
    return np.nan_to_num(lower, nan=1.0), np.nan_to_num(upper, nan=1.0)


def _first_at_or_below(times: np.ndarray, curve: np.ndarray, q: float) -> float:
    """The first time the curve is at or below ``q``; inf when it never is."""
    below = np.flatnonzero(curve <= q)
    return float(times[below[0]]) if below.size else math.inf
