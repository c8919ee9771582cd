"""Revenue churn: MRR movements per period, and the rates built on them.

The definitions are in docs/revenue.md. A customer's MRR at instant t is the sum of
the monthly MRR of their paid subscriptions with ``started_at < t <= ended_at``,
in the reporting currency at the FX rate of t. Per period, each customer's MRR at
its start (S) and at its end at the start's rates (E') classify them:

- new: S = 0 < E' and their first paid start lies in the period;
- reactivation: S = 0 < E', first paid start earlier;
- churn: S > 0 = E'; expansion / contraction: both > 0, E' above / below S.

The FX effect is MRR at the end at the end's rates minus at the start's rates, so
``mrr_end - mrr_start = new + expansion - contraction - churn + reactivation + fx``
(churn and contraction are positive amounts).

The engine reduces the change points (``churnlens.mrr_changes``) to a row per period
key, movement and currency; numpy converts and accumulates them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from churnlens.engines import EngineSpec
from churnlens.errors import ConfigError
from churnlens.metrics._revenue_boot import bootstrap_ratios, paying_pairs
from churnlens.metrics._revenue_frame import (
    AMOUNT_COLUMNS,
    MOVEMENT_COLUMNS,
    MOVEMENTS,
    Revenue,
    customer_rows,
    empty_table,
    movements,
)
from churnlens.metrics._revenue_steps import KINDS
from churnlens.metrics._segments import SEGMENT
from churnlens.mrr_changes import MICRO
from churnlens.periods import to_date

__all__ = [
    "MOVEMENTS",
    "MOVEMENT_COLUMNS",
    "RATE_COLUMNS",
    "mrr_movement_customers",
    "mrr_movements",
    "rates_from_movements",
    "revenue_churn",
]


def mrr_movements(
    data: Any = None,
    *,
    period: str = "month",
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: str | None = None,
    customers: Any = None,
    fx: Any = None,
    currency: str | None = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """MRR at each period's start and end and the movements between, per period.

    Amounts are in the reporting currency (``currency``; ``fx`` is an FX table
    ``currency, date, rate`` as a CSV path or a table, needed when the
    subscriptions use several currencies). Customer counts follow each movement.
    See docs/revenue.md.

    >>> mrr_movements("churnlens.duckdb", period="quarter")  # doctest: +SKIP
    """
    revenue = Revenue(
        data,
        period=period,
        by=by,
        customers=customers,
        fx=fx,
        currency=currency,
        tz=tz,
        engine=engine,
    )
    grid = revenue.grid(start, end, now)
    if not grid:
        return empty_table(MOVEMENT_COLUMNS, by)
    return movements(revenue, grid)


RATE_COLUMNS = (
    "period_start",
    "period_end",
    "mrr_start",
    "mrr_end",
    "customers_start",
    "customers_end",
    "gross_mrr_churn_rate",
    "net_mrr_churn_rate",
    "nrr",
    "nrr_lower",
    "nrr_upper",
    "grr",
    "grr_lower",
    "grr_upper",
    "quick_ratio",
    "arpa",
)


def revenue_churn(
    data: Any = None,
    *,
    period: str = "month",
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: str | None = None,
    customers: Any = None,
    fx: Any = None,
    currency: str | None = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
    now: dt.datetime | None = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Revenue churn rates per period: gross and net MRR churn, NRR and GRR
    with bootstrap intervals, quick ratio and ARPA (docs/revenue.md).

    A rate whose denominator is 0 is empty (NaN), never infinite. ``n_boot=0``
    skips the intervals (and the query they need).

    >>> revenue_churn("churnlens.duckdb", period="quarter")  # doctest: +SKIP
    """
    if not 0 < confidence < 1:
        raise ConfigError(
            f"confidence must be between 0 and 1, got {confidence}",
            hint="e.g. 0.95 for 95% intervals",
        )
    revenue = Revenue(
        data,
        period=period,
        by=by,
        customers=customers,
        fx=fx,
        currency=currency,
        tz=tz,
        engine=engine,
    )
    grid = revenue.grid(start, end, now)
    if not grid:
        return empty_table(RATE_COLUMNS, by)
    moves = movements(revenue, grid)
    table = rates_from_movements(moves, by=by)
    intervals = _intervals(revenue, grid, moves, n_boot, confidence, seed)
    for column in _INTERVAL_COLUMNS:
        table[column] = intervals[column]
    return table


_INTERVAL_COLUMNS = ("nrr_lower", "nrr_upper", "grr_lower", "grr_upper")


def rates_from_movements(
    movements: pd.DataFrame, *, by: str | None = None
) -> pd.DataFrame:
    """``revenue_churn``'s table from an ``mrr_movements`` table, without the
    bootstrap intervals (left empty): for a caller that has the movements
    already and would otherwise run the same query twice."""
    table = _rates(movements, by)
    for column in _INTERVAL_COLUMNS:
        table[column] = np.nan
    return table[[*RATE_COLUMNS[:2], *([by] if by else []), *RATE_COLUMNS[2:]]]


