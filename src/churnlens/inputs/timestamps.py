"""Reading dates and times: ISO 8601 text into naive UTC instants, vectorised.

Accepted text: a date (``2024-03-01``, local midnight), or a date and a time
separated by ``T`` or a space, with optional seconds and fraction, optionally
followed by an offset (``Z``, ``UTC``, ``+02``, ``+0200``, ``+02:00``). Values
with an offset are exact instants. Values without one are local times in ``tz``.

Text is matched with regular expressions in Arrow compute, cast by DuckDB's
``TRY_CAST`` (a bad calendar date such as 2024-02-30 becomes NULL, not an error),
and local times are converted to UTC in Arrow compute: DuckDB's own time zone
cast goes through ICU one value at a time and is about ten times slower.

Local times that a daylight saving change makes ambiguous or nonexistent follow
the rule of PostgreSQL and DuckDB (ICU), so the same text means the same instant
on every engine:

- nonexistent (the spring gap) -> read with the offset in force before the change:
  2024-03-31 02:30 in Europe/Warsaw is 01:30 UTC (03:30 summer time);
- ambiguous (the autumn overlap) -> the later instant, standard time:
  2024-10-27 02:30 in Europe/Warsaw is 01:30 UTC, not 00:30 UTC.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from churnlens.errors import ConfigError
from churnlens.periods import check_timezone

__all__ = [
    "EARLIEST",
    "LATEST",
    "LOCAL",
    "check_tz",
    "is_utc",
    "localize",
    "zoned_parts",
]

_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
_TIME = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
# A local date, or date and time; the offset forms are in the module docstring.
LOCAL = f"^{_DATE}(?:[T ]{_TIME})?$"
_ZONED = (
    f"^(?P<datetime>{_DATE}[T ]{_TIME}) ?"
    r"(?:(?P<utc>Z|UTC)|(?P<sign>[+-])(?P<hours>0\d|1[0-8]):?(?P<minutes>[0-5]\d)?)$"
)

# Plausible instants: earlier or later ones are placeholders (0001-01-01,
# 9999-12-31) or typing errors, and would distort every duration computed.
EARLIEST = dt.datetime(1900, 1, 1)
LATEST = dt.datetime(2200, 1, 1)

_US = pa.timestamp("us")


def zoned_parts(text: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """(the date-time text, its UTC offset as a duration) of each value that is
    a date-time with an offset; both null for any other value."""
    parts = pc.extract_regex(text, _ZONED)
    sign = pc.if_else(pc.equal(pc.struct_field(parts, "sign"), "-"), -1, 1)
    minutes = pc.add(
        pc.multiply(_integer(pc.struct_field(parts, "hours")), 60),
        _integer(pc.struct_field(parts, "minutes")),
    )
    offset = pc.multiply(pc.multiply(sign, minutes), 60_000_000)
    return pc.struct_field(parts, "datetime"), offset.cast(pa.duration("us"))


def _integer(digits: pa.ChunkedArray) -> pa.ChunkedArray:
    """Digits matched by an optional group ("" when it did not take part)."""
    return pc.if_else(pc.equal(digits, ""), "0", digits).cast(pa.int64())


def check_tz(tz: str) -> None:
    """A ConfigError unless ``tz`` is an IANA zone name: the names the report
    calendar takes too, so one ``--tz`` works for every command."""
    check_timezone(tz)
    try:
        pc.assume_timezone(pa.array([0], _US), tz)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as e:
        raise ConfigError(
            f"unknown time zone '{tz}'",
            hint="use an IANA name such as UTC, Europe/Warsaw or America/New_York",
        ) from e


def is_utc(tz: str) -> bool:
    return tz.upper() in ("UTC", "ETC/UTC", "GMT", "ETC/GMT", "Z", "+00:00")


def localize(local: pa.ChunkedArray, tz: str) -> pa.ChunkedArray:
    """Naive UTC instants of the naive local times ``local`` in ``tz``."""
    local = local.cast(_US)
    if is_utc(tz):
        return local
    instant = pc.assume_timezone(local, tz, ambiguous="latest", nonexistent="earliest")
    # "earliest" gave the end of the gap; a gap time round-trips to another wall
    # time. Those take the offset in force just before the change instead.
    shown = pc.local_timestamp(instant)
    in_gap = pc.fill_null(pc.not_equal(shown, local), False)
    naive = instant.cast(_US)
    if not pc.any(in_gap).as_py():
        return naive
    before = pc.subtract(instant, pa.scalar(1, pa.duration("us")))
    offset_before = pc.subtract(pc.local_timestamp(before), before.cast(_US))
    return pc.if_else(in_gap, pc.subtract(local, offset_before), naive)
