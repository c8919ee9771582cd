"""The customer churn rate per calendar period (the ``standard`` convention).

The convention is in docs/churn-rate.md. The computation has two halves:

1. In the engine, one pass over the customers' spells turns each into at most three
   *events*, keyed by period: the customer enters the base at the end of the period
   a spell starts in (``up``), leaves it at the end of the period the spell ends in
   (``down``), and, for their first spell, is ``new`` in the period of their first
   start. Spells of one customer that start and stop in the same period are joined,
   because head counts are only taken at period boundaries. The result has a row per
   distinct event key: a few thousand, whatever the number of subscriptions.
2. In Python, the events are accumulated over the calendar: the head count at a
   boundary is every ``up`` before it minus every ``down`` before it.

Grouping first and never joining periods to subscriptions keeps the engine's work
to one scan (and one small window over customers with several spells).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from churnlens.engines import EngineSpec
from churnlens.errors import ConfigError
from churnlens.metrics._intervals import wilson_interval
from churnlens.periods import Calendar
from churnlens.sources import Source, resolve_source

__all__ = ["CHURN_COLUMNS", "COUNT_COLUMNS", "churn_rate"]

COUNT_COLUMNS = (
    "customers_start",
    "new",
    "churned",
    "churned_new",
    "reactivated",
    "customers_end",
)
RATE_COLUMNS = ("churn_rate", "churn_rate_lower", "churn_rate_upper", "net_change_rate")
CHURN_COLUMNS = ("period_start", "period_end", *COUNT_COLUMNS, *RATE_COLUMNS)

_SEGMENT = "_segment"
_MAX_LISTED = 5000


def churn_rate(
    data: Any = None,
    *,
    period: str = "month",
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: str | None = None,
    customers: Any = None,
    grace_days: float = 0,
    tz: str = "UTC",
    engine: EngineSpec = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """Customer churn per period: head counts, movements and rates.

    ``data`` is a store (or its path), a subscriptions file, a pandas/polars/Arrow
    table or an ibis table; ``engine`` runs it elsewhere ("spark", a PostgreSQL URL
    or an ibis backend). ``by`` splits the table by a customer attribute. By default
    the table covers the first to the last full period in the data; ``start`` and
    ``end`` pick the periods containing those dates instead.

    >>> churn_rate("churnlens.duckdb", period="quarter")  # doctest: +SKIP
    """
    calendar = Calendar(period, tz)
    if grace_days < 0:
        raise ConfigError(f"grace_days must be >= 0, got {grace_days}")
    source = resolve_source(data, customers=customers, engine=engine, tz=tz)
    span = source.span()
    if span is None:
        return _empty(by)
    grid = _period_grid(calendar, span, start=start, end=end, now=now)
    spells = _with_segment(source.spells(grace_days=grace_days), source, by)
    if not grid:
        return _empty(by)
    events = _event_counts(spells, calendar, span, segmented=by is not None)
    table = _assemble(events.to_pandas(), calendar, grid, by)
    return table


def _period_grid(
    calendar: Calendar,
    span: tuple[dt.datetime, dt.datetime],
    *,
    start: dt.date | str | None,
    end: dt.date | str | None,
    now: dt.datetime | None,
) -> list[dt.date]:
    """Start dates of the periods to report."""
    first, last = span
    cap = _naive_utc(now) if now is not None else dt.datetime.utcnow()
    data_end = min(last, cap)
    # Each default bound is found on its own rather than read off the list of full
    # periods: when only one bound is given the other keeps its default meaning
    # (first period starting at or after the first start, last one ending by
    # data_end) even if no period is full.
    lo = calendar.floor(calendar.local_date(first))
    if calendar.instant(lo) < first:
        lo = calendar.next(lo)
    hi = calendar.floor(calendar.local_date(data_end))
    if calendar.instant(calendar.next(hi)) > data_end:
        hi = calendar.floor(hi - dt.timedelta(days=1))
    if start is not None:
        lo = calendar.floor(_to_date(start, "start"))
    if end is not None:
        hi = calendar.floor(_to_date(end, "end"))
    if hi < lo and start is not None and end is not None:
        raise ConfigError(
            f"the range ends ({hi}) before it starts ({lo})",
            hint="give --from a date before --to",
        )
    # With one bound left to its default, a range beyond the data is empty, as the
    # default range is when the data hold no full period.
    return calendar.grid(lo, hi) if lo <= hi else []


def _with_segment(spells: ir.Table, source: Source, by: str | None) -> ir.Table:
    if by is None:
        return spells
    customers = source.customers
    if customers is not None and by in customers.columns:
        values = customers.select(
            customer_id=customers.customer_id, _value=customers[by]
        )
    elif by in source.subscriptions.columns:
        values = _latest_subscription_value(source.subscriptions, by)
    else:
        known = sorted(
            c
            for c in set(customers.columns if customers is not None else [])
            | set(source.subscriptions.columns)
            if not c.startswith("_")  # the store's own bookkeeping
        )
        raise ConfigError(
            f"no column '{by}' to split by",
            hint=f"use a customer or subscription column: {', '.join(known)}",
        )
    joined = spells.left_join(values, spells.customer_id == values.customer_id)
    return joined.select(
        *[spells[c] for c in spells.columns], **{_SEGMENT: values._value.cast("string")}
    )


def _latest_subscription_value(subscriptions: ir.Table, column: str) -> ir.Table:
    """A customer's segment from a subscription column: its latest subscription's."""
    latest_first = ibis.window(
        group_by=subscriptions.customer_id,
        order_by=[ibis.desc(subscriptions.started_at)],
    )
    ranked = subscriptions.mutate(_rank=ibis.row_number().over(latest_first))
    latest = ranked.filter(ranked._rank == 0)
    return latest.select(customer_id=latest.customer_id, _value=latest[column])


def _event_counts(
    spells: ir.Table,
    calendar: Calendar,
    span: tuple[dt.datetime, dt.datetime],
    *,
    segmented: bool,
) -> ir.Table:
    def key(column: str) -> ir.IntegerValue:
        return calendar.period_key(spells[column], span)

    keyed = spells.mutate(
        _ps=key("spell_start"), _pe=key("spell_end"), _fp=key("first_started_at")
    )
    extra = [_SEGMENT] if segmented else []
    many = spells.n_spells > 1
    parts = [
        _single_spell_events(keyed.filter(keyed.n_spells == 1), extra),
        _first_of_many(keyed.filter(many & (keyed.spell_no == 1)), extra),
    ]
    neighbours = keyed.filter(many).mutate(
        _pps=key("prev_start"),
        _ppe=key("prev_end"),
        _nps=key("next_start"),
        _npe=key("next_end"),
    )
    covering = neighbours.filter(
        neighbours._pe.isnull() | (neighbours._pe > neighbours._ps)
    )
    unclear = _unclear_customers(covering.filter(_needs_window(covering)))
    if unclear is None:
        parts.append(_neighbour_events(covering, extra))
    else:
        clear = covering.filter(~covering.customer_id.isin(unclear))
        parts.append(_neighbour_events(clear, extra))
        tangled = covering.filter(covering.customer_id.isin(unclear))
        parts.append(_window_events(tangled, extra))
    events = ibis.union(*parts, distinct=False)
    keys = ["up_at", "up_new", "down_at", "new_at", *extra]
    return events.group_by(keys).aggregate(n=events.up_new.count())


def _unclear_customers(rows: ir.Table) -> ir.Column | None:
    """The customers whose spells need a window, or None when there are none.

    Usually there are none or a handful; fetched and sent back as a small table
    they make a cheap hash semi-join, where a subquery would recompute every
    neighbour's period (and a literal IN list is slow in DuckDB).
    """
    ids = rows.select("customer_id").distinct()
    found = ids.limit(_MAX_LISTED + 1).to_pyarrow().column("customer_id")
    if len(found) == 0:
        return None
    if len(found) <= _MAX_LISTED:
        return ibis.memtable(pa.table({"customer_id": found})).customer_id
    return ids.customer_id


def _single_spell_events(t: ir.Table, extra: list[str]) -> ir.Table:
    covers = t._pe.isnull() | (t._pe > t._ps)
    return _events_row(
        t,
        up=covers,
        up_new=covers & (t._fp == t._ps),
        down=t._pe.notnull() & (t._pe > t._ps),
        new_at=t._fp,
        extra=extra,
    )


def _first_of_many(t: ir.Table, extra: list[str]) -> ir.Table:
    none = ibis.literal(False)
    return _events_row(t, up=none, up_new=none, down=none, new_at=t._fp, extra=extra)


# Spells of customers with several spells. A spell that covers at least one
# boundary joins the previous one when that one ends in the period this one starts
# in (no head count is taken in between): only the first of such a chain is an
# ``up``, only the last a ``down``. The neighbours' bounds, stored with each spell,
# decide this row by row, except when a neighbour lies wholly inside the very
# period where the chain would join: then the neighbour covers no boundary and
# the spell beyond it decides, which takes a window over that customer's spells.


def _needs_window(t: ir.Table) -> ir.BooleanValue:
    prev_inside = (t._pps == t._ppe) & (t._ppe == t._ps)
    next_inside = t._pe.notnull() & (t._nps == t._npe) & (t._nps == t._pe)
    return prev_inside.fill_null(False) | next_inside.fill_null(False)


def _neighbour_events(t: ir.Table, extra: list[str]) -> ir.Table:
    up = t._ppe.isnull() | (t._ppe != t._ps)
    has_next = t.next_start.notnull()
    down = t._pe.notnull() & (~has_next | (t._nps != t._pe))
    return _events_row(
        t,
        up=up,
        up_new=up & (t._fp == t._ps),
        down=down.fill_null(False),
        new_at=ibis.null("int64"),
        extra=extra,
    )


def _window_events(covering: ir.Table, extra: list[str]) -> ir.Table:
    in_order = ibis.window(group_by=covering.customer_id, order_by=covering.spell_start)
    prev_end = covering._pe.lag().over(in_order)
    next_start = covering._ps.lead().over(in_order)
    up = prev_end.isnull() | (prev_end != covering._ps)
    down = covering._pe.notnull() & (next_start.isnull() | (next_start != covering._pe))
    return _events_row(
        covering,
        up=up,
        up_new=up & (covering._fp == covering._ps),
        down=down,
        new_at=ibis.null("int64"),
        extra=extra,
    )


def _events_row(
    t: ir.Table,
    *,
    up: ir.BooleanValue,
    up_new: ir.BooleanValue,
    down: ir.BooleanValue,
    new_at: ir.IntegerValue,
    extra: list[str],
) -> ir.Table:
    no_key = ibis.null("int64")
    return t.select(
        up_at=ibis.ifelse(up, t._ps, no_key),
        up_new=up_new,
        down_at=ibis.ifelse(down, t._pe, no_key),
        new_at=new_at.cast("int64"),
        **{c: t[c] for c in extra},
    )


def _assemble(
    events: pd.DataFrame, calendar: Calendar, grid: list[dt.date], by: str | None
) -> pd.DataFrame:
    if by is None:
        return _assemble_one(events, calendar, grid)
    segments = _ordered_segments(events[_SEGMENT])
    frames = []
    for segment in segments:
        mask = (
            events[_SEGMENT].isna() if segment is None else events[_SEGMENT] == segment
        )
        frame = _assemble_one(events[mask], calendar, grid)
        frame.insert(2, by, segment)
        frames.append(frame)
    if not frames:
        return _empty(by)
    table = pd.concat(frames, ignore_index=True)
    order = table["period_start"].map(grid.index) * len(segments)
    order += table[by].map(lambda s: segments.index(None if pd.isna(s) else s))
    return table.iloc[np.argsort(order.to_numpy(), kind="stable")].reset_index(
        drop=True
    )


def _ordered_segments(values: pd.Series) -> list[Any]:
    present = [v for v in values.dropna().unique().tolist()]
    ordered: list[Any] = sorted(present)
    if values.isna().any():
        ordered.append(None)
    return ordered


def _assemble_one(
    events: pd.DataFrame, calendar: Calendar, grid: list[dt.date]
) -> pd.DataFrame:
    flows = pd.DataFrame(
        {
            "up_new": _sum_by(events[events.up_new.fillna(False)], "up_at"),
            "up_old": _sum_by(
                events[events.up_at.notna() & ~events.up_new.fillna(False)], "up_at"
            ),
            "down": _sum_by(events, "down_at"),
            "new": _sum_by(events, "new_at"),
        }
    )
    keys = [calendar.key_of(s) for s in grid]
    flows = flows.reindex(sorted(set(flows.index) | set(keys)), fill_value=0)
    flows = flows.fillna(0).astype("int64")
    net = flows.up_new + flows.up_old - flows.down
    head = (net.cumsum() - net).loc[keys]  # the stock at a start: all earlier flows
    at = flows.loc[keys]
    table = pd.DataFrame(
        {
            "period_start": grid,
            "period_end": [calendar.next(s) for s in grid],
            "customers_start": head.to_numpy(),
            "new": at["new"].to_numpy(),
            "churned": at["down"].to_numpy(),
            "churned_new": (at["new"] - at["up_new"]).to_numpy(),
            "reactivated": at["up_old"].to_numpy(),
            "customers_end": (head + net.loc[keys]).to_numpy(),
        }
    )
    return _with_rates(table)


def _sum_by(events: pd.DataFrame, key: str) -> pd.Series:
    rows = events[events[key].notna()]
    return rows["n"].groupby(rows[key].astype("int64").to_numpy()).sum()


def _with_rates(table: pd.DataFrame) -> pd.DataFrame:
    for column in COUNT_COLUMNS:
        table[column] = table[column].astype("int64")
    n = table["customers_start"].to_numpy(dtype="float64")
    churned = table["churned"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, churned / n, np.nan)
        net_change = np.where(
            n > 0, (table["customers_end"].to_numpy() - n) / n, np.nan
        )
    lower, upper = wilson_interval(churned, n)
    table["churn_rate"] = rate
    table["churn_rate_lower"] = lower
    table["churn_rate_upper"] = upper
    table["net_change_rate"] = net_change
    return table


def _empty(by: str | None) -> pd.DataFrame:
    columns = list(CHURN_COLUMNS)
    if by is not None:
        columns.insert(2, by)
    table = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    for column in COUNT_COLUMNS:
        table[column] = table[column].astype("int64")
    for column in RATE_COLUMNS:
        table[column] = table[column].astype("float64")
    return table


def _to_date(value: dt.date | str, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ConfigError(
            f"cannot read {name} date '{value}'", hint="use YYYY-MM-DD"
        ) from None


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
