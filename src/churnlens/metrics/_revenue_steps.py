"""MRR movements per period key: the engine half of the revenue metrics.

Reads the change points of ``churnlens.mrr_changes`` (one row per customer, currency
and instant where their MRR changes). A change at ``changed_at`` first shows at
the end of the period containing it, so a customer's MRR at the start of a
period (S) is the ``before`` of their first change in it and their MRR at its end
(E) the ``after`` of their last: a row is first (last) in its period when its
previous (next) change lies in another period. Most rows are both and are
classified on their own; the few customers with several changes in one period
are paired by one small grouping. No window runs here.

Customers paying in several currencies (``mixed``) need all their currencies'
MRR at once, including those without a change in the period: for them (few) the
changes are summed per period and run through a window per customer, one column
per currency.

Amounts stay in integer micro-units of their currency; conversion happens on the
small aggregated result.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import numpy as np

from churnlens.metrics._mrr import Currencies
from churnlens.metrics._segments import SEGMENT
from churnlens.periods import Calendar

__all__ = ["KINDS", "Keyer", "mixed_rows", "simple_rows", "stayers", "totals"]

# Movement codes computed in the engine (0: no movement), by name.
KINDS = {"new": 1, "expansion": 2, "contraction": 3, "churn": 4, "reactivation": 5}
_NEVER = 2**62  # the key of "no next change"


class Keyer:
    """Period keys of instants, with the grid's offsets (see Calendar)."""

    def __init__(
        self, calendar: Calendar, span: tuple[dt.datetime, dt.datetime]
    ) -> None:
        self.calendar = calendar
        self.span = span

    def __call__(self, ts: ir.TimestampValue) -> ir.IntegerValue:
        return self.calendar.period_key(ts, self.span)


def _kind(
    b: ir.IntegerValue,
    e: ir.IntegerValue,
    change: ir.NumericValue,
    new: ir.BooleanValue,
) -> ir.IntegerValue:
    return ibis.cases(
        ((b == 0) & (e > 0) & new, KINDS["new"]),
        ((b == 0) & (e > 0), KINDS["reactivation"]),
        ((b > 0) & (e == 0), KINDS["churn"]),
        ((b > 0) & (change > 0), KINDS["expansion"]),
        ((b > 0) & (e > 0) & (change < 0), KINDS["contraction"]),
        else_=0,
    ).cast("int64")


# The longest period of each kind, with an hour to spare for daylight saving.
_LONGEST_S = {
    "day": 25 * 3600,
    "week": 7 * 86400 + 3600,
    "month": 31 * 86400 + 3600,
    "quarter": 92 * 86400 + 3600,
    "year": 366 * 86400 + 3600,
}


def _apart(
    later: ir.TimestampValue, earlier: ir.TimestampValue, key: Keyer
) -> ir.BooleanValue:
    """Surely in different periods: further apart than the longest period."""
    longest = _LONGEST_S[key.calendar.period]
    return (later.epoch_seconds() - earlier.epoch_seconds()) > longest


def _bounded(changes: ir.Table, key: Keyer) -> ir.Table:
    """The change points with their period key ``_k`` and its bounds ``_lo``,
    ``_hi`` (naive UTC instants), from a small grid of the span's periods joined
    on the key: neighbours are then placed by comparing instants, not by keying
    each of them (extracting calendar fields is most of the cost)."""
    calendar, span = key.calendar, key.span
    first = calendar.key_of(calendar.local_date(span[0]))
    last = calendar.key_of(calendar.local_date(span[1]))
    keys = np.arange(first, last + 1, dtype="int64")
    starts = [calendar.instant(calendar.from_key(int(k))) for k in keys]
    ends = [calendar.instant(calendar.from_key(int(k) + 1)) for k in keys]
    grid = ibis.memtable(
        {
            "_k": keys,
            "_lo": np.array(starts, dtype="datetime64[us]"),
            "_hi": np.array(ends, dtype="datetime64[us]"),
        }
    )
    keyed = changes.mutate(_k=key(changes.changed_at))
    return keyed.join(grid, "_k")


