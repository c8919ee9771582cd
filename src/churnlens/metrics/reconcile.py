"""Why tools disagree: one period under every convention, customer by customer.

Each customer contributes 0 or 1 (``stripe``: one per exit or entry) to each
preset's numerator (``churned_<name>``) and denominator (``base_<name>``); a
preset's figure is the sum of its customers' contributions. Customers whose
contributions differ between presets are listed with the reasons that make them
differ, so that every difference between two figures is the sum over listed
customers of the difference of their contributions (``Reconciliation.explain``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from churnlens.engines import EngineSpec
from churnlens.errors import ConfigError
from churnlens.metrics._convention_windows import FLAGS, customer_flags, windows
from churnlens.metrics._intervals import wilson_interval
from churnlens.metrics.conventions import CONVENTIONS, check_convention
from churnlens.periods import Calendar, to_date
from churnlens.sources import Source, resolve_source

__all__ = ["REASONS", "Reconciliation", "reconcile"]

# The windows every preset reads, by tag (see Convention.window), then the
# calendar period again over the spells merged with the grace (``standard`` only).
_TAGS = ("period", "snapshot", "rolling")
_GRACED = "graced"
# Why a customer counts differently, most specific first.
REASONS = {
    "started_on_boundary": "a spell starts exactly on the period's first or last "
    "boundary: snapshot counts it at that boundary, the others just after",
    "ended_on_boundary": "a spell ends exactly on a boundary: the others count the "
    "customer at that boundary, snapshot does not",
    "joined_and_left": "entered and left the base within the window: only counted "
    "by presets that count every departure",
    "left_and_came_back": "left and was back by the window's end: a departure for "
    "presets counting departures, not churn for head-count presets",
    "left_more_than_once": "left the base more than once: stripe counts each exit",
    "entered_in_rolling_window": "entered the base in the last 30 days: in "
    "stripe's denominator only",
    "churned_in_rolling_window_only": "left in the 30 days before the period's "
    "end but not in the calendar period (or the other way round)",
    "base_differs_rolling_vs_calendar": "in the base 30 days before the period's "
    "end but not at its start (or the other way round)",
    "within_grace_gap": "a gap shorter than the grace: standard joins it, the "
    "vendors' presets count a departure and a return",
    "other": "none of the above (should not happen)",
}


@dataclass
class Reconciliation:
    """One period under several conventions.

    ``figures``: a row per convention (numerator ``churned``, denominator
    ``churn_base``, ``churn_rate`` with its Wilson interval, and the window read).
    ``customers``: a row per customer counted differently by at least two of them,
    with ``reason``, all ``reasons``, and ``churned_<name>`` / ``base_<name>``.
    """

    period_start: dt.date
    period_end: dt.date
    figures: pd.DataFrame
    customers: pd.DataFrame

    def explain(self, a: str, b: str) -> pd.DataFrame:
        """Customers behind the difference between presets ``a`` and ``b``, with
        ``churned_delta`` and ``base_delta`` (a minus b): they sum to the
        difference of the figures."""
        for name in (a, b):
            if f"churned_{name}" not in self.customers.columns:
                raise ConfigError(f"convention '{name}' was not reconciled")
        c = self.customers
        delta_churned = c[f"churned_{a}"] - c[f"churned_{b}"]
        delta_base = c[f"base_{a}"] - c[f"base_{b}"]
        relevant = _relevant(CONVENTIONS[a], CONVENTIONS[b])
        reason = [
            next((r for r in rs.split(";") if r in relevant), rs.split(";")[0])
            for rs in c["reasons"]
        ]
        out = c[["customer_id", "reasons"]].assign(
            reason=reason, churned_delta=delta_churned, base_delta=delta_base
        )[["customer_id", "reason", "reasons", "churned_delta", "base_delta"]]
        return out[(delta_churned != 0) | (delta_base != 0)].reset_index(drop=True)

    def __str__(self) -> str:
        lines = [f"Churn {self.period_start} to {self.period_end} by convention"]
        for row in self.figures.itertuples():
            lines.append(
                f"  {row.convention:<12} {row.churned:>8} / {row.churn_base:<8} "
                f"= {row.churn_rate:.2%}"
            )
        lines.append(f"{len(self.customers)} customers counted differently")
        return "\n".join(lines)


def reconcile(
    data: Any = None,
    *,
    period_start: dt.date | str,
    period: str = "month",
    conventions: list[str] | tuple[str, ...] | None = None,
    customers: Any = None,
    grace_days: float = 0,
    activity: Any = None,
    inactive_days: float | None = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
) -> Reconciliation:
    """The period containing ``period_start`` under every convention (or those
    named), with the customers behind each difference.

    ``grace_days`` is churnlens' own option and applies to ``standard`` only: the
    vendors' presets are computed as the vendors compute them, without a grace.

    >>> r = reconcile("churnlens.duckdb", period_start="2024-03-01")  # doctest: +SKIP
    >>> r.explain("stripe", "standard")  # doctest: +SKIP
    """
    calendar = Calendar(period, tz)
    names = list(conventions) if conventions else list(CONVENTIONS)
    chosen = [check_convention(n) for n in names]
    if grace_days < 0:
        raise ConfigError(f"grace_days must be >= 0, got {grace_days}")
    source = _source(data, activity, inactive_days, customers, engine, tz)
    first = calendar.floor(to_date(period_start, "period_start"))
    last = calendar.next(first)
    s, e = calendar.instant(first), calendar.instant(last)
    bounds = {t: CONVENTIONS[_example(t)].bounds(s, e) for t in _TAGS}
    # The grace is churnlens' own option: the vendors' presets have none.
    graced = source.spells(grace_days=grace_days) if grace_days > 0 else None
    per = _per_customer(source.spells(), graced, bounds, s, e)
    contributions = per.mutate(**_contributions(per, [c.name for c in chosen]))
    figures = _figures(contributions, chosen, bounds)
    listed = _differing(contributions, [c.name for c in chosen])
    table = listed.to_pandas() if listed is not None else _no_customers(chosen)
    return Reconciliation(first, last, figures, _classified(table, chosen))


def _source(
    data: Any,
    activity: Any,
    inactive_days: float | None,
    customers: Any,
    engine: EngineSpec,
    tz: str,
) -> Source:
    if activity is None and inactive_days is None:
        return resolve_source(data, customers=customers, engine=engine, tz=tz)
    from churnlens.metrics.activity import activity_source

    return activity_source(
        data,
        activity=activity,
        inactive_days=inactive_days,
        customers=customers,
        engine=engine,
        tz=tz,
    )


def _example(tag: str) -> str:
    return next(c.name for c in CONVENTIONS.values() if c.window == tag)


def _per_customer(
    spells: ir.Table,
    graced: ir.Table | None,
    bounds: dict[str, tuple[dt.datetime, dt.datetime]],
    s: dt.datetime,
    e: dt.datetime,
) -> ir.Table:
    """A row per customer touching any window: every flag in every window
    (``at_start_period``...) and whether a spell starts or ends on a boundary."""
    flags = customer_flags(spells, windows([bounds[t] for t in _TAGS]))
    if graced is not None:
        period = customer_flags(graced, windows([bounds["period"]]))
        shifted = period.mutate(_w=period._w + len(_TAGS)).select(*flags.columns)
        flags = flags.union(shifted)
    tags = (*_TAGS, _GRACED) if graced is not None else _TAGS
    pivot = {
        f"{name}_{tag}": ibis.ifelse(flags._w == i, flags[name], 0).max().cast("int64")
        for i, tag in enumerate(tags)
        for name in FLAGS
    }
    per = flags.group_by("customer_id").aggregate(**pivot)
    instants = [ibis.timestamp(s), ibis.timestamp(e)]

    def on_edge(t: ir.Table) -> tuple[ir.BooleanValue, ir.BooleanValue]:
        positive = t.spell_end.isnull() | (t.spell_end > t.spell_start)
        starts = positive & t.spell_start.isin(instants)
        ends = positive & t.spell_end.notnull() & t.spell_end.isin(instants)
        return starts, ends

    edges = spells.filter(ibis.or_(*on_edge(spells)))
    starts, ends = on_edge(edges)
    edge = edges.group_by(customer=edges.customer_id).aggregate(
        starts_on_boundary=_one(starts).max(), ends_on_boundary=_one(ends).max()
    )
    joined = per.left_join(edge, per.customer_id == edge.customer)
    return joined.select(
        *[per[c] for c in per.columns],
        starts_on_boundary=edge.starts_on_boundary.fill_null(0).cast("int64"),
        ends_on_boundary=edge.ends_on_boundary.fill_null(0).cast("int64"),
    )


def _relevant(a: Any, b: Any) -> set[str]:
    """The reasons that can make presets ``a`` and ``b`` differ."""
    names, tags = {a.name, b.name}, {a.window, b.window}
    found = set()
    if "snapshot" in tags:
        found |= {"started_on_boundary", "ended_on_boundary"}
    if "rolling" in tags and len(tags) > 1:
        found |= {"churned_in_rolling_window_only", "base_differs_rolling_vs_calendar"}
    if names & {"recurly", "baremetrics", "stripe"}:
        found |= {"joined_and_left", "left_and_came_back"}
    if "stripe" in names:
        found |= {"left_more_than_once", "entered_in_rolling_window"}
    if "standard" in names:
        found.add("within_grace_gap")
    return found


def _one(condition: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(condition, 1, 0).cast("int64")


def _contributions(per: ir.Table, names: list[str]) -> dict[str, ir.IntegerValue]:
    """Each customer's share of each preset's numerator and denominator."""

    def head_count(tag: str) -> tuple[ir.IntegerValue, ir.IntegerValue]:
        start, end = per[f"at_start_{tag}"], per[f"at_end_{tag}"]
        return _one((start == 1) & (end == 0)), start

    graced = _GRACED if f"at_start_{_GRACED}" in per.columns else "period"
    rules = {
        "standard": head_count(graced),
        "snapshot": head_count("snapshot"),
        "profitwell": head_count("period"),
        "recurly": (_one(per.exits_period > 0), per.at_start_period),
        "baremetrics": (_one(per.exits_rolling > 0), per.at_start_rolling),
        "stripe": (per.exits_rolling, per.at_start_rolling + per.entries_rolling),
    }
    out: dict[str, ir.IntegerValue] = {}
    for name in names:
        churned, base = rules[name]
        out[f"churned_{name}"] = churned.cast("int64")
        out[f"base_{name}"] = base.cast("int64")
    return out


def _figures(
    contributions: ir.Table,
    chosen: list[Any],
    bounds: dict[str, tuple[dt.datetime, dt.datetime]],
) -> pd.DataFrame:
    sums = {}
    for c in chosen:
        for part in ("churned", "base"):
            column = contributions[f"{part}_{c.name}"]
            sums[f"{part}_{c.name}"] = column.sum().cast("int64")
    row = contributions.aggregate(**sums).to_pyarrow().to_pylist()[0]
    churned = np.array([row[f"churned_{c.name}"] or 0 for c in chosen], dtype="int64")
    base = np.array([row[f"base_{c.name}"] or 0 for c in chosen], dtype="int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(base > 0, churned / base.astype("float64"), np.nan)
    lower, upper = wilson_interval(churned, np.where(churned <= base, base, 0))
    return pd.DataFrame(
        {
            "convention": [c.name for c in chosen],
            "window_start": [bounds[c.window][0] for c in chosen],
            "window_end": [bounds[c.window][1] for c in chosen],
            "churned": churned,
            "churn_base": base,
            "churn_rate": rate,
            "churn_rate_lower": lower,
            "churn_rate_upper": upper,
        }
    )


def _differing(contributions: ir.Table, names: list[str]) -> ir.Table | None:
    if len(names) < 2:
        return None
    first = names[0]
    differs = ibis.literal(False)
    for name in names[1:]:
        for part in ("churned", "base"):
            a, b = contributions[f"{part}_{first}"], contributions[f"{part}_{name}"]
            differs = differs | (a != b)
    return contributions.filter(differs).order_by("customer_id")


def _no_customers(chosen: list[Any]) -> pd.DataFrame:
    columns = ["customer_id"] + [
        f"{part}_{c.name}" for c in chosen for part in ("churned", "base")
    ]
    return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})


def _classified(table: pd.DataFrame, chosen: list[Any]) -> pd.DataFrame:
    counts = [f"{part}_{c.name}" for c in chosen for part in ("churned", "base")]
    if table.empty:
        out = pd.DataFrame(
            {"customer_id": pd.Series(dtype="object"), "reason": [], "reasons": []}
        )
        for column in counts:
            out[column] = pd.Series(dtype="int64")
        return out
    reasons = [_reasons(row) for row in table.to_dict("records")]
    out = pd.DataFrame(
        {
            "customer_id": table["customer_id"].astype(object),
            "reason": [r[0] for r in reasons],
            "reasons": [";".join(r) for r in reasons],
        }
    )
    for column in counts:
        out[column] = table[column].to_numpy(dtype="int64")
    return out


def _reasons(row: dict[str, Any]) -> list[str]:
    """Every reason that applies to a customer counted differently."""
    found = []
    snapshot_differs = (
        row["at_start_period"] != row["at_start_snapshot"]
        or row["at_end_period"] != row["at_end_snapshot"]
    )
    if snapshot_differs and row["starts_on_boundary"]:
        found.append("started_on_boundary")
    if snapshot_differs and row["ends_on_boundary"]:
        found.append("ended_on_boundary")
    for tag in ("period", "rolling"):
        left = row[f"exits_{tag}"] > 0
        if left and not row[f"at_start_{tag}"] and not row[f"at_end_{tag}"]:
            found.append("joined_and_left")
        if left and row[f"at_end_{tag}"]:
            found.append("left_and_came_back")
        if row[f"exits_{tag}"] > 1:
            found.append("left_more_than_once")
    if row["entries_rolling"] > 0:
        found.append("entered_in_rolling_window")
    if (row["exits_rolling"] > 0) != (row["exits_period"] > 0):
        found.append("churned_in_rolling_window_only")
    if row["at_start_rolling"] != row["at_start_period"]:
        found.append("base_differs_rolling_vs_calendar")
    if f"at_start_{_GRACED}" in row and any(
        row[f"{name}_{_GRACED}"] != row[f"{name}_period"]
        for name in ("at_start", "at_end", "exits")
    ):
        found.append("within_grace_gap")
    unique = list(dict.fromkeys(found))
    return unique or ["other"]
