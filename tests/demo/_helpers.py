"""Shared helpers for the demo tests: reading the CSVs and naive references.

The references share no code with the generator, so that a bug there cannot hide.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SMALL = 2_000
SMALL_SEED = 7


def read(path: Path) -> pd.DataFrame:
    """A demo CSV as written: every cell a string, empty cells kept as ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def instants(column: pd.Series) -> pd.Series:
    """ISO 8601 UTC text as naive UTC timestamps; '' becomes NaT."""
    text = column.replace("", None)
    return pd.to_datetime(text, format="%Y-%m-%dT%H:%M:%SZ")


def monthly_churn(subscriptions: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """Customer churn per calendar month, as docs/churn-rate.md defines it.

    A customer is in the base at t when some subscription has
    started_at < t <= ended_at (or no ended_at yet); churned = in the base at the
    month's start and not at its end. ``subscriptions`` holds parsed timestamps.
    """
    started = subscriptions["started_at"].to_numpy()
    # Still active: in the base at every boundary.
    ended = subscriptions["ended_at"].fillna(pd.Timestamp("2200-01-01")).to_numpy()
    customer = subscriptions["customer_id"].to_numpy()
    bounds = pd.date_range(start, end, freq="MS").to_numpy()
    bases = [set(customer[(started < b) & (b <= ended)]) for b in bounds]
    rows = []
    for month, (before, after) in enumerate(zip(bases[:-1], bases[1:], strict=True)):
        churned = len(before - after)
        rate = churned / len(before) if before else np.nan
        rows.append((bounds[month], len(before), churned, rate))
    return pd.DataFrame(
        rows, columns=["period_start", "customers_start", "churned", "churn_rate"]
    )


def request_within(
    events: pd.DataFrame, requests: pd.DataFrame, *, days: int
) -> pd.Series:
    """For each event (customer_id, at): did that customer ask to cancel in
    (at, at + days]? Events at or after one of the customer's requests are NA:
    whoever already asked to leave is no longer at risk of asking.
    """
    pairs = events.reset_index()[["index", "customer_id", "at"]].merge(
        requests, on="customer_id", how="left"
    )
    after = pairs["canceled_at"] - pairs["at"]
    inside = (after > pd.Timedelta(0)) & (after <= pd.Timedelta(days=days))
    already = after <= pd.Timedelta(0)
    hit = inside.groupby(pairs["index"]).any()
    excluded = already.groupby(pairs["index"]).any()
    return hit.where(~excluded).reindex(events.index)
