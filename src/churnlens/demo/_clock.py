"""Instants for the demo generator: int64 seconds since the epoch, UTC.

Plain integers keep the simulation vectorised and exact; they become ISO 8601 text
only when the tables are written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churnlens.demo._params import NEVER


@dataclass(frozen=True)
class Calendar:
    """The simulated span: calendar months from ``start`` up to ``data_end``."""

    start: int
    data_end: int
    month_starts: np.ndarray  # n_months + 1 bounds, the last one is data_end

    @property
    def n_months(self) -> int:
        return len(self.month_starts) - 1

    def month_offset(self, months: int) -> int:
        """The instant ``months`` calendar months after the first month's start."""
        first = np.datetime64(int(self.month_starts[0]), "s").astype("datetime64[M]")
        return _seconds(first + np.timedelta64(months, "M"))

    def iso_date(self, seconds: int) -> str:
        return str(np.datetime64(seconds, "s").astype("datetime64[D]"))


def make_calendar(start: str | dt.date, years: int) -> Calendar:
    """Months from ``start``'s month to the month boundary at or before start+years."""
    day = np.datetime64(pd.Timestamp(start).date(), "D")
    first = day.astype("datetime64[M]")
    years_later = _add_years(day, years)
    last = years_later.astype("datetime64[M]")
    if last <= first:
        raise ValueError(f"years must cover at least one full month, got {years}")
    months = np.arange(first, last + np.timedelta64(1, "M"))
    bounds = months.astype("datetime64[s]").astype(np.int64)
    begin = max(int(bounds[0]), _seconds(day))
    return Calendar(start=begin, data_end=int(bounds[-1]), month_starts=bounds)


def _add_years(day: np.datetime64, years: int) -> np.datetime64:
    d = pd.Timestamp(day)
    return np.datetime64((d + pd.DateOffset(years=years)).date(), "D")


def _seconds(value: np.datetime64) -> int:
    return int(value.astype("datetime64[s]").astype(np.int64))


def add_months(anchor: np.ndarray, months: np.ndarray) -> np.ndarray:
    """``anchor`` moved by whole months, keeping day of month (clipped) and time."""
    t = np.asarray(anchor, dtype=np.int64).astype("datetime64[s]")
    day = t.astype("datetime64[D]")
    month = t.astype("datetime64[M]")
    day_of_month = (day - month.astype("datetime64[D]")).astype(np.int64)
    time_of_day = (t - day.astype("datetime64[s]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    length = (
        (target + np.timedelta64(1, "M")).astype("datetime64[D]")
        - target.astype("datetime64[D]")
    ).astype(np.int64)
    out = target.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)
    return out.astype("datetime64[s]").astype(np.int64) + time_of_day


def next_boundary(
    anchor: np.ndarray, period: np.ndarray, after: np.ndarray
) -> np.ndarray:
    """The first renewal ``anchor + k * period`` months, k >= 1, after ``after``."""
    anchor = np.asarray(anchor, dtype=np.int64)
    period = np.asarray(period, dtype=np.int64)
    months_a = _month_index(anchor)
    months_x = _month_index(np.asarray(after, dtype=np.int64))
    k = np.maximum((months_x - months_a) // period, 0) * period
    boundary = add_months(anchor, k)
    k = np.where(boundary <= after, k + period, k)
    k = np.maximum(k, period)
    return add_months(anchor, k)


def _month_index(t: np.ndarray) -> np.ndarray:
    return t.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)


def week_index(t: np.ndarray) -> np.ndarray:
    """Weeks since the Monday 1970-01-05 (the epoch was a Thursday)."""
    return (np.asarray(t, dtype=np.int64) - 4 * 86_400) // (7 * 86_400)


def to_iso(t: np.ndarray) -> np.ndarray:
    """ISO 8601 UTC text with ``Z``; instants at or beyond ``NEVER`` become ''."""
    t = np.asarray(t, dtype=np.int64)
    missing = t >= NEVER
    text = np.datetime_as_string(np.where(missing, 0, t).astype("datetime64[s]"))
    out = np.char.add(text, "Z").astype(object)
    out[missing] = ""
    return out
