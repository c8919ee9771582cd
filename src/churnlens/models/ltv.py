"""Customer lifetime value: what an average customer is worth over their lifetime.

LTV = ARPA x margin x expected lifetime in months, with the lifetime taken three
ways (docs/ltv.md):

- ``simple``: 1 / monthly churn rate, the churn pooled over the last ``window``
  full months (a geometric lifetime). With a discount rate d per month the sum of
  discounted months is (1 + d) / (churn + d). The interval carries the churn
  rate's Wilson interval through that formula (it is monotone in the rate).
- ``kaplan_meier``: the area under the Kaplan-Meier curve of customer lifetimes,
  discounted continuously, up to ``horizon_months`` (default: the longest
  lifetime observed, so it is a restricted mean: a lower bound while the curve has
  not reached zero).
- ``sbg``: the shifted-beta-geometric model fitted to lifetimes in whole months:
  the expected number of months paid, discounted.

ARPA is the MRR per paying customer at the ends of the same months, pooled
(revenue_churn's ``arpa``). The kaplan_meier and sbg intervals come from a
bootstrap over customers (resampling the lifetime counts), with ARPA as measured.

``observations`` is what each estimate rests on: customer-months for ``simple``,
customers (lifetimes) for the other two.

An LTV that the data cannot support is empty (NaN) with a ``note`` saying why: no
customer churned (a churn rate of 0 is not an infinite LTV, it is too little data),
or an sBG lifetime that only a discount rate or a horizon bounds.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from churnlens.engines import EngineSpec
from churnlens.errors import ChurnlensError, ConfigError
from churnlens.metrics._intervals import wilson_interval
from churnlens.metrics._segments import ordered_segments
from churnlens.metrics.churn import churn_rate
from churnlens.metrics.lifetimes import UNITS, lifetime_table
from churnlens.metrics.revenue import revenue_churn
from churnlens.models._stats import normal_quantile
from churnlens.models.kaplan_meier import KaplanMeier
from churnlens.models.sbg import SBGModel

__all__ = ["LTV_COLUMNS", "LTV_METHODS", "lifetime_value"]

LTV_METHODS = ("simple", "kaplan_meier", "sbg")
LTV_COLUMNS = (
    "method",
    "arpa",
    "margin",
    "monthly_churn_rate",
    "expected_lifetime_months",
    "ltv",
    "ltv_lower",
    "ltv_upper",
    "observations",
    "note",
)
_DAYS_PER_MONTH = UNITS["month"]


def lifetime_value(
    data: Any = None,
    *,
    method: str = "simple",
    margin: float = 1.0,
    discount_rate: float = 0.0,
    window: int = 12,
    horizon_months: float | None = None,
    by: str | None = None,
    customers: Any = None,
    fx: Any = None,
    currency: str | None = None,
    grace_days: float = 0,
    tz: str = "UTC",
    engine: EngineSpec = None,
    now: dt.datetime | None = None,
    confidence: float = 0.95,
    n_boot: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Customer lifetime value, one row per method (and segment with ``by``).

    ``method`` is "simple", "kaplan_meier", "sbg" or "all"; ``margin`` the gross
    margin (0-1] applied to revenue; ``discount_rate`` a yearly rate (0.1 = 10% a
    year); ``window`` the number of latest full months that ARPA and the simple
    churn rate pool. Amounts are in the reporting currency (``currency``/``fx``
    as for ``revenue_churn``).

    >>> lifetime_value("churnlens.duckdb", method="all", margin=0.8)  # doctest: +SKIP
    """
    methods = _check(method, margin, discount_rate, window, horizon_months, confidence)
    monthly_discount = (1 + discount_rate) ** (1 / 12) - 1
    common = {"by": by, "customers": customers, "tz": tz, "engine": engine, "now": now}
    arpa = _arpa(data, window, fx=fx, currency=currency, **common)
    churn = (
        _churn(data, window, grace_days=grace_days, **common)
        if "simple" in methods
        else None
    )
    lifetimes = (
        lifetime_table(data, grace_days=grace_days, **common)
        if {"kaplan_meier", "sbg"} & set(methods)
        else None
    )
    rows = []
    segments = [None] if by is None else ordered_segments(pd.Series(list(arpa)))
    for segment in segments:
        seg_arpa = arpa.get(segment, math.nan)
        value = seg_arpa * margin
        for name in methods:
            if name == "simple":
                lifetime = _simple(churn.get(segment), monthly_discount, confidence)
            else:
                counts = _segment_rows(lifetimes, by, segment)
                fit = _kaplan_meier if name == "kaplan_meier" else _sbg
                lifetime = fit(
                    counts, monthly_discount, horizon_months, confidence, n_boot, seed
                )
            row = {"method": name, "arpa": seg_arpa, "margin": margin, **lifetime}
            for column in ("ltv", "ltv_lower", "ltv_upper"):
                row[column] = value * row.pop(column.replace("ltv", "months"))
            if math.isnan(seg_arpa) and not row["note"]:
                row["note"] = "no paying customers in the window: ARPA is unknown"
            if by is not None:
                row[by] = segment
            rows.append(row)
    columns = [*([by] if by else []), *LTV_COLUMNS]
    return pd.DataFrame(rows, columns=columns)


