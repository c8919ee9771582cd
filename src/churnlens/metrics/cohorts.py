"""Signup cohorts x age: how many of a period's new customers (or how much of their
MRR) are still in the base 0, 1, 2, ... periods later.

The definitions are in docs/cohorts.md. A customer's cohort is the period of their
first ever ``started_at``; their count at age k is taken at the end of period
cohort + k, with the base of docs/churn-rate.md. The engine counts spells entering
and leaving the base per (cohort, period key) (see ``_cohort_events``); numpy then
accumulates them along each cohort's ages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from churnlens.engines import EngineSpec
from churnlens.errors import ConfigError
from churnlens.metrics._cohort_events import MICRO, customer_events, first_runs
from churnlens.metrics._cohort_revenue import revenue_flows
from churnlens.metrics._segments import SEGMENT, ordered_segments, with_segment
from churnlens.periods import Calendar, naive_utc, to_date
from churnlens.sources import resolve_source

__all__ = ["COHORT_COLUMNS", "KINDS", "REVENUE_COLUMNS", "cohort_table", "to_wide"]

KINDS = ("customers", "revenue")
_KEYS = ("cohort", "age", "period_start", "period_end")
COHORT_COLUMNS = (*_KEYS, "cohort_size", "customers", "retention")
REVENUE_COLUMNS = (*_KEYS, "cohort_size", "cohort_mrr", "mrr", "retention")


def cohort_table(
    data: Any = None,
    *,
    period: str = "month",
    kind: Literal["customers", "revenue"] = "customers",
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: str | None = None,
    customers: Any = None,
    fx: Any = None,
    currency: str | None = None,
    returning: bool = True,
    grace_days: float = 0,
    tz: str = "UTC",
    engine: EngineSpec = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """Retention of signup cohorts by age, one row per (cohort[, segment], age).

    ``kind="customers"``: ``customers`` of the cohort in the base at the end of
    period cohort + age, ``retention = customers / cohort_size``. ``kind="revenue"``:
    the cohort's monthly ``mrr`` then (in constant ``currency``, converted with
    ``fx``), ``retention = mrr / cohort_mrr`` (its MRR at age 0). Ages are reported
    while their end lies within the data (the triangle); ``start``/``end`` pick the
    cohorts (the periods containing those dates). ``returning=False`` counts a
    customer only until they first leave (at period ends), not again after they
    come back. ``to_wide`` pivots the result.

    >>> cohort_table("churnlens.duckdb", period="quarter")  # doctest: +SKIP
    """
    calendar = Calendar(period, tz)
    columns = _checked_columns(kind, by, grace_days, fx, currency, returning)
    source = resolve_source(data, customers=customers, engine=engine, tz=tz)
    # Split first: an unknown ``by`` is an error even where no cohort is full.
    spells = with_segment(source.spells(grace_days=grace_days), source, by)
    span = source.span()
    if span is None:
        return _empty(columns, by)
    cohorts, last_boundary = _cohort_range(
        calendar, span, start=start, end=end, now=now
    )
    if not cohorts:
        return _empty(columns, by)
    segmented = by is not None
    entries_query, exits_query = customer_events(
        spells, calendar, span, segmented=segmented
    )
    entries = entries_query.to_pandas()
    if returning:
        heads = (entries, exits_query.to_pandas())
    else:
        heads = _first_run_flows(
            first_runs(spells, calendar, span, segmented=segmented)
        )
    flows = None
    if kind == "revenue":
        flows = revenue_flows(
            source,
            spells,
            calendar,
            span,
            segmented=segmented,
            fx=fx,
            currency=currency,
        )
    return _assemble(
        calendar, cohorts, last_boundary, entries, heads, flows, by, columns
    )


def _first_run_flows(runs: ir.Table) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ins, outs) for ``returning=False``: each customer enters at age 0 and
    leaves at the end of their first unbroken run."""
    frame = runs.to_pandas()
    ins = frame.assign(_ps=frame["_c"])
    outs = frame[frame["_end"].notna()].rename(columns={"_end": "_pe"})
    return ins, outs


