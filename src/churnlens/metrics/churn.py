"""The customer churn rate per calendar period (the ``standard`` convention).

The convention is in docs/churn-rate.md. The computation has two halves:

1. In the engine, the customers' spells are counted per period key, one small
   filtered aggregation per kind of event: the customer enters the base at the end
   of the period a spell starts in (``up``), leaves it at the end of the period the
   spell ends in (``down``), and is ``new`` in the period of their first start.
   Spells of one customer that start and stop in the same period are joined,
   because head counts are only taken at period boundaries; the two neighbouring
   spells each way, stored with every spell, decide that row by row, and the rare
   customer whose chain is longer goes through a window. Each result has a row
   per distinct key: a few thousand, whatever the number of subscriptions.
2. In Python, the events are accumulated over the calendar: the head count at a
   boundary is every ``up`` before it minus every ``down`` before it.

Grouping first and never joining periods to subscriptions keeps the engine's work
to a few scans of the spells.
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
from churnlens.metrics._intervals import wilson_interval
from churnlens.metrics._segments import SEGMENT as _SEGMENT
from churnlens.metrics._segments import ordered_segments, with_segment
from churnlens.periods import Calendar, period_grid
from churnlens.sources import resolve_source

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

# Most spells fetched for the window (DuckDB reads a fetched Arrow table in
# place, so it takes many more); beyond that they stay a subquery.
_MAX_LISTED = 5000
_DUCKDB_LISTED_FACTOR = 400


def churn_rate(
    data: Any = None,
    *,
    period: str = "month",
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: str | None = None,
    customers: Any = None,
    grace_days: float = 0,
    convention: str = "standard",
    activity: Any = None,
    inactive_days: float | None = None,
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

    ``convention`` names another tool's way of counting (docs/conventions.md):
    the table then has ``churn_base``, ``window_start``, ``window_end`` and
    ``convention`` after the usual columns. ``inactive_days=N`` measures churn
    without subscriptions (docs/conventions.md, "Activity churn"): a customer
    is active while they had activity (``activity``, or the store's ``activity``
    table) within the last N days.

    >>> churn_rate("churnlens.duckdb", period="quarter")  # doctest: +SKIP
    """
    calendar = Calendar(period, tz)
    if grace_days < 0:
        raise ConfigError(f"grace_days must be >= 0, got {grace_days}")
    if activity is None and inactive_days is None:
        source = resolve_source(data, customers=customers, engine=engine, tz=tz)
    else:
        from churnlens.metrics.activity import activity_source

        source = activity_source(
            data,
            activity=activity,
            inactive_days=inactive_days,
            customers=customers,
            engine=engine,
            tz=tz,
            now=now,
        )
    if convention != "standard":
        from churnlens.metrics.conventions import convention_table

        return convention_table(
            source,
            convention,
            calendar=calendar,
            start=start,
            end=end,
            by=by,
            grace_days=grace_days,
            now=now,
        )
    span = source.span()
    if span is None:
        return _empty(by)
    grid = period_grid(calendar, span, start=start, end=end, now=now)
    spells = with_segment(source.spells(grace_days=grace_days), source, by)
    if not grid:
        return _empty(by)
    parts = _event_counts(spells, calendar, span, segmented=by is not None)
    # One query per part: as one UNION, engines share (and may materialise) the
    # keyed spells between the parts, which costs more than scanning them again.
    events = pd.concat([_typed(p.to_pandas()) for p in parts], ignore_index=True)
    table = _assemble(events, calendar, grid, by)
    return table


def _event_counts(
    spells: ir.Table,
    calendar: Calendar,
    span: tuple[dt.datetime, dt.datetime],
    *,
    segmented: bool,
) -> list[ir.Table]:
    """Events per period key: tables of rows ``up_at, up_new, down_at, new_at, n``.

    Each kind of event is counted by its own filtered aggregation over the spells:
    filters and one small integer key per kind cost a fraction of deciding every
    event of every spell in one CASE-heavy pass.
    """
    extra = [_SEGMENT] if segmented else []
    parts = [
        _count_ups(_keyed(spells, calendar, span, _UP_KEYS), extra, sign=1),
        _count_downs(_keyed(spells, calendar, span, _DOWN_KEYS), extra, sign=1),
        _count_new(_keyed(spells, calendar, span, ("_fp",)), extra),
    ]
    tangled = _tangled_spells(spells, calendar, span)
    if tangled is not None:
        # Their neighbour-based ups and downs are wrong: take them back and count
        # theirs with a window instead (a small share of customers).
        mine = _keyed(tangled, calendar, span, tuple(_KEYED))
        corrections = [
            _count_ups(mine, extra, sign=-1),
            _count_downs(mine, extra, sign=-1),
            *_window_counts(mine, extra),
        ]
        # Small (fetched) spells: one query for all four is cheapest.
        parts.append(ibis.union(*corrections, distinct=False))
    return parts