def _check(
    method: str,
    margin: float,
    discount_rate: float,
    window: int,
    horizon_months: float | None,
    confidence: float,
) -> tuple[str, ...]:
    if method == "all":
        methods = LTV_METHODS
    elif method in LTV_METHODS:
        methods = (method,)
    else:
        raise ConfigError(
            f"unknown LTV method '{method}'",
            hint=f"use one of: {', '.join(LTV_METHODS)}, all",
        )
    if not 0 < margin <= 1:
        raise ConfigError(
            f"margin must be in (0, 1], got {margin}",
            hint="give the gross margin as a share, e.g. 0.8 for 80%",
        )
    if not 0 <= discount_rate < 10:
        raise ConfigError(
            f"discount_rate must be a yearly rate >= 0, got {discount_rate}",
            hint="e.g. 0.1 for 10% a year",
        )
    if window < 1:
        raise ConfigError(f"window must be at least 1 month, got {window}")
    if horizon_months is not None and horizon_months <= 0:
        raise ConfigError(f"horizon_months must be > 0, got {horizon_months}")
    if not 0 < confidence < 1:
        raise ConfigError(f"confidence must be between 0 and 1, got {confidence}")
    return methods


# -- inputs from the metrics ------------------------------------------------------


def _arpa(data: Any, window: int, *, by: str | None, **options: Any) -> dict:
    """MRR per paying customer at the ends of the last ``window`` months, pooled."""
    rates = revenue_churn(data, period="month", by=by, n_boot=0, **options)
    out: dict[Any, float] = {}
    for segment, part in _by_segment(rates, by):
        last = part.tail(window)
        paying = float(last["customers_end"].sum())
        out[segment] = float(last["mrr_end"].sum()) / paying if paying else math.nan
    return out


def _churn(data: Any, window: int, *, by: str | None, **options: Any) -> dict:
    """(churned, customers at start) pooled over the last ``window`` months."""
    table = churn_rate(data, period="month", by=by, **options)
    out: dict[Any, tuple[int, int]] = {}
    for segment, part in _by_segment(table, by):
        last = part.tail(window)
        out[segment] = (int(last["churned"].sum()), int(last["customers_start"].sum()))
    return out


def _by_segment(table: pd.DataFrame, by: str | None) -> list[tuple[Any, pd.DataFrame]]:
    if by is None:
        return [(None, table)]
    return [
        (
            None if pd.isna(s) else s,
            table[table[by].isna() if pd.isna(s) else table[by] == s],
        )
        for s in pd.unique(table[by])
    ]


def _segment_rows(
    lifetimes: pd.DataFrame, by: str | None, segment: Any
) -> pd.DataFrame:
    if by is None:
        return lifetimes
    column = lifetimes["segment"]
    return lifetimes[column.isna() if segment is None else column == segment]


# -- the three lifetimes ----------------------------------------------------------


def _simple(
    counts: tuple[int, int] | None, d: float, confidence: float
) -> dict[str, Any]:
    churned, base = counts or (0, 0)
    out = _lifetime_row(base)
    if base == 0:
        return {**out, "note": "no customers at the start of the window's months"}
    rate = churned / base
    out["monthly_churn_rate"] = rate
    if churned == 0:
        return {
            **out,
            "note": f"no customer churned in the window ({base} customer-months): "
            "simple LTV is undefined, not infinite; widen --window or use "
            "--method kaplan_meier",
        }
    z = normal_quantile(1 - (1 - confidence) / 2)
    lower, upper = (float(b) for b in wilson_interval(churned, base, z=z))

    def months(c: float) -> float:
        return (1 + d) / (c + d) if c + d > 0 else math.nan

    out.update(months=months(rate), months_lower=months(upper))
    out["months_upper"] = months(lower)
    out["expected_lifetime_months"] = out["months"]
    return out


