"""Customers counted over arbitrary windows ``[w0, w1)``: the engine half of the
named churn conventions.

Every convention reads the same spells (docs/churn-rate.md's base: a customer is
in the base at t when a spell has ``spell_start < t <= spell_end``); conventions
differ only in the window they look at and in which counts they divide. The
windows form a small table joined to the spells that touch them, so the engine
returns a row per window (or per window and customer, for ``reconcile``), never a
row per spell.

The snapshot convention ("active on the first day": ``start <= t < end``) needs no
spells of its own: with instants in whole microseconds, ``a <= t < b`` holds
exactly when ``a < t + 1us <= b``, so it is the standard base read one
microsecond after each boundary.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from churnlens.periods import Calendar

__all__ = [
    "FLAGS",
    "ROLLING",
    "WINDOW_COUNTS",
    "customer_flags",
    "full_cover_steps",
    "window_counts",
    "windows",
]

ROLLING_DAYS = 30
_ROLLING = ibis.interval(days=ROLLING_DAYS)
ROLLING = dt.timedelta(days=ROLLING_DAYS)
_US = ibis.interval(microseconds=1)
_MARGIN = dt.timedelta(days=ROLLING_DAYS + 2)

# Per customer and window (1/0, or a count for ``exits`` and ``entries``).
FLAGS = (
    "at_start",  # in the base at w0
    "at_end",  # in the base at w1
    "is_new",  # first start ever in [w0, w1)
    "old",  # first start before w0
    "exits",  # spells ending in [w0, w1): each time the customer leaves the base
    "entries",  # spells starting in [w0, w1): each time they enter it
)
# Per window: head counts, movements and the exits conventions count as churn.
WINDOW_COUNTS = (
    "customers_start",
    "customers_end",
    "new",
    "churned",
    "churned_new",
    "reactivated",
    "leavers",  # customers who left the base at least once in the window
    "exits",
    "entries",
)


def windows(bounds: list[tuple[dt.datetime, dt.datetime]]) -> ir.Table:
    """A small in-memory table ``_w, _w0, _w1`` of naive UTC window bounds."""
    return ibis.memtable(
        pa.table(
            {
                "_w": pa.array(range(len(bounds)), pa.int64()),
                "_w0": pa.array([b[0] for b in bounds], pa.timestamp("us")),
                "_w1": pa.array([b[1] for b in bounds], pa.timestamp("us")),
            }
        )
    )


def _one(condition: ir.BooleanValue) -> ir.IntegerValue:
    # PostgreSQL cannot cast a boolean to an integer; a CASE works everywhere.
    return ibis.ifelse(condition, 1, 0).cast("int64")


def customer_flags(
    spells: ir.Table,
    bounds: ir.Table,
    *,
    extra: tuple[str, ...] = (),
    partial: bool = False,
) -> ir.Table:
    """One row per window and customer with a spell that touches the window:
    ``_w, customer_id, *extra`` and the ``FLAGS``.

    A customer none of whose spells touches a window counts for nothing in it:
    not in the base at either bound, no start, no end, not new. ``partial``
    leaves out the customers with a spell covering the whole window, which count
    only in the head counts (``full_cover_steps`` counts them).
    """
    joined = _partial_pairs(spells, bounds) if partial else _touching(spells, bounds)
    a, b, first = joined.spell_start, joined.spell_end, joined.first_started_at
    w0, w1 = joined._w0, joined._w1
    positive = b.isnull() | (b > a)
    flags = {
        "at_start": _one((a < w0) & (b.isnull() | (b >= w0))),
        "at_end": _one((a < w1) & (b.isnull() | (b >= w1))),
        "is_new": _one((first >= w0) & (first < w1)),
        "old": _one(first < w0),
        "exits": _one(b.notnull() & (b > a) & (b >= w0) & (b < w1)),
        "entries": _one(positive & (a >= w0) & (a < w1)),
    }
    keyed = joined.select("_w", "customer_id", *extra, **flags)
    per = keyed.group_by(["_w", "customer_id", *extra])
    return per.aggregate(
        **{
            name: (
                keyed[name].sum() if name in ("exits", "entries") else keyed[name].max()
            )
            for name in FLAGS
        }
    )


def window_counts(
    spells: ir.Table, bounds: ir.Table, *, extra: tuple[str, ...] = ()
) -> ir.Table:
    """One row per window (and ``extra`` key) with the ``WINDOW_COUNTS`` of the
    customers without a spell covering the whole window (add
    ``full_cover_steps`` to both head counts)."""
    c = customer_flags(spells, bounds, extra=extra, partial=True)
    gone = c.at_end == 0
    counts = {
        "customers_start": c.at_start.sum(),
        "customers_end": c.at_end.sum(),
        "new": c.is_new.sum(),
        "churned": _one((c.at_start == 1) & gone).sum(),
        "churned_new": _one((c.is_new == 1) & gone).sum(),
        "reactivated": _one((c.at_start == 0) & (c.at_end == 1) & (c.old == 1)).sum(),
        "leavers": _one(c.exits > 0).sum(),
        "exits": c.exits.sum(),
        "entries": c.entries.sum(),
    }
    grouped = c.group_by(["_w", *extra])
    return grouped.aggregate(**{k: v.cast("int64") for k, v in counts.items()})


def _touching(spells: ir.Table, bounds: ir.Table) -> ir.Table:
    """Spell and window pairs where the spell touches the window (or holds the
    customer's first start inside it)."""
    a, b, first = spells.spell_start, spells.spell_end, spells.first_started_at
    w0, w1 = bounds._w0, bounds._w1
    touches = (a < w1) & (b.isnull() | (b >= w0))
    first_inside = (spells.spell_no == 1) & (first >= w0) & (first < w1)
    return spells.join(bounds, [touches | first_inside])


def _partial_pairs(spells: ir.Table, bounds: ir.Table) -> ir.Table:
    """The touching pairs where the spell does not cover the whole window.

    Such a spell starts inside the window, or ends inside it having started
    before; or it is the first spell of a customer whose first start (a
    zero-length subscription) is inside. Three band joins, disjoint, each a
    range condition engines join efficiently; a spell meets few windows this way
    however long it is, where "touches" would pair it with every window it spans.
    """
    w0, w1 = bounds._w0, bounds._w1
    starts = spells.join(bounds, [spells.spell_start >= w0, spells.spell_start < w1])
    ends = spells.join(
        bounds,
        [spells.spell_end >= w0, spells.spell_end < w1, spells.spell_start < w0],
    )
    firsts = spells.filter(
        (spells.spell_no == 1) & (spells.first_started_at < spells.spell_start)
    )
    early = firsts.join(
        bounds,
        [
            firsts.first_started_at >= w0,
            firsts.first_started_at < w1,
            firsts.spell_start >= w1,
        ],
    )
    columns = [*spells.columns, "_w", "_w0", "_w1"]
    return ibis.union(
        starts.select(*columns),
        ends.select(*columns),
        early.select(*columns),
        distinct=False,
    )


def full_cover_steps(
    spells: ir.Table,
    calendar: Calendar,
    span: tuple[dt.datetime, dt.datetime],
    window: str,
    *,
    extra: tuple[str, ...] = (),
) -> ir.Table:
    """``key, *extra, n``: steps of the number of spells covering a whole window.

    A spell covers the windows of a run of consecutive periods, found from the
    period keys of its bounds (see ``Convention.bounds``): ``+n`` at the first
    period's key, ``-n`` after the last. Summed over the keys up to a period, the
    steps give the number of customers in the base at both ends of its window with
    no start or end inside it: one spell each, as spells never touch.
    """
    # Wider than the data, as keys of instants 30 days later are asked for.
    wide = (span[0] - _MARGIN, span[1] + _MARGIN)

    def key(ts: ir.TimestampValue) -> ir.IntegerValue:
        return calendar.period_key(ts, wide)

    a, b = spells.spell_start, spells.spell_end
    if window == "snapshot":
        lo, hi = key(a - _US) + 1, key(b - _US) - 1
    elif window == "rolling":
        lo, hi = key(a + _ROLLING), key(b) - 1
    else:
        lo, hi = key(a) + 1, key(b) - 1
    keyed = spells.select(*extra, _lo=lo.cast("int64"), _hi=hi.cast("int64"))
    covering = keyed.filter(keyed._hi.isnull() | (keyed._lo <= keyed._hi))
    ups = covering.group_by(key=covering._lo, **{c: covering[c] for c in extra})
    closed = covering.filter(covering._hi.notnull())
    downs = closed.group_by(key=closed._hi + 1, **{c: closed[c] for c in extra})
    return ibis.union(
        ups.aggregate(n=covering.count().cast("int64")),
        downs.aggregate(n=(-closed.count()).cast("int64")),
        distinct=False,
    )
