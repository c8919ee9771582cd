"""Named churn conventions: the same spells, counted as other tools count them.

Each preset is a window per reported period and a choice of numerator and
denominator among the counts of ``_convention_windows`` (docs/conventions.md has
the definitions, their sources and a worked example):

============  ==========================  ==========================================
name          window for period [s, e)    churn_rate
============  ==========================  ==========================================
standard      [s, e)                      in the base at s, not at e / base at s
snapshot      [s, e), base start <= t < e same, with the base closed at the start
stripe        [e - 30 days, e)            exits / (base at the window start + entries)
baremetrics   [e - 30 days, e)            customers who left / base at window start
profitwell    [s, e)                      as standard; joined-and-left not new
recurly       [s, e)                      customers who left / base at s
============  ==========================  ==========================================

``standard`` through ``churn_rate`` is the fast path of metrics/churn.py; here
every preset (standard included, which the tests compare with it) takes two
grouped queries: customers with a start or end inside a window, found by band
joins to a small table of windows and counted per window, and spells covering
whole windows, counted as steps per period key (they only add to head counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError
from churnlens.metrics._convention_windows import (
    ROLLING,
    full_cover_steps,
    window_counts,
    windows,
)
from churnlens.metrics._intervals import wilson_interval
from churnlens.metrics._segments import SEGMENT, ordered_segments, with_segment
from churnlens.metrics.churn import (
    CHURN_COLUMNS,
    COUNT_COLUMNS,
    RATE_COLUMNS,
)
from churnlens.periods import Calendar, period_grid
from churnlens.sources import Source

__all__ = [
    "CONVENTIONS",
    "CONVENTION_COLUMNS",
    "Convention",
    "check_convention",
    "convention_table",
]

_ONE_US = dt.timedelta(microseconds=1)
# After CHURN_COLUMNS: the denominator, the window counted and the preset's name.
EXTRA_COLUMNS = ("churn_base", "window_start", "window_end", "convention")
CONVENTION_COLUMNS = (*CHURN_COLUMNS, *EXTRA_COLUMNS)


@dataclass(frozen=True)
class Convention:
    """A named way of counting churn: its window and its fraction."""

    name: str
    window: str  # "period", "snapshot" or "rolling"
    numerator: str
    denominator: str
    source: str

    def bounds(
        self, start: dt.datetime, end: dt.datetime
    ) -> tuple[dt.datetime, dt.datetime]:
        """The window ``[w0, w1)`` (naive UTC) read for the period ``[start, end)``."""
        if self.window == "snapshot":
            return start + _ONE_US, end + _ONE_US
        if self.window == "rolling":
            return end - ROLLING, end
        return start, end


CONVENTIONS: dict[str, Convention] = {
    c.name: c
    for c in (
        Convention(
            "standard",
            "period",
            "in the base at s and not at e",
            "in the base at s",
            "docs/churn-rate.md",
        ),
        Convention(
            "snapshot",
            "snapshot",
            "active on the first day (start <= s < end) and not on the next one's",
            "active on the period's first day",
            "https://github.com/carl24k/fight-churn/blob/master/listings/chap2/"
            "listing_2_2_churn_rate.sql",
        ),
        Convention(
            "stripe",
            "rolling",
            "exits from the base in the last 30 days (a returning customer "
            "churns again)",
            "active 30 days ago + entries in the 30 days (new and returning)",
            "https://support.stripe.com/questions/calculating-subscriber-churn-"
            "rate-in-billing",
        ),
        Convention(
            "baremetrics",
            "rolling",
            "customers who left in the last 30 days (joined-and-left included)",
            "active 30 days ago",
            "https://help.baremetrics.com/en/articles/5380347-user-and-revenue-churn",
        ),
        Convention(
            "profitwell",
            "period",
            "in the base at s and not at e (signed up and left in the month: ignored)",
            "in the base at s",
            "https://www.paddle.com/help/profitwell-metrics/measure/subscription-"
            "retention/are-cancellations-in-the-first-month-counted-as-churn",
        ),
        Convention(
            "recurly",
            "period",
            "customers whose last subscription ended in the period",
            "active at the start of the period",
            "https://recurly.com/blog/key-terms-related-to-churn-defined/",
        ),
    )
}


def check_convention(name: str) -> Convention:
    try:
        return CONVENTIONS[name]
    except KeyError:
        raise ConfigError(
            f"unknown churn convention '{name}'",
            hint=f"use one of: {', '.join(CONVENTIONS)} (see docs/conventions.md)",
        ) from None


def convention_table(
    source: Source,
    name: str,
    *,
    calendar: Calendar,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: str | None = None,
    grace_days: float = 0,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """The churn table of ``source`` under the convention ``name``, a row per
    period (and segment): ``CHURN_COLUMNS`` then ``EXTRA_COLUMNS``."""
    convention = check_convention(name)
    span = source.span()
    if span is None:
        return empty_table(by)
    grid = period_grid(calendar, span, start=start, end=end, now=now)
    spells = with_segment(source.spells(grace_days=grace_days), source, by)
    if not grid:
        return empty_table(by)
    bounds = [
        convention.bounds(calendar.instant(s), calendar.instant(calendar.next(s)))
        for s in grid
    ]
    extra = (SEGMENT,) if by is not None else ()
    counts = window_counts(spells, windows(bounds), extra=extra).to_pandas()
    steps = full_cover_steps(
        spells, calendar, span, convention.window, extra=extra
    ).to_pandas()
    counts = _with_full_cover(counts, steps, [calendar.key_of(s) for s in grid], extra)
    periods = pd.DataFrame(
        {
            "_w": range(len(grid)),
            "period_start": grid,
            "period_end": [calendar.next(s) for s in grid],
            "window_start": [b[0] for b in bounds],
            "window_end": [b[1] for b in bounds],
        }
    )
    if by is None:
        return finish(convention, _on_grid(periods, counts))
    # Every customer's segment is listed, even one with nothing in any window.
    present = spells.select(SEGMENT).distinct().to_pandas()[SEGMENT]
    return _by_segment(convention, periods, counts, by, present)


def _with_full_cover(
    counts: pd.DataFrame,
    steps: pd.DataFrame,
    keys: list[int],
    extra: tuple[str, ...],
) -> pd.DataFrame:
    """Add the customers covering a whole window to both head counts: the running
    sum of the steps up to each period's key."""
    if steps.empty:
        return counts
    on = ["_w", *extra]
    # The empty segment as a value, so that grouping and merging keep it.
    counts, steps = _null_as_value(counts, extra), _null_as_value(steps, extra)
    parts = [((), steps)] if not extra else list(steps.groupby(list(extra)))
    rows = []
    for value, part in parts:
        n = part.groupby(part["key"].astype("int64"))["n"].sum()
        n = n.reindex(sorted(set(n.index) | set(keys)), fill_value=0).cumsum()
        row = pd.DataFrame({"_w": range(len(keys)), "_full": n.loc[keys].to_numpy()})
        if extra:
            row[extra[0]] = value[0] if isinstance(value, tuple) else value
        rows.append(row)
    full = pd.concat(rows, ignore_index=True)
    merged = counts.merge(full[full["_full"] != 0], on=on, how="outer")
    for name in (c for c in counts.columns if c not in on):
        merged[name] = merged[name].fillna(0).astype("int64")
    added = merged.pop("_full").fillna(0).astype("int64")
    merged["customers_start"] += added
    merged["customers_end"] += added
    if extra:
        column = merged[extra[0]].astype(object)
        merged[extra[0]] = column.where(column != _NULL_SEGMENT, None)
    return merged


