"""MRR change points: when each customer's MRR in each currency changes.

A customer's MRR at instant t is the sum of the monthly MRR of their paid
subscriptions with ``started_at < t <= ended_at`` (the base of
docs/churn-rate.md). It changes only just after a start or an end, so one row per
customer, currency and such instant holds everything the revenue metrics need:

``customer_id, currency, changed_at, before, after`` (MRR in micro-units of the
currency at ``changed_at`` and just after it), ``prev_at, next_at, prev2_at,
next2_at`` (the neighbouring change instants in the same currency, two each way),
``next_after`` (the next change's ``after``), ``first_paid_at`` (the
customer's first paid start) and ``mixed`` (the customer pays in more than one
currency value).

The table does not depend on the period or time zone of a report, so the store
can materialise it at ingest (as it does spells, sorted by customer); a metric
then only scans it. Derived on the fly, it costs one window per customer.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from churnlens.billing import monthly_mrr

__all__ = ["CHANGE_COLUMNS", "MICRO", "MRR_CHANGES", "mrr_changes"]

MRR_CHANGES = "mrr_changes"
MICRO = 1_000_000
CHANGE_COLUMNS = (
    "customer_id",
    "currency",
    "changed_at",
    "before",
    "after",
    "prev_at",
    "next_at",
    "prev2_at",
    "next2_at",
    "next_after",
    "first_paid_at",
    "mixed",
)


def mrr_changes(subscriptions: ir.Table) -> ir.Table:
    """The change points of every customer's MRR (see the module docstring).

    Monthly MRR is rounded to micro-units (1e-6 of the currency) and summed as
    integers, so a customer whose paid subscriptions all ended is at exactly 0.
    Paid: monthly MRR > 0 and ``ended_at`` null or after ``started_at``.
    """
    units = (monthly_mrr(subscriptions) * MICRO).round().cast("int64")
    currency = (
        subscriptions.currency.cast("string")
        if "currency" in subscriptions.columns
        else ibis.null("string")
    )
    subs = subscriptions.select(
        customer_id=subscriptions.customer_id,
        currency=currency,
        started_at=subscriptions.started_at,
        ended_at=subscriptions.ended_at,
        _u=units,
    )
    paid = subs.filter(
        (subs._u > 0) & (subs.ended_at.isnull() | (subs.ended_at > subs.started_at))
    )
    one, zero = ibis.literal(1, "int64"), ibis.literal(0, "int64")
    starts = paid.select(
        "customer_id", "currency", changed_at=paid.started_at, _d=paid._u
    )
    starts = starts.mutate(_s=one)
    ended = paid.filter(paid.ended_at.notnull())
    ends = ended.select(
        "customer_id", "currency", changed_at=ended.ended_at, _d=-ended._u
    )
    ends = ends.mutate(_s=zero)
    events = starts.union(ends, distinct=False)
    points = events.group_by("customer_id", "currency", "changed_at").aggregate(
        _d=_int64(events._d.sum()), _s=_int64(events._s.sum())
    )
    return _linked(points)


def _linked(points: ir.Table) -> ir.Table:
    """Running MRR, neighbours and customer-wide facts of each change point."""
    mine = ibis.window(
        group_by=[points.customer_id, points.currency], order_by=points.changed_at
    )
    history = ibis.cumulative_window(
        group_by=[points.customer_id, points.currency], order_by=points.changed_at
    )
    customer = ibis.window(group_by=points.customer_id)
    first_paid = ibis.ifelse(points._s > 0, points.changed_at, ibis.null("timestamp"))
    # A null currency next to a named one is mixed too (it may or may not be the
    # reporting currency); min and max ignore nulls, so count them apart.
    # (a CASE, as PostgreSQL cannot cast a boolean to an integer)
    named = ibis.ifelse(points.currency.notnull(), 1, 0)
    ran = points.mutate(
        after=_int64(points._d.sum().over(history)),
        prev_at=points.changed_at.lag().over(mine),
        next_at=points.changed_at.lead().over(mine),
        prev2_at=points.changed_at.lag(2).over(mine),
        next2_at=points.changed_at.lead(2).over(mine),
        _next_d=points._d.lead().over(mine),
        first_paid_at=first_paid.min().over(customer),
        _lo=points.currency.min().over(customer),
        _hi=points.currency.max().over(customer),
        _named=named.min().over(customer),
        _any=named.max().over(customer),
    )
    mixed = (ran._lo != ran._hi).fill_null(False) | (ran._named != ran._any)
    return ran.select(
        "customer_id",
        "currency",
        "changed_at",
        before=ran.after - ran._d,
        after=ran.after,
        prev_at=ran.prev_at,
        next_at=ran.next_at,
        prev2_at=ran.prev2_at,
        next2_at=ran.next2_at,
        next_after=ran.after + ran._next_d,
        first_paid_at=ran.first_paid_at,
        mixed=mixed,
    )


def _int64(value: ir.IntegerValue) -> ir.IntegerValue:
    """A 64-bit integer for certain: DuckDB sums BIGINTs into HUGEINTs, several
    times slower to store and scan, while ibis types the sum int64 and so drops
    a plain cast to int64."""
    return value.cast("decimal(38, 0)").cast("int64")