def _checked_columns(
    kind: str,
    by: str | None,
    grace_days: float,
    fx: Any,
    currency: str | None,
    returning: bool,
) -> tuple[str, ...]:
    """The result's columns, once the options are known to make sense."""
    if kind not in KINDS:
        raise ConfigError(
            f"unknown kind '{kind}'", hint=f"use one of: {', '.join(KINDS)}"
        )
    columns = COHORT_COLUMNS if kind == "customers" else REVENUE_COLUMNS
    if by in columns:
        raise ConfigError(
            f"cannot split by '{by}': the table has a column of that name",
            hint="rename the attribute in the customers table",
        )
    if grace_days < 0:
        raise ConfigError(f"grace_days must be >= 0, got {grace_days}")
    if kind == "customers" and (fx is not None or currency is not None):
        raise ConfigError(
            "fx and currency only apply to revenue cohorts",
            hint="add kind='revenue' (--kind revenue), or leave fx and currency out",
        )
    if not returning and kind == "revenue":
        raise ConfigError(
            "returning=False applies to customer cohorts only",
            hint="revenue cohorts follow all of the cohort's MRR; drop returning",
        )
    return columns


def _cohort_range(
    calendar: Calendar,
    span: tuple[dt.datetime, dt.datetime],
    *,
    start: dt.date | str | None,
    end: dt.date | str | None,
    now: dt.datetime | None,
) -> tuple[list[int], int]:
    """The cohorts' period keys, and the key of the last period boundary within
    the data: the start of period ``last_boundary`` is at or before the data end.

    A cohort is reported when at least its age 0 is, i.e. its period ends by then.
    """
    first, last = span
    cap = naive_utc(now or dt.datetime.now(dt.UTC))
    data_end = min(last, cap)
    floor = calendar.floor(calendar.local_date(data_end))
    if calendar.instant(floor) > data_end:  # only where midnight is skipped
        floor = calendar.floor(floor - dt.timedelta(days=1))
    last_boundary = calendar.key_of(floor)
    lo = calendar.key_of(calendar.local_date(first))
    hi = last_boundary - 1
    asked = None if start is None else calendar.key_of(to_date(start, "start"))
    if asked is not None:
        # No cohort signed up before the data begin: a far earlier --from must not
        # make a table of empty cohorts (or a grid of millions of days).
        lo = max(lo, asked)
    if end is not None:
        wanted = calendar.key_of(to_date(end, "end"))
        if asked is not None and wanted < asked:
            raise ConfigError(
                f"the range ends ({end}) before it starts ({start})",
                hint="give --from a date before --to",
            )
        hi = min(hi, wanted)
    return list(range(lo, hi + 1)), last_boundary


def _assemble(
    calendar: Calendar,
    cohorts: list[int],
    last_boundary: int,
    entries: pd.DataFrame,
    heads: tuple[pd.DataFrame, pd.DataFrame],
    flows: tuple[pd.DataFrame, pd.DataFrame] | None,
    by: str | None,
    columns: tuple[str, ...],
) -> pd.DataFrame:
    """The long table from the engine's grouped events, segment by segment:
    cohort sizes from ``entries``, head counts from ``heads`` (in, out), MRR
    from ``flows`` (in, out)."""
    segments: list[Any] = [None]
    if by is not None:
        segments = ordered_segments(entries[SEGMENT])
        if not segments:
            return _empty(columns, by)
    lo, n_ages = cohorts[0], last_boundary - cohorts[0]
    shape = (len(cohorts), n_ages)
    frames = []
    for segment in segments:
        pick = _picker(by, segment)
        sizes = _sizes(pick(entries), lo, len(cohorts))
        counts = _accumulate(pick(heads[0]), pick(heads[1]), "n", lo, shape)
        block = {"cohort_size": sizes, "customers": counts}
        if flows is not None:
            micro = _accumulate(pick(flows[0]), pick(flows[1]), "mrr", lo, shape)
            mrr = micro / MICRO
            block = {"cohort_size": sizes, "cohort_mrr": mrr[:, 0], "mrr": mrr}
        frames.append(_long(calendar, cohorts, last_boundary, block, by, segment))
    table = pd.concat(frames, ignore_index=True)
    if len(segments) > 1:
        # Each frame runs by cohort then age: interleave them cohort by cohort.
        cohort_no = np.concatenate([f["_row"].to_numpy() for f in frames])
        segment_no = np.repeat(np.arange(len(frames)), [len(f) for f in frames])
        order = np.argsort(cohort_no * len(frames) + segment_no, kind="stable")
        table = table.iloc[order].reset_index(drop=True)
    return table[_with_segment(columns, by)]


def _picker(by: str | None, segment: Any) -> Any:
    def pick(frame: pd.DataFrame) -> pd.DataFrame:
        if by is None:
            return frame
        mask = frame[SEGMENT].isna() if segment is None else frame[SEGMENT] == segment
        return frame[mask]

    return pick


