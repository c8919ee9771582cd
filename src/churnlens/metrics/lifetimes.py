"""Customer lifetimes as grouped counts, ready for survival models.

A customer's lifetime runs from the start of their first spell (the first instant
they are in the base, see docs/churn-rate.md and ``churnlens.spells``) to the end of
that spell: the customer churns when the spell ends. A spell still open at the data
end, or ending after it, is *censored* there. The data end is the latest
``started_at`` or ``ended_at`` in the data, capped at ``now``. With ``spell="all"``
every spell is a lifetime of its own (returning customers count again).

Durations are whole days: ``floor((end - start) / 86400 s)``, both instants first
truncated to whole seconds (every engine truncates timestamps to seconds the same
way; a microsecond cannot matter in a lifetime counted in days). Customers whose
subscriptions all have zero length never enter the base and have no lifetime, and
neither do spells starting at or after the data end.

The engine only returns counts per ``(segment, duration)``: a few thousand rows
whatever the number of subscriptions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from churnlens.engines import EngineSpec
from churnlens.errors import ConfigError
from churnlens.metrics._segments import SEGMENT, ordered_segments, with_segment
from churnlens.periods import naive_utc
from churnlens.sources import Source, resolve_source

__all__ = ["LIFETIME_COLUMNS", "SPELLS", "UNITS", "lifetime_table", "to_unit"]

LIFETIME_COLUMNS = ("duration", "n_events", "n_censored")
SPELLS = ("first", "all")
# Days per unit: a month is the mean Gregorian month (365.25 / 12 days).
UNITS = {"day": 1.0, "week": 7.0, "month": 30.4375}
_DAY_S = 86400


def lifetime_table(
    data: Any = None,
    *,
    by: str | None = None,
    grace_days: float = 0,
    spell: str = "first",
    customers: Any = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """Lifetimes counted per duration in days: ``duration, n_events, n_censored``.

    With ``by``, a ``segment`` column comes first. Rows are sorted by segment
    (the empty segment last) then duration.

    >>> lifetime_table("churnlens.duckdb", by="plan")  # doctest: +SKIP
    """
    if grace_days < 0:
        raise ConfigError(f"grace_days must be >= 0, got {grace_days}")
    if spell not in SPELLS:
        raise ConfigError(
            f"unknown spell choice '{spell}'", hint="use 'first' or 'all'"
        )
    source = resolve_source(data, customers=customers, engine=engine, tz=tz)
    data_end = _data_end(source, now)
    if data_end is None:
        return _empty(by)
    spells = with_segment(source.spells(grace_days=grace_days), source, by)
    counts = _counts(spells, data_end, first_only=spell == "first", by=by)
    return _tidy(counts.to_pandas(), by)


def to_unit(table: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Durations in whole ``unit``s (floor of the days divided by the unit's
    length), counts summed again."""
    if unit not in UNITS:
        raise ConfigError(
            f"unknown unit '{unit}'", hint=f"use one of: {', '.join(UNITS)}"
        )
    if unit == "day":
        return table
    days = table["duration"].to_numpy(dtype="int64")
    # Days are whole, so dividing them floors like dividing the exact durations,
    # except for months, whose length is fractional: documented as such.
    converted = np.floor(days / UNITS[unit] + 1e-12).astype("int64")
    keys = [c for c in table.columns if c not in LIFETIME_COLUMNS]
    out = table.assign(duration=converted)
    grouped = out.groupby([*keys, "duration"], sort=False, dropna=False)[
        ["n_events", "n_censored"]
    ].sum()
    flat = grouped.reset_index()
    if keys:
        segment = flat["segment"].astype("object")
        flat["segment"] = segment.where(segment.notna(), None)
    return _sorted(flat, "segment" if keys else None)


def _data_end(
    source: Source, now: dt.datetime | None
) -> tuple[dt.datetime, bool] | None:
    """The data end, and whether ``now`` capped it (spells may then end after it)."""
    span = source.span()
    if span is None:
        return None
    cap = naive_utc(now) if now is not None else naive_utc(dt.datetime.now(dt.UTC))
    return min(span[1], cap), cap < span[1]


# Later than any instant in the data: stands in for "still open" in one comparison.
_FAR = ibis.timestamp("9000-01-01 00:00:00")


def _counts(
    spells: ir.Table,
    data_end: tuple[dt.datetime, bool],
    *,
    first_only: bool,
    by: str | None,
) -> ir.Table:
    """Lifetimes per duration. Written for the common case, where no spell ends
    after the data end (only a ``now`` before it makes one): a single comparison
    filters and the events are the spells with an end, which keeps DuckDB at a few
    tenths of a second for ten million subscriptions."""
    end, capped = data_end
    end_at = ibis.timestamp(end)
    rows = spells.filter(spells.spell_no == 1) if first_only else spells
    # Zero-length spells (customers who never entered the base) and spells not
    # started by the data end have no lifetime.
    live = rows.filter(
        (rows.spell_end.fill_null(_FAR) > rows.spell_start)
        & (rows.spell_start < end_at)
    )
    if capped:
        ended = live.spell_end.notnull() & (live.spell_end <= end_at)
        stop = ibis.ifelse(ended, live.spell_end, end_at)
        n_events = ibis.ifelse(ended, 1, 0).cast("int64").sum()
    else:
        stop = live.spell_end.fill_null(end_at)
        n_events = live.spell_end.count()
    # Whole seconds first, so every engine truncates alike (see the docstring).
    seconds = stop.epoch_seconds().floor() - live.spell_start.epoch_seconds().floor()
    keys = {"duration": (seconds // _DAY_S).cast("int64")}
    if by is not None:
        keys[SEGMENT] = live[SEGMENT]
    return live.group_by(**keys).aggregate(n=live.count(), n_events=n_events)


def _tidy(counts: pd.DataFrame, by: str | None) -> pd.DataFrame:
    n_events = counts["n_events"].astype("int64")
    table = pd.DataFrame(
        {
            "duration": counts["duration"].astype("int64"),
            "n_events": n_events,
            "n_censored": counts["n"].astype("int64") - n_events,
        }
    )
    if by is not None:
        segment = counts[SEGMENT].astype("object")
        table.insert(0, "segment", segment.where(segment.notna(), None))
    return _sorted(table, "segment" if by is not None else None)


def _sorted(table: pd.DataFrame, segment: str | None) -> pd.DataFrame:
    if segment is None:
        return table.sort_values("duration", kind="stable").reset_index(drop=True)
    order = ordered_segments(table[segment])
    rank = table[segment].map(lambda s: order.index(None if pd.isna(s) else s))
    keys = np.lexsort((table["duration"].to_numpy(), rank.to_numpy()))
    return table.iloc[keys].reset_index(drop=True)


def _empty(by: str | None) -> pd.DataFrame:
    table = pd.DataFrame({c: pd.Series(dtype="int64") for c in LIFETIME_COLUMNS})
    if by is not None:
        table.insert(0, "segment", pd.Series(dtype="object"))
    return table