# The period key of each bound, by the name metrics use for it.
_KEYED = {
    "_ps": "spell_start",
    "_pe": "spell_end",
    "_fp": "first_started_at",
    "_pps": "prev_start",
    "_ppe": "prev_end",
    "_pp2s": "prev2_start",
    "_pp2e": "prev2_end",
    "_nps": "next_start",
    "_npe": "next_end",
    "_np2s": "next2_start",
    "_np2e": "next2_end",
}
_UP_KEYS = ("_ps", "_pe", "_fp", "_pps", "_ppe", "_pp2s", "_pp2e")
_DOWN_KEYS = ("_ps", "_pe", "_nps", "_npe", "_np2s", "_np2e")


def _keyed(
    t: ir.Table,
    calendar: Calendar,
    span: tuple[dt.datetime, dt.datetime],
    keys: tuple[str, ...],
) -> ir.Table:
    """Spells with the period keys a count needs (only those: every key is work
    for the engine and, before that, for the query compiler)."""
    return t.mutate(
        **{name: calendar.period_key(t[_KEYED[name]], span) for name in keys}
    )


def _covers(t: ir.Table) -> ir.BooleanValue:
    """The spell covers at least one boundary: it ends after its start's period."""
    return t.spell_end.isnull() | (t._pe > t._ps)


# A covering spell is an ``up`` unless the customer is already in the base at the
# boundary before it, and a ``down`` unless they are still in it at the boundary
# after it: only then do neighbouring spells matter, and only one ending (starting)
# in the very period this one starts (ends) in. A neighbour wholly inside that
# period covers no boundary, so the spell beyond it decides; when that one is also
# wholly inside, ``_tangled_spells`` hands the customer to a window.


def _enters(t: ir.Table) -> ir.BooleanValue:
    """Nobody covers the boundary that opens the period this spell starts in.

    Written as a chain of ORs, cheapest first, with no null left to coalesce:
    most spells are decided by the first test or two.
    """
    prev_inside = t._pps == t._ps
    prev2_covers = t.prev2_end.notnull() & (t._pp2e == t._ps) & (t._pp2s < t._ps)
    return t.prev_end.isnull() | (t._ppe != t._ps) | (prev_inside & ~prev2_covers)


def _leaves(t: ir.Table) -> ir.BooleanValue:
    """Nobody covers the boundary that closes the period this spell ends in."""
    next_inside = t.next_end.notnull() & (t._npe == t._pe)
    next2_covers = (
        t.next2_start.notnull()
        & (t._np2s == t._pe)
        & (t.next2_end.isnull() | (t._np2e > t._pe))
    )
    return t.next_start.isnull() | (t._nps != t._pe) | (next_inside & ~next2_covers)


def _count_ups(t: ir.Table, extra: list[str], *, sign: int) -> ir.Table:
    ups = t.filter(_covers(t) & _enters(t))
    return _counted(ups, extra, sign, up_at=ups._ps, up_new=ups._fp == ups._ps)


def _count_downs(t: ir.Table, extra: list[str], *, sign: int) -> ir.Table:
    downs = t.filter(t.spell_end.notnull() & (t._pe > t._ps) & _leaves(t))
    return _counted(downs, extra, sign, down_at=downs._pe)


def _count_new(t: ir.Table, extra: list[str]) -> ir.Table:
    firsts = t.filter(t.spell_no == 1)
    return _counted(firsts, extra, 1, new_at=firsts._fp)


def _window_counts(t: ir.Table, extra: list[str]) -> list[ir.Table]:
    covering = t.filter(_covers(t))
    in_order = ibis.window(group_by=covering.customer_id, order_by=covering.spell_start)
    flagged = covering.mutate(
        _prev_pe=covering._pe.lag().over(in_order),
        _next_ps=covering._ps.lead().over(in_order),
    )
    ups = flagged.filter(flagged._prev_pe.isnull() | (flagged._prev_pe != flagged._ps))
    downs = flagged.filter(
        flagged.spell_end.notnull()
        & (flagged._next_ps.isnull() | (flagged._next_ps != flagged._pe))
    )
    return [
        _counted(ups, extra, 1, up_at=ups._ps, up_new=ups._fp == ups._ps),
        _counted(downs, extra, 1, down_at=downs._pe),
    ]


