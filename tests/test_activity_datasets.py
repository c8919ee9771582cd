"""Activity churn on the CDNOW transactions (Fader and Hardie), against an
independent pandas computation of the same definition."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from _datasets import dataset, needs_datasets
from churnlens.metrics.churn import churn_rate

CDNOW = dataset("cdnow_fader_hardie") / "CDNOW_master.txt"


def _transactions() -> pd.DataFrame:
    raw = pd.read_csv(CDNOW, sep=r"\s+", dtype={"customer_id": str, "date": str})
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "occurred_at": pd.to_datetime(raw["date"], format="%Y%m%d"),
        }
    )


def _pandas_table(events: pd.DataFrame, days: int) -> pd.DataFrame:
    """Month by month: active at t when the last event before t is at most
    ``days`` days before it; data end = the last event; full months only."""
    first_seen = events.groupby("customer_id")["occurred_at"].min()
    end = events["occurred_at"].max()
    months = pd.date_range(events["occurred_at"].min(), end, freq="MS")
    months = [m for m in months if m + pd.offsets.MonthBegin(1) <= end]
    window = pd.Timedelta(days=days)

    def active(t: pd.Timestamp) -> pd.Series:
        last = (
            events[events["occurred_at"] < t]
            .groupby("customer_id")["occurred_at"]
            .max()
        )
        return (last >= t - window).reindex(first_seen.index, fill_value=False)

    rows = []
    for s in months:
        e = s + pd.offsets.MonthBegin(1)
        at_s, at_e = active(s), active(e)
        new = (first_seen >= s) & (first_seen < e)
        rows.append(
            {
                "period_start": s.date(),
                "customers_start": int(at_s.sum()),
                "new": int(new.sum()),
                "churned": int((at_s & ~at_e).sum()),
                "churned_new": int((new & ~at_e).sum()),
                "reactivated": int((~at_s & at_e & (first_seen < s)).sum()),
                "customers_end": int(at_e.sum()),
            }
        )
    return pd.DataFrame(rows)


@needs_datasets
@pytest.mark.parametrize("days", [30, 90])
def test_cdnow_activity_churn_matches_pandas(days: int) -> None:
    events = _transactions()
    assert len(events) == 69659 and events["customer_id"].nunique() == 23570
    table = churn_rate(activity=events, inactive_days=days, now=dt.datetime(2030, 1, 1))
    expected = _pandas_table(events, days)
    assert table["period_start"].tolist() == expected["period_start"].tolist()
    for column in expected.columns[1:]:
        np.testing.assert_array_equal(
            table[column].to_numpy(), expected[column].to_numpy()
        )
    # The cohort was acquired in Q1 1997 and buys rarely afterwards.
    assert table["new"].iloc[3:].sum() == 0
    assert (table["churn_rate"].iloc[3:] > 0.1).all()
