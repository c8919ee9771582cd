"""The measured effect of customer service on churn.

Three views of one set of counting-process rows (``_impact_rows``; the method
is in docs/why.md):

(a) ``buckets``: at every period boundary, the customers in the base, their
    support measure then, and whether they asked to cancel (or left) within the
    next ``horizon_days``: churn share per measure bucket, Wilson intervals.
(b) ``hazard_ratios``: a Cox model with the support covariates as they change
    over each customer's life, adjusted for plan, MRR and tenure (the time
    scale): hazard ratios with 95% intervals, concordance, the proportional-
    hazards check.
(c) ``what_if``: customers and MRR that churn would have spared over the last
    ``horizon_days`` had a support target been met: an estimate from the model,
    with an interval from the coefficients' uncertainty.

``table_support_impact`` (explain/table_impact.py, re-exported here) gives (a)
and (b) for a plain table with one row per customer (public churn datasets).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churnlens.engines import EngineSpec
from churnlens.errors import ConfigError
from churnlens.explain._buckets import (
    BUCKET_COLUMNS,
    bucket_labels,
    bucket_names,
    with_shares,
)
from churnlens.explain._impact_model import Baseline as _Baseline
from churnlens.explain._impact_model import design, fit_cox
from churnlens.explain._impact_rows import (
    SUPPORT_COVARIATES,
    counting_rows,
    tickets_of,
)
from churnlens.explain.table_impact import (
    TableImpact,
    bucket_table,
    cox_from_table,
    table_support_impact,
)
from churnlens.models.cox import CoxTimeVarying
from churnlens.periods import Calendar, check_timezone
from churnlens.sources import resolve_source

__all__ = [
    "DEFAULT_BUCKETS",
    "DEFAULT_MEASURES",
    "SUPPORT_COVARIATES",
    "SupportImpact",
    "TableImpact",
    "bucket_table",
    "cox_from_table",
    "support_impact",
    "table_support_impact",
]

DEFAULT_MEASURES = ("slow_first_response", "low_satisfaction", "open_ticket_over_7d")
# Bucket edges per measure: [e0, e1), [e1, e2), ..., [e_last, inf).
DEFAULT_BUCKETS: dict[str, tuple[float, ...]] = {
    "tickets_90d": (0, 1, 2, 4),
    "first_response_hours_mean": (0, 1, 4, 24, 72),
    "bad_ratings": (0, 1),
    "oldest_open_days": (0, 7, 30),
    "first_response_sla_breaches": (0, 1, 2),
    "reopened_tickets": (0, 1),
}
# What a missing measure means, as its bucket's label.
_MISSING = {
    "first_response_hours_mean": "no answered ticket",
    "oldest_open_days": "no open ticket",
    "bad_ratings": "no rating",
}
_CONTINUOUS = ("first_response_hours_mean", "oldest_open_days")
WHAT_IF_COLUMNS = (
    "target",
    "covariate",
    "target_value",
    "rows_changed",
    "customers_changed",
    "window_start",
    "window_end",
    "observed_churned",
    "expected_churned",
    "churned_avoided",
    "churned_avoided_lower",
    "churned_avoided_upper",
    "mrr_avoided",
    "mrr_avoided_lower",
    "mrr_avoided_upper",
    "kind",
)


@dataclass
class SupportImpact:
    """What ``support_impact`` found; every table is a DataFrame."""

    buckets: pd.DataFrame
    hazard_ratios: pd.DataFrame
    concordance: float
    ph_check: pd.DataFrame
    what_if: pd.DataFrame
    fit: pd.DataFrame
    rows: pd.DataFrame = field(repr=False)
    model: CoxTimeVarying = field(repr=False)
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables by name (what the CLI writes)."""
        return {
            "support_buckets": self.buckets,
            "hazard_ratios": self.hazard_ratios,
            "ph_check": self.ph_check,
            "what_if": self.what_if,
            "model_fit": self.fit,
        }