def _sizes(entries: pd.DataFrame, lo: int, n_cohorts: int) -> np.ndarray:
    """Customers per cohort: their first spells."""
    first = entries[entries["_first"].to_numpy(dtype=bool)]
    row = first["_c"].to_numpy(dtype="int64") - lo
    keep = (row >= 0) & (row < n_cohorts)
    sizes = np.zeros(n_cohorts, dtype="int64")
    np.add.at(sizes, row[keep], first["n"].to_numpy(dtype="int64")[keep])
    return sizes


def _accumulate(
    ins: pd.DataFrame, outs: pd.DataFrame, value: str, lo: int, shape: tuple[int, int]
) -> np.ndarray:
    """Values by cohort x age, integers: ``ins`` at the end of period ``_ps`` add
    at age ``_ps - cohort``, ``outs`` take away at age ``_pe - cohort``; a running
    sum over the ages gives the value at each boundary."""
    n_cohorts, n_ages = shape
    flow = np.zeros((n_cohorts, n_ages), dtype="int64")
    for frame, key, sign in ((ins, "_ps", 1), (outs, "_pe", -1)):
        row = frame["_c"].to_numpy(dtype="int64") - lo
        age = frame[key].to_numpy(dtype="int64") - lo - row
        amount = frame[value].to_numpy(dtype="int64")
        # Later ages than any reported cannot change the earlier ones.
        keep = (row >= 0) & (row < n_cohorts) & (age < n_ages)
        np.add.at(flow, (row[keep], age[keep]), sign * amount[keep])
    return np.cumsum(flow, axis=1)


def _long(
    calendar: Calendar,
    cohorts: list[int],
    last_boundary: int,
    block: dict[str, np.ndarray],
    by: str | None,
    segment: Any,
) -> pd.DataFrame:
    """The triangle of one segment as rows: cohort c has ages 0 .. last - c - 1."""
    rows = np.repeat(np.arange(len(cohorts)), [last_boundary - c for c in cohorts])
    ages = np.arange(len(rows)) - np.repeat(
        np.cumsum([0] + [last_boundary - c for c in cohorts])[:-1],
        [last_boundary - c for c in cohorts],
    )
    keys = np.asarray(cohorts, dtype="int64")[rows] + ages
    dates = {k: calendar.from_key(k) for k in range(cohorts[0], last_boundary + 1)}
    frame = pd.DataFrame(
        {
            "_row": rows,
            "cohort": [dates[cohorts[r]] for r in rows],
            "age": ages.astype("int64"),
            "period_start": [dates[k] for k in keys],
            "period_end": [dates[k + 1] for k in keys],
        }
    )
    if by is not None:
        frame[by] = pd.Series([segment] * len(frame), dtype=object)
    sizes = block["cohort_size"][rows]
    frame["cohort_size"] = sizes.astype("int64")
    if "mrr" in block:
        base = block["cohort_mrr"][rows]
        value = block["mrr"][rows, ages]
        frame["cohort_mrr"] = base
        frame["mrr"] = value
    else:
        base = sizes.astype("float64")
        value = block["customers"][rows, ages]
        frame["customers"] = value.astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["retention"] = np.where(base > 0, value / base, np.nan)
    return frame


def _with_segment(columns: tuple[str, ...], by: str | None) -> list[str]:
    names = list(columns)
    if by is not None:
        names.insert(len(_KEYS), by)
    return names


def _empty(columns: tuple[str, ...], by: str | None) -> pd.DataFrame:
    names = _with_segment(columns, by)
    table = pd.DataFrame({c: pd.Series(dtype="object") for c in names})
    for column in ("age", "cohort_size", "customers"):
        if column in table:
            table[column] = table[column].astype("int64")
    for column in ("cohort_mrr", "mrr", "retention"):
        if column in table:
            table[column] = table[column].astype("float64")
    return table


def to_wide(table: pd.DataFrame, *, value: str = "retention") -> pd.DataFrame:
    """The classic triangle: a row per cohort (and segment), a column per age.

    ``value`` is any column of ``cohort_table``'s result (``retention``,
    ``customers``, ``mrr``); cells past the data's end are empty.

    >>> to_wide(cohort_table("churnlens.duckdb"))  # doctest: +SKIP
    """
    if value not in table.columns or value in _KEYS:
        raise ConfigError(
            f"no value column '{value}' in the cohort table",
            hint="use retention, customers, mrr or cohort_size",
        )
    extra = [c for c in table.columns if c not in COHORT_COLUMNS + REVENUE_COLUMNS]
    index = ["cohort", *extra]
    wide = table.pivot(index=index, columns="age", values=value)
    if table[value].dtype == "int64":
        wide = wide.astype("Int64")
    wide.columns.name = "age"
    return wide
