"""Survival of customer lifetimes from data: Kaplan-Meier per segment, median and
restricted mean lifetime, hazard by tenure and the log-rank test.

The engine counts lifetimes per duration (``churnlens.metrics.lifetimes``); the
curves are fitted on those counts. See docs/survival.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churnlens.engines import EngineSpec
from churnlens.metrics.lifetimes import lifetime_table, to_unit
from churnlens.models._logrank import LogrankResult, logrank_test
from churnlens.models.kaplan_meier import SURVIVAL_COLUMNS, KaplanMeier

__all__ = ["SUMMARY_COLUMNS", "SurvivalAnalysis", "survival_analysis", "survival_curve"]

SUMMARY_COLUMNS = (
    "customers",
    "events",
    "censored",
    "median_lifetime",
    "median_lifetime_lower",
    "median_lifetime_upper",
    "rmst",
    "rmst_lower",
    "rmst_upper",
    "rmst_horizon",
)


# The default width of the hazard's tenure buckets: about a month in each unit.
_MONTH_IN = {"day": 30.0, "week": 4.0, "month": 1.0}


@dataclass
class SurvivalAnalysis:
    """Everything ``survival_analysis`` found.

    ``table``: the curves, long form (``segment`` first when split);
    ``summary``: a row per segment (median and restricted mean lifetime with
    intervals, all segments sharing one horizon); ``hazard``: events / at risk
    per unit of tenure; ``logrank``: the test across segments (None unsplit);
    ``models``: the fitted ``KaplanMeier`` per segment (key None unsplit);
    ``lifetimes``: the counts they were fitted on.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    hazard: pd.DataFrame
    logrank: LogrankResult | None
    unit: str
    models: dict[Any, KaplanMeier] = field(repr=False, default_factory=dict)
    lifetimes: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)


def survival_curve(
    data: Any = None,
    *,
    by: str | None = None,
    unit: str = "day",
    grace_days: float = 0,
    spell: str = "first",
    customers: Any = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
    now: dt.datetime | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Kaplan-Meier survival of customer lifetimes, one row per duration.

    Columns: ``timeline`` (in ``unit``s: day, week or month), ``at_risk``,
    ``events``, ``censored``, ``survival`` and its log-log interval
    ``survival_lower``/``survival_upper``; a ``segment`` column first with ``by``.

    >>> survival_curve("churnlens.duckdb", unit="month", by="plan")  # doctest: +SKIP
    """
    return survival_analysis(
        data,
        by=by,
        unit=unit,
        grace_days=grace_days,
        spell=spell,
        customers=customers,
        tz=tz,
        engine=engine,
        now=now,
        alpha=alpha,
    ).table


def survival_analysis(
    data: Any = None,
    *,
    by: str | None = None,
    unit: str = "day",
    grace_days: float = 0,
    spell: str = "first",
    customers: Any = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
    now: dt.datetime | None = None,
    alpha: float = 0.05,
    horizon: float | None = None,
    hazard_width: float | None = None,
) -> SurvivalAnalysis:
    """Curves, median and restricted mean lifetime, hazard and log-rank test.

    ``horizon`` bounds the restricted mean (in ``unit``s); by default it is the
    shortest of the segments' longest durations, so that segments compare.
    ``hazard_width`` is the width of the tenure buckets of ``hazard`` in ``unit``s
    (default about a month: 30 days, 4 weeks or 1 month).

    >>> result = survival_analysis("churnlens.duckdb", by="plan")  # doctest: +SKIP
    >>> result.summary, result.logrank.p_value  # doctest: +SKIP
    """
    counts = lifetime_table(
        data,
        by=by,
        grace_days=grace_days,
        spell=spell,
        customers=customers,
        tz=tz,
        engine=engine,
        now=now,
    )
    counts = to_unit(counts, unit)
    groups = _groups(counts, by)
    width = hazard_width if hazard_width is not None else _MONTH_IN[unit]
    models = {
        key: KaplanMeier(alpha=alpha, hazard_width=width).fit(
            np.r_[part["duration"], part["duration"]],
            np.r_[np.ones(len(part)), np.zeros(len(part))],
            weights=np.r_[part["n_events"], part["n_censored"]],
        )
        for key, part in groups.items()
    }
    if horizon is None and models:
        horizon = min(
            float(m.survival_function_["timeline"].iloc[-1]) for m in models.values()
        )
    return SurvivalAnalysis(
        table=_stacked(models, by, lambda m: m.survival_function_, SURVIVAL_COLUMNS),
        summary=_summary(models, by, horizon),
        hazard=_stacked(models, by, lambda m: m.hazard_, None),
        logrank=_logrank(counts) if by is not None and len(groups) > 1 else None,
        unit=unit,
        models=models,
        lifetimes=counts,
    )


def _groups(counts: pd.DataFrame, by: str | None) -> dict[Any, pd.DataFrame]:
    counts = counts[(counts["n_events"] + counts["n_censored"]) > 0]
    if by is None:
        return {None: counts} if len(counts) else {}
    out: dict[Any, pd.DataFrame] = {}
    for segment in pd.unique(counts["segment"]):
        mask = (
            counts["segment"].isna()
            if _missing(segment)
            else counts["segment"] == segment
        )
        out[None if _missing(segment) else segment] = counts[mask]
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _stacked(
    models: dict[Any, KaplanMeier],
    by: str | None,
    part: Any,
    columns: tuple[str, ...] | None,
) -> pd.DataFrame:
    frames = []
    for key, model in models.items():
        frame = part(model).copy()
        if by is not None:
            frame.insert(0, "segment", key)
        frames.append(frame)
    if not frames:
        names = list(columns or ())
        if by is not None:
            names.insert(0, "segment")
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in names})
    return pd.concat(frames, ignore_index=True)


def _summary(
    models: dict[Any, KaplanMeier], by: str | None, horizon: float | None
) -> pd.DataFrame:
    rows = []
    for key, model in models.items():
        row = model.summary.iloc[0].to_dict()
        lower, upper = model.restricted_mean_lifetime_interval(horizon)
        row.update(
            rmst=model.restricted_mean_lifetime(horizon),
            rmst_lower=lower,
            rmst_upper=upper,
            rmst_horizon=horizon,
        )
        if by is not None:
            row = {"segment": key, **row}
        rows.append(row)
    columns = (["segment"] if by is not None else []) + list(SUMMARY_COLUMNS)
    return pd.DataFrame(rows, columns=columns)


def _logrank(counts: pd.DataFrame) -> LogrankResult:
    labels = counts["segment"].astype("object").where(counts["segment"].notna(), None)
    return logrank_test(
        np.r_[counts["duration"], counts["duration"]],
        np.r_[labels.to_numpy(), labels.to_numpy()],
        np.r_[np.ones(len(counts)), np.zeros(len(counts))],
        weights=np.r_[counts["n_events"], counts["n_censored"]],
    )