def support_impact(
    data: Any = None,
    *,
    horizon_days: float = 90,
    measures: Sequence[str] | None = None,
    buckets: Mapping[str, Sequence[float]] | None = None,
    adjust_for: Sequence[str] = ("plan", "mrr", "tenure"),
    sla_first_response_hours: float = 24.0,
    targets: Mapping[str, float] | Sequence[str] | None = None,
    period: str = "month",
    tickets: Any = None,
    fx: Any = None,
    currency: str | None = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
    now: dt.datetime | None = None,
    n_boot: int = 200,
    seed: int = 0,
) -> SupportImpact:
    """How customer service moves churn, from a store with subscriptions and
    tickets.

    ``measures``: support covariates of the model (``SUPPORT_COVARIATES``;
    default ``DEFAULT_MEASURES``). ``buckets``: edges per raw measure for the
    bucket table (default ``DEFAULT_BUCKETS``). ``adjust_for``: "plan", "mrr"
    (log(1 + MRR), needs ``fx`` with several currencies), "tenure" (the time
    scale: days since the spell start; without it calendar time), and any other
    subscription or customer column (as categories). ``targets``: covariates to
    set to a target value (default 0: the target met) in the what-if; a list
    means each at 0. ``period``: how often the measures are re-read (the rows'
    length). ``n_boot``: draws for the what-if's interval.

    >>> support_impact("churnlens.duckdb").hazard_ratios  # doctest: +SKIP
    """
    check_timezone(tz)
    if horizon_days <= 0:
        raise ConfigError(f"horizon_days must be > 0, got {horizon_days}")
    if n_boot < 0:
        raise ConfigError(f"n_boot must be >= 0, got {n_boot}")
    chosen = list(measures) if measures is not None else list(DEFAULT_MEASURES)
    unknown = [m for m in chosen if m not in SUPPORT_COVARIATES]
    if unknown:
        raise ConfigError(
            f"unknown support measure(s): {', '.join(unknown)}",
            hint=f"use some of: {', '.join(SUPPORT_COVARIATES)}",
        )
    calendar = Calendar(period, tz)
    source = resolve_source(data, engine=engine, tz=tz)
    adjust = tuple(adjust_for)
    attributes = tuple(a for a in adjust if a not in ("tenure",))
    built = counting_rows(
        source,
        tickets_of(data, tickets),
        calendar=calendar,
        sla_first_response_hours=sla_first_response_hours,
        covariates=tuple(chosen),
        attributes=attributes,
        fx=fx,
        currency=currency,
        engine=engine,
        now=now,
    )
    rows, notes = built.frame, list(built.notes)
    _check_attributes(rows, attributes)
    if "tenure" in adjust:
        rows["start"], rows["stop"] = rows["tenure_start"], rows["tenure_stop"]
    else:
        origin = pd.Timestamp(built.observed_from)
        rows["start"] = (rows["row_from"] - origin) / pd.Timedelta(days=1)
        rows["stop"] = (rows["row_to"] - origin) / pd.Timedelta(days=1)
    covariates, categorical = list(chosen), []
    for name in attributes:
        if name == "mrr":
            if rows["mrr"].notna().any():
                rows["log_mrr"] = np.log1p(rows["mrr"].clip(lower=0).fillna(0.0))
                covariates.append("log_mrr")
        else:
            covariates.append(name)
            if not pd.api.types.is_numeric_dtype(rows[name]):
                categorical.append(name)
    d = design(rows, covariates, categorical, start="start", stop="stop")
    model = fit_cox(d)
    table = _bucket_rows(rows, horizon_days, built.observed_to, buckets)
    what_if = _what_if(
        rows,
        d,
        model,
        chosen,
        targets,
        horizon_days=horizon_days,
        observed_to=built.observed_to,
        n_boot=n_boot,
        seed=seed,
    )
    fit = pd.DataFrame(
        {
            "rows": [len(rows)],
            "customers": [rows["customer_id"].nunique()],
            "events": [int(rows["event"].sum())],
            "observed_from": [built.observed_from],
            "observed_to": [built.observed_to],
            "concordance": [model.concordance_],
            "time_scale": ["tenure_days" if "tenure" in adjust else "calendar_days"],
            "currency": [built.currency],
        }
    )
    return SupportImpact(
        buckets=table,
        hazard_ratios=_ratios(model),
        concordance=float(model.concordance_),
        ph_check=model.check_proportional_hazards(),
        what_if=what_if,
        fit=fit,
        rows=rows,
        model=model,
        notes=notes,
    )


