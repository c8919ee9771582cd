"""Churn by support measure in a plain table with one row per customer (the
public churn datasets): churn shares by bucket with Wilson intervals and, given
the time each customer was observed, a Cox model of the measures (docs/why.md,
"Public datasets")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError
from churnlens.explain._buckets import bucket_labels, bucket_names, with_shares
from churnlens.explain._impact_model import design, fit_cox
from churnlens.inputs.plain_table import PlainTable, read_plain_table

__all__ = ["TableImpact", "bucket_table", "cox_from_table", "table_support_impact"]

_BUCKETED = "buckets with edges cut numbers"
_BUCKETED_HINT = "drop the edges (each value is then a bucket), or clean the column"


@dataclass
class TableImpact:
    """What ``table_support_impact`` found; ``hazard_ratios``, ``ph_check`` and
    ``fit`` are empty without a duration."""

    buckets: pd.DataFrame
    hazard_ratios: pd.DataFrame
    ph_check: pd.DataFrame
    fit: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables by name (what the CLI writes)."""
        out = {"support_buckets": self.buckets}
        if len(self.hazard_ratios):
            out.update(
                hazard_ratios=self.hazard_ratios,
                ph_check=self.ph_check,
                model_fit=self.fit,
            )
        return out


def table_support_impact(
    data: Any,
    churned: str,
    measures: Sequence[str],
    *,
    churned_value: str | None = None,
    duration: str | None = None,
    adjust_for: Sequence[str] = (),
    buckets: Mapping[str, Sequence[float]] | None = None,
) -> TableImpact:
    """Churn by support measure in a table with one row per customer (a public
    churn dataset): a file (CSV, Parquet, JSON Lines) or a DataFrame.

    ``churned``: the outcome column, 1/0, yes/no or true/false, or 1 where it
    equals ``churned_value``. Per measure, the churn share by bucket with Wilson
    intervals: each value a bucket, or ``buckets={measure: edges}`` cutting a
    numeric measure into [e0, e1), ..., [e_last, inf). With ``duration`` (time
    observed, the churn at its end), a Cox model of the measures (numbers as
    they are, text and bucketed measures as levels against the most frequent
    one) adjusted for the ``adjust_for`` columns (likewise).

    >>> table_support_impact("telco.csv", "Churn", ["TechSupport"],
    ...                      duration="tenure").hazard_ratios  # doctest: +SKIP
    """
    table = read_plain_table(data)
    if not measures:
        raise ConfigError(
            "no support measure given",
            hint=f"name one or more columns of the table: {', '.join(table.columns)}",
        )
    # Every column is looked up before any is parsed: a misspelt name is the
    # first thing to hear about.
    chosen = [table.find(m) for m in measures]
    adjust = [table.find(a) for a in adjust_for]
    if duration is not None:
        table.find(duration)
    flag = table.flags(churned, value=churned_value)
    edges = {table.find(k): v for k, v in (buckets or {}).items()}
    stray = [k for k in edges if k not in chosen]
    if stray:
        raise ConfigError(
            f"buckets given for {', '.join(stray)}, which is not a measure",
            hint="add it as a measure, or drop its buckets",
        )
    parts = [_table_buckets(table, m, flag, edges.get(m)) for m in chosen]
    found = pd.concat(parts, ignore_index=True)
    empty = pd.DataFrame()
    if duration is None:
        notes = ["no duration column: churn shares only, no Cox model"]
        return TableImpact(found, empty, empty, empty, notes)
    columns = {m: _covariate(table, m, edges.get(m)) for m in chosen}
    for column in adjust:
        columns.setdefault(column, _covariate(table, column, None))
    ratios, ph, fit, notes = _table_cox(table, flag, duration, columns)
    kinds = [
        "support" if _base(c) in chosen else "adjustment" for c in ratios.covariate
    ]
    ratios.insert(1, "kind", kinds)
    return TableImpact(found, ratios, ph, fit, notes)


def bucket_table(
    frame: Any,
    measure: str,
    churned: str,
    *,
    edges: Sequence[float] | None = None,
    churned_value: str | None = None,
) -> pd.DataFrame:
    """Churn share by bucket of ``measure`` in a table with one row per customer
    and a 0/1 (or yes/no, true/false) ``churned`` column, with Wilson intervals.

    ``edges`` cut a numeric measure into [e0, e1), ..., [e_last, inf); without
    them each distinct value is a bucket.

    >>> bucket_table(telco, "TechSupport", "Churn")  # doctest: +SKIP
    """
    table = read_plain_table(frame)
    flag = table.flags(churned, value=churned_value)
    return _table_buckets(table, table.find(measure), flag, edges)