def simple_rows(changes: ir.Table, key: Keyer) -> list[ir.Table]:
    """Customers paying in one currency: ``customer_id, currency, key, _b, _e,
    kind`` (and ``_segment``), one row per customer and period with a change.

    Two tables, run as separate queries: the customers with one or two changes
    in the period, read off single rows (a second change's ``after`` is the first
    one's ``next_after``), and the few with three or more, paired by a grouping.
    """
    c = _bounded(changes.filter(~changes.mixed), key)
    first = c.prev_at.isnull() | (c.prev_at < c._lo)
    last = c.next_at.isnull() | (c.next_at >= c._hi)
    # The change after next lies beyond this period: at most two in it.
    two = c.next2_at.isnull() | (c.next2_at >= c._hi)
    extra = [SEGMENT] if SEGMENT in changes.columns else []
    direct = c.filter(first & (last | two))
    direct = direct.select(
        "customer_id",
        "currency",
        *extra,
        key=direct._k,
        _b=direct.before,
        _e=ibis.ifelse(
            direct.next_at.isnull() | (direct.next_at >= direct._hi),
            direct.after,
            direct.next_after,
        ),
        _new=direct.first_paid_at >= direct._lo,
    )
    # Three or more changes in the period: every row of such a run. Such a row
    # has a neighbour closer than a period: a cheap test on instants leaves few
    # rows to key and place.
    mine = changes.filter(~changes.mixed)
    near = mine.filter(
        (mine.prev_at.notnull() & ~_apart(mine.changed_at, mine.prev_at, key))
        | (mine.next_at.notnull() & ~_apart(mine.next_at, mine.changed_at, key))
    )
    c = _bounded(near, key)
    first = c.prev_at.isnull() | (c.prev_at < c._lo)
    last = c.next_at.isnull() | (c.next_at >= c._hi)
    two = c.next2_at.isnull() | (c.next2_at >= c._hi)
    three = (first & ~last & ~two) | (~first & ~last)
    three |= ~first & last & c.prev2_at.notnull() & (c.prev2_at >= c._lo)
    runs = c.filter(three)
    run_first = runs.prev_at.isnull() | (runs.prev_at < runs._lo)
    run_last = runs.next_at.isnull() | (runs.next_at >= runs._hi)
    zero = ibis.literal(0, "int64")
    paired = runs.group_by("customer_id", "currency", *extra, key=runs._k).aggregate(
        _b=ibis.ifelse(run_first, runs.before, zero).sum(),
        _e=ibis.ifelse(run_last, runs.after, zero).sum(),
        _new=runs.first_paid_at.min() >= runs._lo.min(),
    )
    return [_classified(direct), _classified(paired.select(*direct.columns))]


def _classified(rows: ir.Table) -> ir.Table:
    return rows.mutate(kind=_kind(rows._b, rows._e, rows._e - rows._b, rows._new))


def mixed_rows(changes: ir.Table, key: Keyer, found: Currencies) -> ir.Table:
    """Customers paying in several currencies: ``customer_id, key, _b<i>, _e<i>,
    kind, next_key, _x<i>`` per customer and period with a change (``_x``: the
    MRR at the end of the customer's next period with a change)."""
    n = len(found.codes)
    c = changes.filter(changes.mixed)
    index = found.index_of(c.currency)
    extra = [SEGMENT] if SEGMENT in c.columns else []
    zero = ibis.literal(0, "int64")
    delta = c.after - c.before
    steps = c.group_by("customer_id", *extra, key=key(c.changed_at)).aggregate(
        **{f"_d{i}": ibis.ifelse(index == i, delta, zero).sum() for i in range(n)},
        _fk=key(c.first_paid_at).min(),
    )
    history = ibis.cumulative_window(group_by=steps.customer_id, order_by=steps.key)
    following = ibis.window(group_by=steps.customer_id, order_by=steps.key)
    ran = steps.mutate(
        **{f"_e{i}": steps[f"_d{i}"].sum().over(history) for i in range(n)}
    )
    ran = ran.mutate(
        **{f"_b{i}": ran[f"_e{i}"] - ran[f"_d{i}"] for i in range(n)},
        next_key=ran.key.lead().over(following),
        **{f"_x{i}": ran[f"_e{i}"].lead().over(following) for i in range(n)},
    )
    b = sum((ran[f"_b{i}"] for i in range(1, n)), ran._b0)
    e = sum((ran[f"_e{i}"] for i in range(1, n)), ran._e0)
    change = _converted_change(ran, key, found)
    return ran.mutate(kind=_kind(b, e, change, ran._fk == ran.key))


