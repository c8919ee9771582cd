"""The engine half of ``cohort_table``: events counted per (cohort, period key).

A spell ``(spell_start, spell_end]`` puts its customer in the base at every period
boundary it covers: the ends of periods ``ps .. pe - 1``, where ``ps`` and ``pe``
are the period keys of its start and end (``pe`` unbounded while open). A
customer's spells are disjoint, so the boundaries they cover are disjoint too, and
the head count of a cohort at a boundary is simply the number of its spells
covering it: +1 at the end of the period a spell starts in, -1 at the end of the
period it ends in. A spell within one period (a zero-length one included) adds and
takes back 1 at the same boundary. No neighbouring spell has to be looked at
(unlike the churn table, which sorts customers into new, churned and reactivated).

Revenue works the same way on subscription rows, +/- their monthly MRR: MRR at a
boundary is the sum over subscriptions covering it, overlaps included.

Each query groups down to a row per (cohort key, period key[, segment]): a few
thousand rows whatever the number of subscriptions.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from churnlens.metrics._segments import SEGMENT
from churnlens.periods import Calendar

__all__ = ["MICRO", "customer_events", "first_runs", "revenue_events"]

# Revenue is summed in millionths of the reporting currency.
MICRO = 1_000_000


def customer_events(
    spells: ir.Table,
    calendar: Calendar,
    span: tuple[dt.datetime, dt.datetime],
    *,
    segmented: bool,
) -> list[ir.Table]:
    """Two tables: ``_c, _ps, _first, n[, _segment]`` counts the spells entering
    the base at the end of period ``_ps`` (those with ``_first`` are the cohort's
    customers, one first spell each), and ``_c, _pe, n[, _segment]`` the spells
    leaving it at the end of period ``_pe``; ``_c`` is the cohort's period key."""
    extra = [SEGMENT] if segmented else []
    keyed = spells.mutate(_c=calendar.period_key(spells.first_started_at, span))
    entries = keyed.group_by(
        "_c",
        *extra,
        _ps=calendar.period_key(keyed.spell_start, span),
        _first=keyed.spell_no == 1,
    ).aggregate(n=keyed.count())
    closed = keyed.filter(keyed.spell_end.notnull())
    exits = closed.group_by(
        "_c", *extra, _pe=calendar.period_key(closed.spell_end, span)
    ).aggregate(n=closed.count())
    return [entries, exits]


def first_runs(
    spells: ir.Table,
    calendar: Calendar,
    span: tuple[dt.datetime, dt.datetime],
    *,
    segmented: bool,
) -> ir.Table:
    """``_c, _end, n[, _segment]``: customers in the base at the end of their
    signup period, by the period key ``_end`` of the last period end their first
    unbroken run of boundaries reaches (null: still running).

    A run goes on from spell to spell while the next starts in the period the
    previous one ends in (no boundary is missed between them). Customers with
    one spell, most of them, need no window.
    """
    extra = [SEGMENT] if segmented else []
    keyed = spells.mutate(
        _c=calendar.period_key(spells.first_started_at, span),
        _ps=calendar.period_key(spells.spell_start, span),
        _pe=calendar.period_key(spells.spell_end, span),
    )
    single = keyed.filter(keyed.n_spells == 1).select(
        "_c", *extra, _ps0=keyed._ps, _open=keyed.spell_end.isnull(), _end=keyed._pe
    )
    multi = keyed.filter(keyed.n_spells > 1)
    in_order = ibis.window(group_by=multi.customer_id, order_by=multi.spell_start)
    previous_end = multi._pe.lag().over(in_order)
    flagged = multi.mutate(
        _break=ibis.ifelse(previous_end.notnull() & (multi._ps != previous_end), 1, 0)
    )
    so_far = ibis.window(
        group_by=flagged.customer_id, order_by=flagged.spell_start, rows=(None, 0)
    )
    runs = flagged.mutate(_run=flagged._break.sum().over(so_far))
    first = runs.filter(runs._run == 0)
    # PostgreSQL has no max of booleans: count the open spells instead.
    is_open = ibis.ifelse(first.spell_end.isnull(), 1, 0)
    chained = first.group_by("customer_id").aggregate(
        _c=first._c.max(),
        _ps0=first._ps.min(),
        _open=is_open.sum() > 0,
        _end=first._pe.max(),
        **{c: first[c].max() for c in extra},
    )
    both = single.union(chained.select(*single.columns), distinct=False)
    # In the base at the end of the signup period: the run starts in it and
    # reaches past it.
    present = both.filter((both._ps0 == both._c) & (both._open | (both._end > both._c)))
    return present.group_by(
        "_c", *extra, _end=ibis.ifelse(present._open, ibis.null("int64"), present._end)
    ).aggregate(n=present.count())


def revenue_events(
    subscriptions: ir.Table,
    calendar: Calendar,
    span: tuple[dt.datetime, dt.datetime],
    *,
    segmented: bool,
) -> ir.Table:
    """A table of ``_c, _at, _out, mrr[, _segment]``: monthly MRR (in millionths)
    entering the base at the end of period ``_at`` (``_out`` false) or leaving it
    then (``_out`` true), per cohort ``_c``.

    ``subscriptions`` carry ``first_started_at`` (their customer's) and the float
    ``mrr_monthly`` in the reporting currency. Both halves are one query: the
    subscriptions come from a join that engines then run once, not twice.
    """
    extra = [SEGMENT] if segmented else []
    # Keyed before the two halves split: engines that materialise the shared
    # rows then hold a few integers per subscription, not its timestamps.
    t = subscriptions.select(
        *extra,
        _c=calendar.period_key(subscriptions.first_started_at, span),
        _ps=calendar.period_key(subscriptions.started_at, span),
        _pe=calendar.period_key(subscriptions.ended_at, span),
        # Whole millionths: integer sums are exact, so an amount that enters and
        # leaves the base nets to exactly 0 (a float sum may leave 1e-12).
        _micro=(subscriptions.mrr_monthly * MICRO).round().cast("int64"),
    )
    entries = t.group_by("_c", *extra, _at=t._ps).aggregate(
        _out=ibis.literal(False), mrr=t._micro.sum()
    )
    closed = t.filter(t._pe.notnull())
    exits = closed.group_by("_c", *extra, _at=closed._pe).aggregate(
        _out=ibis.literal(True), mrr=closed._micro.sum()
    )
    return entries.union(exits.select(*entries.columns), distinct=False)
