"""Calendar periods in a time zone, on both sides of the engine boundary.

Stored instants are naive UTC. A period is the half-open interval between two local
midnights of the report's time zone. In the engine, an instant is mapped to its
period by shifting it to local wall-clock time and truncating it; the shift is a CASE
over the zone's UTC-offset changes inside the data's time span, written with literals
only, so DuckDB, PostgreSQL and Spark all compile and run it the same way. In Python,
periods are named by the local date on which they start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ibis
import ibis.expr.types as ir

from churnlens.errors import ConfigError

__all__ = [
    "naive_utc",
    "period_grid",
    "to_date",
    "PERIODS",
    "Calendar",
    "check_period",
    "check_timezone",
]

PERIODS = ("day", "week", "month", "quarter", "year")
_EPOCH = dt.date(1970, 1, 1)
_UTC = dt.UTC


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise ConfigError(
            f"unknown period '{period}'", hint=f"use one of: {', '.join(PERIODS)}"
        )
    return period


def check_timezone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone '{tz}'",
            hint="use an IANA zone name such as 'UTC', 'Europe/Warsaw' or "
            "'Asia/Ho_Chi_Minh' (a fixed offset is 'Etc/GMT-2' for UTC+2)",
        ) from None


@dataclass(frozen=True)
class Calendar:
    """Calendar periods of one kind in one time zone."""

    period: str = "month"
    tz: str = "UTC"

    def __post_init__(self) -> None:
        check_period(self.period)
        check_timezone(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    # -- Python side: periods named by their local start date -----------------

    def floor(self, day: dt.date) -> dt.date:
        """The start date of the period containing ``day``."""
        if self.period == "day":
            return day
        if self.period == "week":
            return day - dt.timedelta(days=day.weekday())
        if self.period == "month":
            return day.replace(day=1)
        if self.period == "quarter":
            return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return dt.date(day.year, 1, 1)

    def next(self, start: dt.date) -> dt.date:
        """The start date of the period after the one starting on ``start``."""
        if self.period == "day":
            return start + dt.timedelta(days=1)
        if self.period == "week":
            return start + dt.timedelta(days=7)
        months = {"month": 1, "quarter": 3, "year": 12}[self.period]
        index = start.year * 12 + start.month - 1 + months
        return dt.date(index // 12, index % 12 + 1, 1)

    def grid(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """Start dates of the periods from the one containing ``first`` to the one
        containing ``last``, both included."""
        starts, current, stop = [], self.floor(first), self.floor(last)
        while current <= stop:
            starts.append(current)
            current = self.next(current)
        return starts

    def instant(self, day: dt.date) -> dt.datetime:
        """The naive UTC instant of local midnight starting ``day``."""
        local = dt.datetime.combine(day, dt.time(), tzinfo=self.zone)
        return local.astimezone(_UTC).replace(tzinfo=None)

    def local_date(self, instant: dt.datetime) -> dt.date:
        """The local calendar date of a naive UTC instant."""
        return instant.replace(tzinfo=_UTC).astimezone(self.zone).date()

    # -- Engine side ------------------------------------------------------------

    def period_key(
        self, ts: ir.TimestampValue, span: tuple[dt.datetime, dt.datetime]
    ) -> ir.IntegerValue:
        """An integer naming the period containing each instant (see ``from_key``).

        Integers rather than truncated timestamps: extracting the year and month is
        several times faster than DATE_TRUNC in DuckDB, and compares the same on
        every engine. ``span`` bounds the instants that occur (naive UTC); offsets
        outside it are the offsets at its edges, exact for any instant within it.
        """
        local = self.to_local(ts, span)
        if self.period in ("day", "week"):
            day = (local.epoch_seconds() // 86400).cast("int64")
            return day if self.period == "day" else (day + 3) // 7
        year = local.year().cast("int64")
        if self.period == "year":
            return year
        month = local.month().cast("int64") - 1
        if self.period == "month":
            return year * 12 + month
        return year * 4 + month // 3

    def key_of(self, day: dt.date) -> int:
        """The ``period_key`` of the period containing a local date."""
        if self.period in ("day", "week"):
            days = (day - _EPOCH).days
            return days if self.period == "day" else (days + 3) // 7
        if self.period == "month":
            return day.year * 12 + day.month - 1
        if self.period == "quarter":
            return day.year * 4 + (day.month - 1) // 3
        return day.year

    def from_key(self, key: int) -> dt.date:
        """The local start date of the period named by ``period_key``."""
        key = int(key)
        if self.period == "day":
            return _EPOCH + dt.timedelta(days=key)
        if self.period == "week":
            # Day 4 of the epoch (1970-01-05) is its first Monday.
            return _EPOCH + dt.timedelta(days=7 * key - 3)
        if self.period == "month":
            return dt.date(key // 12, key % 12 + 1, 1)
        if self.period == "quarter":
            return dt.date(key // 4, key % 4 * 3 + 1, 1)
        return dt.date(key, 1, 1)

    def to_local(
        self, ts: ir.TimestampValue, span: tuple[dt.datetime, dt.datetime]
    ) -> ir.TimestampValue:
        changes = _offset_changes(self.tz, span[0], span[1])
        first_offset = changes[0][1]
        if len(changes) == 1:
            if first_offset == 0:
                return ts
            return ts + ibis.interval(seconds=first_offset)
        branches = [
            (ts < ibis.timestamp(until), ts + ibis.interval(seconds=offset))
            for (until, offset) in _pairwise_until(changes)
        ]
        last = ts + ibis.interval(seconds=changes[-1][1])
        return ibis.cases(*branches, else_=last)


def _pairwise_until(
    changes: list[tuple[dt.datetime, int]],
) -> list[tuple[dt.datetime, int]]:
    """(instant the offset stops applying, offset) for every offset but the last."""
    return [(changes[i + 1][0], changes[i][1]) for i in range(len(changes) - 1)]


@lru_cache(maxsize=256)
def _offset_changes(
    tz: str, first: dt.datetime, last: dt.datetime
) -> list[tuple[dt.datetime, int]]:
    """[(naive UTC instant from which an offset applies, offset seconds), ...].

    The first entry applies from ``first`` (and before). Found by sampling every
    day and bisecting each change to the microsecond: zoneinfo does not expose its
    transition table, and this costs milliseconds for decades.
    """
    zone = ZoneInfo(tz)

    def offset(instant: dt.datetime) -> int:
        delta = instant.replace(tzinfo=_UTC).astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    changes = [(first, offset(first))]
    if tz in ("UTC", "Etc/UTC"):
        return changes
    step = dt.timedelta(days=1)
    previous = first
    while previous < last:
        current = min(previous + step, last)
        if offset(current) != offset(previous):
            lo, hi = previous, current
            while hi - lo > dt.timedelta(microseconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if offset(mid) == offset(lo) else (lo, mid)
            changes.append((hi, offset(hi)))
        previous = current
    return changes


def period_grid(
    calendar: Calendar,
    span: tuple[dt.datetime, dt.datetime],
    *,
    start: dt.date | str | None,
    end: dt.date | str | None,
    now: dt.datetime | None,
) -> list[dt.date]:
    """Start dates of the periods a metric reports over ``span`` (naive UTC first
    start, last event): by default the full periods from the first start to the
    data's end (capped at ``now``); ``start``/``end`` pick the periods containing
    those dates instead."""
    first, last = span
    cap = naive_utc(now) if now is not None else naive_utc(dt.datetime.now(dt.UTC))
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
        lo = calendar.floor(to_date(start, "start"))
    if end is not None:
        hi = calendar.floor(to_date(end, "end"))
    if hi < lo and start is not None and end is not None:
        raise ConfigError(
            f"the range ends ({hi}) before it starts ({lo})",
            hint="give --from a date before --to",
        )
    # With one bound left to its default, a range beyond the data is empty, as the
    # default range is when the data hold no full period.
    return calendar.grid(lo, hi) if lo <= hi else []


def to_date(value: dt.date | str, name: str) -> dt.date:
    """A date given as a date, a datetime or ISO text (``name`` is for the error)."""
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


def naive_utc(value: dt.datetime) -> dt.datetime:
    """An aware instant as naive UTC; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)