def _converted_change(ran: ir.Table, key: Keyer, found: Currencies) -> ir.NumericValue:
    """The change in MRR at the rates of the period's start (only its sign is
    used: amounts are converted after aggregation)."""
    calendar = key.calendar
    first = calendar.key_of(calendar.local_date(key.span[0]))
    keys = list(range(first, calendar.key_of(calendar.local_date(key.span[1])) + 1))
    rates = found.rates_on([calendar.from_key(k) for k in keys])
    total: ir.NumericValue = ibis.literal(0.0, "float64")
    for i in range(len(found.codes)):
        rate = _rate_by_key(ran.key, keys, rates[:, i])
        total = total + ran[f"_d{i}"].cast("float64") * rate
    return total


def _rate_by_key(
    key: ir.IntegerValue, keys: list[int], rates: np.ndarray
) -> ir.FloatingValue:
    """A currency's rate at the start of each key, as a CASE over the keys where
    it changes."""
    at = [0, *[i for i in range(1, len(keys)) if rates[i] != rates[i - 1]]]
    if len(at) == 1:
        return ibis.literal(float(rates[0]), "float64")
    branches = [
        (key < keys[at[j + 1]], float(rates[at[j]])) for j in range(len(at) - 1)
    ]
    return ibis.cases(*branches, else_=float(rates[at[-1]])).cast("float64")


def totals(simple: list[ir.Table], mixed: ir.Table | None, n: int) -> list[ir.Table]:
    """Per period key (and segment) and movement: customers and the summed MRR
    before (``_b``) and after (``_e``); the simple parts per currency value, the
    mixed part per currency index (``_b<i>, _e<i>``)."""
    extra = [SEGMENT] if SEGMENT in simple[0].columns else []
    parts = [
        t.group_by("key", "kind", "currency", *extra).aggregate(
            customers=t.count(), _b=t._b.sum(), _e=t._e.sum()
        )
        for t in simple
    ]
    if mixed is not None:
        parts.append(
            mixed.group_by("key", "kind", *extra).aggregate(
                customers=mixed.count(),
                **{f"_b{i}": mixed[f"_b{i}"].sum() for i in range(n)},
                **{f"_e{i}": mixed[f"_e{i}"].sum() for i in range(n)},
            )
        )
    return parts


def stayers(changes: ir.Table, key: Keyer, grid_keys: list[int]) -> ir.Table:
    """Customers paying in one currency whose MRR does not change in a grid
    period, counted by MRR: ``key, currency, _b, n`` (and ``_segment``).

    A change's ``after`` holds from the end of its period to the end of the
    period of the next change: in the periods strictly between, it is both the
    start and the end MRR.
    """
    c = changes.filter(~changes.mixed & (changes.after > 0))
    grid = ibis.memtable({"_j": np.asarray(grid_keys, dtype="int64")})
    keyed = c.mutate(_k=key(c.changed_at), _kn=key(c.next_at).fill_null(_NEVER))
    joined = keyed.join(grid, (keyed._k < grid._j) & (grid._j < keyed._kn))
    extra = [SEGMENT] if SEGMENT in c.columns else []
    return joined.group_by(
        "currency", *extra, key=joined._j, _b=joined.after
    ).aggregate(n=joined.count())


def mixed_paying(mixed: ir.Table, grid_keys: list[int], n: int) -> ir.Table:
    """Mixed-currency customers paying at the start of a grid period: ``key,
    _b<i>, _a<i>, n`` (and ``_segment``), counted by distinct pair.

    A row's MRR holds from the end of its key to the end of ``next_key``: it is
    the start MRR of the periods after its key up to ``next_key`` included, and
    the end MRR too except in ``next_key``, whose row holds the end MRR.
    """
    e = sum((mixed[f"_e{i}"] for i in range(1, n)), mixed._e0)
    held = mixed.filter(e > 0)
    grid = ibis.memtable({"_j": np.asarray(grid_keys, dtype="int64")})
    until = held.next_key.fill_null(_NEVER)
    joined = held.join(grid, (held.key < grid._j) & (grid._j <= until))
    moved = joined.next_key == joined._j
    extra = {SEGMENT: joined[SEGMENT]} if SEGMENT in held.columns else {}
    keys = {
        "key": joined._j,
        **extra,
        **{f"_b{i}": joined[f"_e{i}"] for i in range(n)},
        **{
            f"_a{i}": ibis.ifelse(moved, joined[f"_x{i}"], joined[f"_e{i}"])
            for i in range(n)
        },
    }
    return joined.group_by(**keys).aggregate(n=joined.count())