def _check_attributes(rows: pd.DataFrame, attributes: tuple[str, ...]) -> None:
    missing = [a for a in attributes if a != "mrr" and a not in rows.columns]
    if missing:
        raise ConfigError(
            f"cannot adjust for {', '.join(missing)}: no such subscription or "
            "customer column",
            hint="use plan, mrr, tenure or a column of the subscriptions/customers",
        )


def _ratios(model: CoxTimeVarying) -> pd.DataFrame:
    table = model.summary.copy()
    table.insert(
        1,
        "kind",
        [
            "support" if c in SUPPORT_COVARIATES else "adjustment"
            for c in table["covariate"]
        ],
    )
    table["coef_lower"] = np.log(table["hazard_ratio_lower"])
    table["coef_upper"] = np.log(table["hazard_ratio_upper"])
    return table.reset_index(drop=True)


# -- (a) buckets ------------------------------------------------------------------


def _bucket_rows(
    rows: pd.DataFrame,
    horizon_days: float,
    observed_to: dt.datetime,
    buckets: Mapping[str, Sequence[float]] | None,
) -> pd.DataFrame:
    """One observation per customer at each boundary with a full horizon after it."""
    horizon = pd.Timedelta(days=horizon_days)
    boundary = ~rows["first_cut"] & ~rows["at_change"]
    at_cut = rows[boundary & (rows["row_from"] + horizon <= observed_to)]
    churned = (at_cut["spell_event"] == 1) & (
        at_cut["exit_at"] <= at_cut["row_from"] + horizon
    )
    frame = at_cut.assign(_churned=churned.astype("int64"))
    edges = dict(DEFAULT_BUCKETS)
    if buckets:
        edges.update({k: tuple(v) for k, v in buckets.items()})
    parts = []
    for measure, cut in edges.items():
        if (
            measure not in frame
            or frame[measure].isna().all()
            and measure not in _MISSING
        ):
            continue
        values = frame[measure].astype("float64")
        if measure == "bad_ratings":
            values = values.where(frame["rated_tickets"] > 0)
        if measure == "reopened_tickets" and not (values > 0).any():
            continue
        counts = measure not in _CONTINUOUS
        labels = bucket_labels(values, cut, _MISSING.get(measure, "missing"), counts)
        order = bucket_names(cut, _MISSING.get(measure), counts)
        parts.append(_shares(frame.assign(_bucket=labels), measure, order))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in BUCKET_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    out["horizon_days"] = horizon_days
    return out


def _shares(frame: pd.DataFrame, measure: str, order: list[str]) -> pd.DataFrame:
    grouped = frame.groupby("_bucket", sort=False).agg(
        observations=("_churned", "size"),
        customers=("customer_id", "nunique"),
        churned=("_churned", "sum"),
    )
    grouped = grouped.reindex([b for b in order if b in grouped.index])
    return with_shares(
        grouped.reset_index().rename(columns={"_bucket": "bucket"}), measure
    )


# -- (c) what-if ------------------------------------------------------------------


