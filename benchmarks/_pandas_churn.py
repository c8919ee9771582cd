"""The named baseline "pandas-straightforward": the churn table in plain pandas.

Written the way a competent analyst would, from docs/churn-rate.md alone and sharing
no code with churnlens: per customer, the union of their subscriptions by sorting and
a running maximum of ends (``cummax``), then, at each period boundary, who is in the
base via vectorised comparisons over all spells. Not deliberately slow, not tuned.
UTC periods only.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "churn_table"]

COLUMNS = [
    "period_start",
    "period_end",
    "customers_start",
    "new",
    "churned",
    "churned_new",
    "reactivated",
    "customers_end",
    "churn_rate",
    "churn_rate_lower",
    "churn_rate_upper",
    "net_change_rate",
]
_FREQ = {"day": "D", "week": "W-MON", "month": "MS", "quarter": "QS-JAN", "year": "YS"}
_OPEN = pd.Timestamp("9000-01-01")
_Z = 1.959963984540054


def churn_table(
    subs: pd.DataFrame,
    *,
    period: str = "month",
    now: pd.Timestamp | None = None,
    timings: dict[str, float] | None = None,
) -> pd.DataFrame:
    """``subs`` has customer_id, started_at, ended_at (NaT while open), naive UTC.
    ``timings`` receives the seconds spent before the boundary loop ("spells_s")."""
    began = time.perf_counter()
    codes, _ = pd.factorize(subs["customer_id"])
    subs = subs.assign(code=codes)
    first = subs.groupby("code")["started_at"].min().to_numpy()
    spells = _spells(subs)
    if timings is not None:
        timings["spells_s"] = time.perf_counter() - began
    bounds = _boundaries(subs, period, now)
    rows = []
    in_base = _in_base(spells, bounds[0], len(first)) if len(bounds) else None
    for s, e in zip(bounds[:-1], bounds[1:], strict=True):
        after = _in_base(spells, e, len(first))
        new = (first >= s) & (first < e)
        rows.append(
            {
                "period_start": s,
                "period_end": e,
                "customers_start": in_base.sum(),
                "new": new.sum(),
                "churned": (in_base & ~after).sum(),
                "churned_new": (new & ~after).sum(),
                "reactivated": (~in_base & after & (first < s)).sum(),
                "customers_end": after.sum(),
            }
        )
        in_base = after
    return _with_rates(pd.DataFrame(rows, columns=COLUMNS[:8]))


def _spells(subs: pd.DataFrame) -> pd.DataFrame:
    """Disjoint (start, end] spells per customer; zero-length subscriptions dropped."""
    ends = subs["ended_at"].fillna(_OPEN)
    d = pd.DataFrame({"code": subs["code"], "start": subs["started_at"], "end": ends})
    d = d[d["end"] > d["start"]]
    d = d.sort_values(["code", "start", "end"])
    reach = d.groupby("code")["end"].cummax()
    reach_before = reach.groupby(d["code"]).shift()
    opens = reach_before.isna() | (d["start"] > reach_before)
    spell_id = opens.cumsum()
    return d.groupby(spell_id).agg(
        code=("code", "first"), start=("start", "min"), end=("end", "max")
    )


def _boundaries(
    subs: pd.DataFrame, period: str, now: pd.Timestamp | None
) -> list[pd.Timestamp]:
    """Boundaries of the full periods between the first start and the data end."""
    first = subs["started_at"].min()
    data_end = max(subs["started_at"].max(), subs["ended_at"].max())
    now = now if now is not None else pd.Timestamp.now(tz="UTC").tz_localize(None)
    data_end = min(data_end, now)
    grid = pd.date_range(first.normalize(), data_end, freq=_FREQ[period])
    return [b for b in grid if b >= first]


def _in_base(spells: pd.DataFrame, t: pd.Timestamp, n: int) -> np.ndarray:
    inside = (spells["start"] < t) & (spells["end"] >= t)
    member = np.zeros(n, dtype=bool)
    member[spells["code"].to_numpy()[inside.to_numpy()]] = True
    return member


def _with_rates(table: pd.DataFrame) -> pd.DataFrame:
    table = table.astype({c: "int64" for c in COLUMNS[2:8]})
    n = table["customers_start"].where(table["customers_start"] > 0).astype(float)
    p = table["churned"] / n
    centre = (p + _Z**2 / (2 * n)) / (1 + _Z**2 / n)
    half = _Z * np.sqrt(p * (1 - p) / n + _Z**2 / (4 * n**2)) / (1 + _Z**2 / n)
    table["churn_rate"] = p
    table["churn_rate_lower"] = (centre - half).clip(0, 1)
    table["churn_rate_upper"] = (centre + half).clip(0, 1)
    table["net_change_rate"] = (table["customers_end"] - n) / n
    return table
