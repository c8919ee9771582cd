"""Spells: the maximal intervals during which a customer is in the base.

A customer is in the base at instant t when one of their subscriptions has
``started_at < t <= ended_at`` (or is open). The union of those half-open intervals
is a set of disjoint *spells* ``(spell_start, spell_end]``; every customer-level
metric reads spells instead of subscriptions, so overlapping plans, upgrades (one
subscription ends as the next starts) and duplicates count once.

The store materialises ``spells(subscriptions)`` at ingest (it needs a sort per
customer, the costliest step); metrics then only scan it. Defined with ibis, so the
same definition runs on every engine.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

__all__ = ["SPELL_COLUMNS", "spells"]

SPELL_COLUMNS = (
    "customer_id",
    "spell_start",
    "spell_end",
    "first_started_at",
    "spell_no",
    "n_spells",
    "prev_start",
    "prev_end",
    "next_start",
    "next_end",
    "prev2_start",
    "prev2_end",
    "next2_start",
    "next2_end",
)

# Stands in for "still open" inside running maxima; never leaves this module. Far
# enough from the end of the calendar that adding a grace period cannot overflow.
_OPEN = ibis.timestamp("9000-01-01 00:00:00")


def spells(
    intervals: ir.Table,
    *,
    grace_days: float = 0,
    start: str = "started_at",
    end: str = "ended_at",
    first: str | None = None,
) -> ir.Table:
    """Merge each customer's intervals ``(start, end]`` into disjoint spells.

    ``intervals`` has ``customer_id`` and the two timestamp columns (``end`` null
    while open); it may be subscriptions or spells already merged. Intervals that
    touch or overlap join; with ``grace_days = G`` a gap shorter than G days joins
    too. A zero-length interval never puts anyone in the base, but a customer whose
    intervals are all zero-length keeps one zero-length spell so that their first
    start is still known (it makes them ``new``).

    Returns one row per spell: ``customer_id, spell_start, spell_end (null while
    open), first_started_at (the customer's first start, zero-length intervals
    included), spell_no (1-based, in time order), n_spells, and the neighbouring
    spells' bounds prev_start, prev_end, next_start, next_end`` (null where there
    is none), which let metrics join spells at period level without a window.
    ``first`` names a
    column that already holds each customer's first start (when re-merging spells,
    whose zero-length subscriptions are gone).
    """
    rows = intervals.select(
        customer_id=intervals.customer_id,
        started_at=intervals[start],
        ended_at=intervals[end],
        _first=intervals[first or start],
    )
    first_start = rows.group_by("customer_id").aggregate(
        first_started_at=rows._first.min()
    )
    merged = _merge(rows, grace_days)
    joined = first_start.left_join(
        merged, first_start.customer_id == merged.customer_id
    )
    # Customers with zero-length intervals only: one empty spell at their start.
    first_at = first_start.first_started_at
    filled = joined.select(
        customer_id=first_start.customer_id,
        spell_start=merged.spell_start.fill_null(first_at),
        spell_end=ibis.ifelse(merged.spell_start.isnull(), first_at, merged.spell_end),
        first_started_at=first_at,
    )
    by_customer = ibis.window(group_by=filled.customer_id)
    in_order = ibis.window(group_by=filled.customer_id, order_by=filled.spell_start)
    return filled.mutate(
        spell_no=(ibis.row_number().over(in_order) + 1).cast("int64"),
        n_spells=filled.customer_id.count().over(by_customer).cast("int64"),
        prev_start=filled.spell_start.lag().over(in_order),
        prev_end=filled.spell_end.lag().over(in_order),
        next_start=filled.spell_start.lead().over(in_order),
        next_end=filled.spell_end.lead().over(in_order),
        # Two neighbours each way: a neighbour wholly inside one period covers no
        # boundary, and the churn metric then looks one spell further.
        prev2_start=filled.spell_start.lag(2).over(in_order),
        prev2_end=filled.spell_end.lag(2).over(in_order),
        next2_start=filled.spell_start.lead(2).over(in_order),
        next2_end=filled.spell_end.lead(2).over(in_order),
    )


def _merge(rows: ir.Table, grace_days: float) -> ir.Table:
    """Gaps and islands: a new spell starts where an interval begins after every
    earlier interval of the customer has ended (plus the grace)."""
    positive = rows.filter(rows.ended_at.isnull() | (rows.ended_at > rows.started_at))
    end = positive.ended_at.fill_null(_OPEN)
    earlier = ibis.window(
        group_by=positive.customer_id,
        order_by=[positive.started_at, end],
        rows=(None, -1),
    )
    flagged = positive.mutate(_end=end, _reach=end.max().over(earlier))
    reach = flagged._reach
    if grace_days > 0:
        # To the microsecond, as timestamps are: rounded to whole seconds, a grace
        # of 86400.4 s would no longer join a gap of 86400.2 s.
        grace = dt.timedelta(days=grace_days) // dt.timedelta(microseconds=1)
        reach = reach + ibis.interval(microseconds=grace)
        opens = flagged._reach.isnull() | (flagged.started_at >= reach)
    else:
        opens = flagged._reach.isnull() | (flagged.started_at > reach)
    running = ibis.window(
        group_by=flagged.customer_id,
        order_by=[flagged.started_at, flagged._end],
        rows=(None, 0),
    )
    numbered = flagged.mutate(
        # PostgreSQL cannot cast a boolean to bigint; a CASE works everywhere.
        _island=ibis.ifelse(opens, 1, 0).cast("int64").sum().over(running),
    )
    islands = numbered.group_by(["customer_id", "_island"]).aggregate(
        spell_start=numbered.started_at.min(), _spell_end=numbered._end.max()
    )
    return islands.select(
        customer_id=islands.customer_id,
        spell_start=islands.spell_start,
        spell_end=ibis.ifelse(
            islands._spell_end == _OPEN, ibis.null("timestamp"), islands._spell_end
        ),
    )