def cox_from_table(
    frame: Any,
    duration: str,
    churned: str,
    covariates: Sequence[str],
    *,
    categorical: Sequence[str] = (),
) -> pd.DataFrame:
    """A Cox model on a plain table (one row per customer, ``duration`` observed
    and ``churned`` 0/1 at its end): the hazard-ratio table."""
    table = read_plain_table(frame)
    flag = table.flags(churned)
    levels = {table.find(c) for c in categorical}
    columns = {}
    for name in covariates:
        column = table.find(name)
        columns[column] = (
            (table.text(column).fillna("missing"), True)
            if column in levels
            else (table.numbers(column), False)
        )
    return _table_cox(table, flag, duration, columns)[0]


def _table_buckets(
    table: PlainTable,
    measure: str,
    flag: np.ndarray,
    edges: Sequence[float] | None,
) -> pd.DataFrame:
    if edges is not None:
        values = table.numbers(measure, purpose=_BUCKETED, hint=_BUCKETED_HINT)
        counts = bool(((values.dropna() % 1) == 0).all())
        labels = bucket_labels(values, edges, "missing", counts)
        order = bucket_names(edges, None, counts)
    else:
        labels = table.text(measure).fillna("missing")
        order = sorted(labels.unique(), key=_natural)
    grouped = (
        pd.DataFrame({"_bucket": labels, "_churned": flag})
        .groupby("_bucket", sort=False)
        .agg(observations=("_churned", "size"), churned=("_churned", "sum"))
    )
    grouped = grouped.reindex([b for b in order if b in grouped.index]).reset_index()
    grouped = grouped.rename(columns={"_bucket": "bucket"})
    grouped["customers"] = grouped["observations"]
    return with_shares(grouped, measure)


def _covariate(
    table: PlainTable, column: str, edges: Sequence[float] | None
) -> tuple[pd.Series, bool]:
    """(values, categorical): bucket labels, numbers, or text levels."""
    if edges is not None:
        values = table.numbers(column, purpose=_BUCKETED, hint=_BUCKETED_HINT)
        counts = bool(((values.dropna() % 1) == 0).all())
        return bucket_labels(values, edges, "missing", counts), True
    if table.is_numeric(column):
        return table.numbers(column), False
    return table.text(column).fillna("missing"), True


def _table_cox(
    table: PlainTable,
    flag: np.ndarray,
    duration: str,
    columns: Mapping[str, tuple[pd.Series, bool]],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
    """Hazard ratios, the PH check, the fit and notes, for one row per customer
    observed from 0 to ``duration``."""
    stop = table.numbers(duration, purpose="the duration must be one")
    rows = pd.DataFrame({name: values for name, (values, _) in columns.items()})
    rows["customer_id"], rows["start"] = np.arange(len(rows)), 0.0
    rows["stop"], rows["event"] = stop.to_numpy("float64"), flag
    notes = []
    timeless = ~(rows["stop"] > 0)
    if timeless.any():
        notes.append(
            f"{int(timeless.sum()):,} rows with a {table.find(duration)} of 0 or "
            "none are left out of the Cox model (it needs time at risk)"
        )
    numeric = [n for n, (_, categorical) in columns.items() if not categorical]
    blank = rows[numeric].isna().any(axis=1) & ~timeless
    if blank.any():
        notes.append(
            f"{int(blank.sum()):,} rows without a value of "
            f"{', '.join(numeric)} are left out of the Cox model"
        )
    rows = rows[~timeless & ~blank]
    categorical = [n for n, (_, c) in columns.items() if c]
    d = design(rows, list(columns), categorical, start="start", stop="stop")
    if len(rows) == 0 or not (np.ptp(d.X, axis=0) > 0).any():
        raise ConfigError(
            f"{', '.join(columns)}: the same value for every customer with a "
            "duration, so there is nothing to compare",
            hint="choose measures whose values differ between customers",
        )
    model = fit_cox(d)
    fit = pd.DataFrame(
        {
            "rows": [len(rows)],
            "left_out": [int(len(table.frame) - len(rows))],
            "events": [int(rows["event"].sum())],
            "duration": [table.find(duration)],
            "concordance": [model.concordance_],
        }
    )
    ratios = model.summary.copy().reset_index(drop=True)
    ratios["coef_lower"] = np.log(ratios["hazard_ratio_lower"])
    ratios["coef_upper"] = np.log(ratios["hazard_ratio_upper"])
    return ratios, model.check_proportional_hazards(), fit, notes


def _base(covariate: str) -> str:
    """The column an indicator (``TechSupport=Yes``) was made from."""
    return covariate.split("=", 1)[0]


def _natural(label: str) -> tuple[int, float, str]:
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)