def _rates(moves: pd.DataFrame, by: str | None) -> pd.DataFrame:
    m = {c: moves[c].to_numpy("float64") for c in (*AMOUNT_COLUMNS, "customers_end")}
    lost = m["churn"] + m["contraction"]
    won = m["new"] + m["expansion"] + m["reactivation"]
    kept = m["mrr_start"] - lost
    table = moves[["period_start", "period_end", *([by] if by else [])]].copy()
    table["mrr_start"] = m["mrr_start"]
    table["mrr_end"] = m["mrr_end"]
    table["customers_start"] = moves["customers_start"]
    table["customers_end"] = moves["customers_end"]
    table["gross_mrr_churn_rate"] = _ratio(lost, m["mrr_start"])
    table["net_mrr_churn_rate"] = _ratio(
        lost - m["expansion"] - m["reactivation"], m["mrr_start"]
    )
    table["nrr"] = _ratio(kept + m["expansion"], m["mrr_start"])
    table["grr"] = _ratio(kept, m["mrr_start"])
    table["quick_ratio"] = _ratio(won, lost)
    table["arpa"] = _ratio(m["mrr_end"], m["customers_end"])
    return table


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _intervals(
    revenue: Revenue,
    grid: list[dt.date],
    moves: pd.DataFrame,
    n_boot: int,
    confidence: float,
    seed: int,
) -> pd.DataFrame:
    """The bootstrap bounds, one row per row of ``moves``."""
    bounds = ("nrr_lower", "nrr_upper", "grr_lower", "grr_upper")
    out = pd.DataFrame(np.nan, index=moves.index, columns=list(bounds))
    if n_boot <= 0:
        return out
    calendar, by = revenue.calendar, revenue.by
    keys = np.array([calendar.key_of(d) for d in grid], dtype="int64")
    pairs = paying_pairs(revenue, keys)
    for r, row in moves.iterrows():
        k = calendar.key_of(row["period_start"])
        mine = pairs[pairs["key"] == k]
        if by is not None:
            segment = row[by]
            mine = mine[
                mine[SEGMENT].isna() if segment is None else mine[SEGMENT] == segment
            ]
        out.loc[r, list(bounds)] = bootstrap_ratios(
            mine["s"].to_numpy(),
            mine["e"].to_numpy(),
            mine["n"].to_numpy("float64"),
            n_boot=n_boot,
            confidence=confidence,
            seed=[seed, k - int(keys[0])],
        )
    return out


def mrr_movement_customers(
    data: Any = None,
    *,
    period_start: dt.date | str,
    movement: str | None = None,
    period: str = "month",
    by: str | None = None,
    customers: Any = None,
    fx: Any = None,
    currency: str | None = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
) -> pd.DataFrame:
    """The customers behind the movements of the period containing
    ``period_start``: one row each with ``movement, mrr_start, mrr_end, change``
    (at constant currency) and ``fx``; ``movement`` keeps one kind.

    >>> mrr_movement_customers("churnlens.duckdb", period_start="2024-03",
    ...                        movement="churn")  # doctest: +SKIP
    """
    if movement is not None and movement not in KINDS:
        raise ConfigError(
            f"unknown movement '{movement}'", hint=f"use one of: {', '.join(KINDS)}"
        )
    revenue = Revenue(
        data,
        period=period,
        by=by,
        customers=customers,
        fx=fx,
        currency=currency,
        tz=tz,
        engine=engine,
    )
    calendar = revenue.calendar
    day = calendar.floor(to_date(_month_start(period_start), "period_start"))
    columns = ["customer_id", "movement", "mrr_start", "mrr_end", "change", "fx"]
    if by is not None:
        columns.insert(1, by)
    if revenue.span is None:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    k = calendar.key_of(day)
    wanted = [KINDS[movement]] if movement else list(KINDS.values())
    rows = customer_rows(revenue, k, wanted)
    rates = revenue.rates(np.array([k, k + 1]))
    n = revenue.n
    b = rows[[f"b{i}" for i in range(n)]].to_numpy()
    e = rows[[f"e{i}" for i in range(n)]].to_numpy()
    names = {code: name for name, code in KINDS.items()}
    table = pd.DataFrame(
        {
            "customer_id": rows["customer_id"].astype("string"),
            "movement": rows["kind"].map(names),
            "mrr_start": b @ rates[0] / MICRO,
            "mrr_end": e @ rates[1] / MICRO,
            "change": (e - b) @ rates[0] / MICRO,
        }
    )
    table["fx"] = table["mrr_end"] - table["mrr_start"] - table["change"]
    if by is not None:
        table.insert(1, by, rows[SEGMENT].to_numpy())
    order = table["movement"].map({m: r for r, m in enumerate(MOVEMENTS)})
    table = table.assign(_o=order, _a=-table["change"].abs())
    table = table.sort_values(["_o", "_a", "customer_id"], kind="stable")
    return table.drop(columns=["_o", "_a"]).reset_index(drop=True)[columns]


def _month_start(value: dt.date | str) -> dt.date | str:
    """Accept "2024-03" for the period starting 2024-03-01."""
    if isinstance(value, str) and len(value.strip()) == 7:
        return value.strip() + "-01"
    return value