def _counted(t: ir.Table, extra: list[str], sign: int, **keys: ir.Value) -> ir.Table:
    """Rows counted per key, in the common event layout (other keys null)."""
    no_key = ibis.null("int64")
    columns = {
        "up_at": keys.get("up_at", no_key),
        "up_new": keys.get("up_new", ibis.literal(False)),
        "down_at": keys.get("down_at", no_key),
        "new_at": keys.get("new_at", no_key),
    }
    grouped = t.group_by(
        up_at=columns["up_at"].cast("int64"),
        up_new=columns["up_new"].fill_null(False),
        down_at=columns["down_at"].cast("int64"),
        new_at=columns["new_at"].cast("int64"),
        **{c: t[c] for c in extra},
    )
    return grouped.aggregate(n=(t.count() * sign).cast("int64"))


# The longest period of each kind, with an hour to spare for daylight saving.
_LONGEST_S = {
    "day": 25 * 3600,
    "week": 7 * 86400 + 3600,
    "month": 31 * 86400 + 3600,
    "quarter": 92 * 86400 + 3600,
    "year": 366 * 86400 + 3600,
}


def _tangled_spells(
    spells: ir.Table, calendar: Calendar, span: tuple[dt.datetime, dt.datetime]
) -> ir.Table | None:
    """The spells of customers with two neighbouring spells wholly inside the
    period where a covering spell would join them, or None when there are none.

    A neighbour inside one period is shorter than the longest period, a cheap test
    on timestamps that leaves few spells to key. The spells found are fetched and
    sent back as a small table, so the corrections never scan all spells again.
    Too many to fetch, they stay a subquery.
    """
    longest = _LONGEST_S[calendar.period]

    def seconds(
        later: ir.TimestampValue, earlier: ir.TimestampValue
    ) -> ir.IntegerValue:
        return later.epoch_seconds() - earlier.epoch_seconds()

    multi = spells.filter(spells.n_spells > 1)
    near = multi.filter(
        (
            multi.prev2_start.notnull()
            & (seconds(multi.spell_start, multi.prev2_start) < longest)
        )
        | (
            multi.next2_end.notnull()
            & (seconds(multi.next2_end, multi.spell_end) < longest)
        )
    )

    def key(column: str) -> ir.IntegerValue:
        return calendar.period_key(near[column], span)

    ps, pe = key("spell_start"), key("spell_end")
    covers = near.spell_end.isnull() | (pe > ps)
    # Both neighbours on one side wholly inside the period where this one
    # starts (ends): their start keys equal it, so their end keys do too.
    prevs_inside = (key("prev_start") == ps) & (key("prev2_start") == ps)
    nexts_inside = (
        (key("next_end") == pe) & (key("next2_end") == pe) & near.spell_end.notnull()
    )
    tangled = covers & (prevs_inside.fill_null(False) | nexts_inside.fill_null(False))
    ids = near.filter(tangled).select("customer_id").distinct()
    theirs = multi.filter(multi.customer_id.isin(ids.customer_id))
    # Fetched in the same query that finds them, unless they are too many.
    limit = _MAX_LISTED * (_DUCKDB_LISTED_FACTOR if _is_duckdb(spells) else 1)
    found = theirs.limit(limit + 1).to_pyarrow()
    if found.num_rows == 0:
        return None
    if found.num_rows > limit:
        return theirs
    return ibis.memtable(found)


def _is_duckdb(table: ir.Table) -> bool:
    try:
        return table._find_backend().name == "duckdb"
    except Exception:  # noqa: BLE001 - an unbound table: be conservative
        return False


def _typed(events: pd.DataFrame) -> pd.DataFrame:
    """One dtype per column in every part, so that parts concatenate cleanly
    (a part's unused keys are all null)."""
    keys = {"up_at": "Int64", "down_at": "Int64", "new_at": "Int64"}
    return events.astype({**keys, "up_new": "boolean", "n": "int64"})


def _assemble(
    events: pd.DataFrame, calendar: Calendar, grid: list[dt.date], by: str | None
) -> pd.DataFrame:
    if by is None:
        return _assemble_one(events, calendar, grid)
    segments = ordered_segments(events[_SEGMENT])
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