_NULL_SEGMENT = "\x00empty segment"


def _null_as_value(frame: pd.DataFrame, extra: tuple[str, ...]) -> pd.DataFrame:
    if not extra:
        return frame
    column = frame[extra[0]].astype(object)
    return frame.assign(**{extra[0]: column.where(column.notna(), _NULL_SEGMENT)})


def _on_grid(periods: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Every period once, with zero counts where no customer touched its window."""
    merged = periods.merge(counts, on="_w", how="left")
    names = [c for c in counts.columns if c not in ("_w", SEGMENT)]
    merged[names] = merged[names].fillna(0).astype("int64")
    return merged.drop(columns="_w")


def _by_segment(
    convention: Convention,
    periods: pd.DataFrame,
    counts: pd.DataFrame,
    by: str,
    present: pd.Series,
) -> pd.DataFrame:
    segments = ordered_segments(present)
    frames = []
    for segment in segments:
        mask = counts[SEGMENT].isna() if segment is None else counts[SEGMENT] == segment
        frame = finish(convention, _on_grid(periods, counts[mask]))
        frame.insert(2, by, segment)
        frames.append(frame)
    if not frames:
        return empty_table(by)
    table = pd.concat(frames, ignore_index=True)
    rank = {s: i for i, s in enumerate(segments)}
    table["_p"] = table["period_start"].map(
        {s: i for i, s in enumerate(periods["period_start"])}
    )
    table["_s"] = table[by].map(lambda s: rank[None if pd.isna(s) else s])
    table = table.sort_values(["_p", "_s"], kind="stable").drop(columns=["_p", "_s"])
    table[by] = table[by].astype(object)
    return table.reset_index(drop=True)


def fractions(
    convention: Convention, counts: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """(numerator, denominator) of the convention's churn rate per row."""
    c = {k: counts[k].to_numpy(dtype="int64") for k in counts.columns if k in _COUNTED}
    if convention.name == "stripe":
        return c["exits"], c["customers_start"] + c["entries"]
    if convention.name in ("baremetrics", "recurly"):
        return c["leavers"], c["customers_start"]
    return c["churned"], c["customers_start"]


_COUNTED = (
    "customers_start",
    "customers_end",
    "new",
    "churned",
    "churned_new",
    "reactivated",
    "leavers",
    "exits",
    "entries",
)


def finish(convention: Convention, counts: pd.DataFrame) -> pd.DataFrame:
    """The table's columns from the window counts (a row per window)."""
    churned, base = fractions(convention, counts)
    table = counts[["period_start", "period_end"]].copy()
    new = counts["new"].to_numpy(dtype="int64")
    churned_new = counts["churned_new"].to_numpy(dtype="int64")
    if convention.name == "profitwell":
        # Signed up and left within the month: neither new nor churned.
        new, churned_new = new - churned_new, np.zeros_like(churned_new)
    table["customers_start"] = counts["customers_start"].to_numpy(dtype="int64")
    table["new"] = new
    table["churned"] = churned
    table["churned_new"] = churned_new
    table["reactivated"] = counts["reactivated"].to_numpy(dtype="int64")
    table["customers_end"] = counts["customers_end"].to_numpy(dtype="int64")
    head = table["customers_start"].to_numpy(dtype="float64")
    n = base.astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        table["churn_rate"] = np.where(n > 0, churned / n, np.nan)
        table["net_change_rate"] = np.where(
            head > 0, (table["customers_end"].to_numpy() - head) / head, np.nan
        )
    # Wilson's interval is for a proportion: where a formula lets the numerator
    # pass the denominator (joined-and-left in the numerator only) it has none.
    lower, upper = wilson_interval(churned, np.where(churned <= base, n, 0.0))
    table["churn_rate_lower"] = lower
    table["churn_rate_upper"] = upper
    table["churn_base"] = base.astype("int64")
    table["window_start"] = counts["window_start"].to_numpy()
    table["window_end"] = counts["window_end"].to_numpy()
    table["convention"] = convention.name
    return table[list(CONVENTION_COLUMNS)]


def empty_table(by: str | None) -> pd.DataFrame:
    columns = list(CONVENTION_COLUMNS)
    if by is not None:
        columns.insert(2, by)
    table = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    for column in (*COUNT_COLUMNS, "churn_base"):
        table[column] = table[column].astype("int64")
    for column in RATE_COLUMNS:
        table[column] = table[column].astype("float64")
    for column in ("window_start", "window_end"):
        table[column] = table[column].astype("datetime64[us]")
    return table