def _what_if(
    rows: pd.DataFrame,
    d: Any,
    model: CoxTimeVarying,
    support: list[str],
    targets: Mapping[str, float] | Sequence[str] | None,
    *,
    horizon_days: float,
    observed_to: dt.datetime,
    n_boot: int,
    seed: int,
) -> pd.DataFrame:
    names = list(model.params_.index)
    if targets is None:
        goals = {c: 0.0 for c in support if c in names}
    elif isinstance(targets, Mapping):
        goals = {k: float(v) for k, v in targets.items()}
    else:
        goals = dict.fromkeys(targets, 0.0)
    bad = [k for k in goals if k not in names]
    if bad:
        raise ConfigError(
            f"no covariate {', '.join(bad)} in the model to set a target on",
            hint=f"targets must be among the model's covariates: {', '.join(names)}",
        )
    columns = [d.names.index(n) for n in names]
    X = d.X[:, columns]
    beta = model.params_.to_numpy()
    end = pd.Timestamp(observed_to)
    window_start = end - pd.Timedelta(days=horizon_days)
    inside = (rows["row_to"] > window_start).to_numpy()
    shift = np.clip(
        ((window_start - rows["row_from"]) / pd.Timedelta(days=1)).to_numpy("float64"),
        0,
        None,
    )
    a = np.minimum(d.start + shift, d.stop)
    mrr = (
        rows["mrr"].to_numpy("float64") if "mrr" in rows else np.full(len(rows), np.nan)
    )
    observed = int(
        rows["event"].to_numpy()[inside & (rows["row_to"] <= end).to_numpy()].sum()
    )
    plans = [(k, {k: v}) for k, v in goals.items()]
    if len(plans) > 1:
        plans.append(("all", dict(goals)))
    X_in, a_in, b_in = X[inside], a[inside], d.stop[inside]
    mrr_in = mrr[inside]
    changed_X = []
    for _, goal in plans:
        new = X_in.copy()
        for k, v in goal.items():
            j = names.index(k)
            new[:, j] = np.minimum(new[:, j], v)
        changed_X.append(new)
    changed_rows = [(new != X_in).any(axis=1) for new in changed_X]
    baseline = _Baseline(d)

    def evaluate(b: np.ndarray) -> np.ndarray:
        """Per plan: expected churned, churned avoided, MRR avoided."""
        eta = X @ b
        dh = baseline.increments(eta, a_in, b_in)
        risk = np.exp(eta[inside])
        out = np.empty((len(plans), 3))
        for p, new in enumerate(changed_X):
            rows_p = changed_rows[p]
            spared = dh[rows_p] * (risk[rows_p] - np.exp(new[rows_p] @ b))
            out[p] = (
                (dh * risk).sum(),
                spared.sum(),
                np.nansum(spared * mrr_in[rows_p])
                if np.isfinite(mrr_in).any()
                else np.nan,
            )
        return out

    point = evaluate(beta)
    draws = _draws(model, beta, n_boot, seed)
    if len(draws):
        boot = np.stack([evaluate(b) for b in draws])
        low = np.full_like(point, np.nan)
        high = np.full_like(point, np.nan)
        known = np.isfinite(boot).all(axis=0)
        low[known], high[known] = np.percentile(boot[:, known], [2.5, 97.5], axis=0)
    else:
        low = high = np.full_like(point, np.nan)
    out = []
    for p, (name, goal) in enumerate(plans):
        changed = changed_rows[p]
        value = None if name == "all" else goal[name]
        out.append(
            {
                "target": "all targets met"
                if name == "all"
                else f"{name} <= {value:g}",
                "covariate": name,
                "target_value": np.nan if value is None else value,
                "rows_changed": int(changed.sum()),
                "customers_changed": int(pd.Series(d.ids[inside][changed]).nunique()),
                "window_start": window_start.to_pydatetime(),
                "window_end": end.to_pydatetime(),
                "observed_churned": observed,
                "expected_churned": point[p, 0],
                "churned_avoided": point[p, 1],
                "churned_avoided_lower": low[p, 1],
                "churned_avoided_upper": high[p, 1],
                "mrr_avoided": point[p, 2],
                "mrr_avoided_lower": low[p, 2],
                "mrr_avoided_upper": high[p, 2],
                "kind": "estimate",
            }
        )
    return pd.DataFrame(out, columns=list(WHAT_IF_COLUMNS))


def _draws(model: CoxTimeVarying, beta: np.ndarray, n: int, seed: int) -> np.ndarray:
    if n == 0:
        return np.empty((0, len(beta)))
    rng = np.random.default_rng(seed)
    cov = np.asarray(model.variance_matrix_, dtype="float64")
    return rng.multivariate_normal(beta, cov, size=n, method="cholesky")