def _kaplan_meier(
    counts: pd.DataFrame,
    d: float,
    horizon: float | None,
    confidence: float,
    n_boot: int,
    seed: int,
) -> dict[str, Any]:
    durations, events, weights = _cells(counts)
    out = _lifetime_row(int(weights.sum()))
    if weights.sum() == 0:
        return {**out, "note": "no customer lifetimes in the data"}
    limit = horizon * _DAYS_PER_MONTH if horizon else float(durations.max())

    def months(w: np.ndarray) -> float:
        model = KaplanMeier().fit(durations, events, weights=w)
        curve = model.survival_function_
        return _discounted_area(
            curve["timeline"].to_numpy("float64"),
            curve["survival"].to_numpy("float64"),
            limit,
            d,
        )

    out["months"] = out["expected_lifetime_months"] = months(weights)
    out["months_lower"], out["months_upper"] = _bootstrap(
        months, weights, confidence, n_boot, seed
    )
    if not horizon:
        out["note"] = (
            f"restricted to the longest lifetime observed "
            f"({limit / _DAYS_PER_MONTH:.1f} months)"
        )
    return out


def _sbg(
    counts: pd.DataFrame,
    d: float,
    horizon: float | None,
    confidence: float,
    n_boot: int,
    seed: int,
) -> dict[str, Any]:
    days, events, weights = _cells(counts)
    out = _lifetime_row(int(weights.sum()))
    months_whole = np.floor(days / _DAYS_PER_MONTH + 1e-12)
    if not (weights * events).sum():
        return {**out, "note": "no customer churned: the sBG model cannot be fitted"}
    periods = None if horizon is None else int(math.ceil(horizon))

    def months(w: np.ndarray) -> float:
        keep = w > 0
        model = SBGModel().fit_lifetimes(
            months_whole[keep], events[keep], weights=w[keep]
        )
        return model.expected_lifetime(discount_rate=d, horizon=periods)

    try:
        out["months"] = months(weights)
    except ChurnlensError as e:
        return {**out, "note": e.problem}
    out["expected_lifetime_months"] = out["months"]
    if math.isinf(out["months"]):
        out["months"] = out["expected_lifetime_months"] = math.nan
        out["note"] = (
            "the fitted sBG lifetime is unbounded (alpha <= 1): give a discount "
            "rate or a horizon"
        )
        return out
    out["months_lower"], out["months_upper"] = _bootstrap(
        months, weights, confidence, n_boot, seed
    )
    return out


def _lifetime_row(observations: int) -> dict[str, Any]:
    return {
        "monthly_churn_rate": math.nan,
        "expected_lifetime_months": math.nan,
        "months": math.nan,
        "months_lower": math.nan,
        "months_upper": math.nan,
        "observations": observations,
        "note": "",
    }


def _cells(counts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lifetime counts as (duration in days, event flag, weight) cells."""
    days = counts["duration"].to_numpy("float64")
    n_events = counts["n_events"].to_numpy("float64")
    n_censored = counts["n_censored"].to_numpy("float64")
    return (
        np.concatenate([days, days]),
        np.concatenate([np.ones(days.size), np.zeros(days.size)]),
        np.concatenate([n_events, n_censored]),
    )


def _discounted_area(
    timeline: np.ndarray, survival: np.ndarray, limit: float, d: float
) -> float:
    """Months under the step curve S on [0, limit], each instant discounted by
    (1 + d) per month, continuously."""
    starts = np.concatenate([[0.0], timeline])
    values = np.concatenate([[1.0], survival])
    ends = np.concatenate([timeline, [math.inf]])
    # Steps may repeat the first time when the timeline starts at 0.
    starts, ends = np.minimum(starts, limit), np.minimum(ends, limit)
    k = math.log1p(d) / _DAYS_PER_MONTH
    # Undiscounted, each step is as wide as it lasts.
    width = ends - starts if k == 0 else (np.exp(-k * starts) - np.exp(-k * ends)) / k
    return float((values * width).sum() / _DAYS_PER_MONTH)


def _bootstrap(
    months: Any, weights: np.ndarray, confidence: float, n_boot: int, seed: int
) -> tuple[float, float]:
    """Percentile interval of ``months`` over customers resampled with replacement."""
    if n_boot <= 0:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    n = int(weights.sum())
    draws = rng.multinomial(n, weights / weights.sum(), size=n_boot)
    values = []
    for w in draws:
        try:
            values.append(months(w.astype("float64")))
        except ChurnlensError:  # a resample without a single churn
            continue
    finite = np.array([v for v in values if math.isfinite(v)])
    if finite.size < max(10, n_boot // 2):
        return math.nan, math.nan
    tail = (1 - confidence) / 2
    lower, upper = np.quantile(finite, [tail, 1 - tail])
    return float(lower), float(upper)
