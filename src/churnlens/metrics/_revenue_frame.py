"""The pandas half of the revenue metrics: resolve the inputs once, run the
engine's reductions (``_revenue_steps``) and turn them into the movement table.

Amounts arrive in integer micro-units of each currency, per period key and
movement; here they are converted at the rates of each period's start (and end,
for the MRR at the end and the FX effect) and accumulated over the calendar.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from churnlens.engines import EngineSpec
from churnlens.metrics._mrr import Currencies, currencies
from churnlens.metrics._revenue_steps import (
    KINDS,
    Keyer,
    mixed_rows,
    simple_rows,
    totals,
)
from churnlens.metrics._segments import SEGMENT, ordered_segments, with_segment
from churnlens.mrr_changes import MICRO, MRR_CHANGES, mrr_changes
from churnlens.periods import Calendar, period_grid
from churnlens.sources import Source, resolve_source

__all__ = [
    "AMOUNT_COLUMNS",
    "COUNT_COLUMNS",
    "MOVEMENTS",
    "MOVEMENT_COLUMNS",
    "Revenue",
    "customer_rows",
    "empty_table",
    "movements",
]

MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")
_COUNTED = {
    "new": "new_customers",
    "expansion": "expansion_customers",
    "contraction": "contraction_customers",
    "churn": "churned_customers",
    "reactivation": "reactivated_customers",
}
COUNT_COLUMNS = ("customers_start", *_COUNTED.values(), "customers_end")
AMOUNT_COLUMNS = ("mrr_start", *MOVEMENTS, "fx", "mrr_end")
MOVEMENT_COLUMNS = ("period_start", "period_end", *AMOUNT_COLUMNS, *COUNT_COLUMNS)


class Revenue:
    """The resolved inputs of one revenue computation, shared by the functions."""

    def __init__(
        self,
        data: Any,
        *,
        period: str,
        by: str | None,
        customers: Any,
        fx: Any,
        currency: str | None,
        tz: str,
        engine: EngineSpec,
    ) -> None:
        self.calendar = Calendar(period, tz)
        self.source = resolve_source(data, customers=customers, engine=engine, tz=tz)
        self.by = by
        self.span = self.source.span()
        self.found: Currencies = currencies(
            self.source.subscriptions, fx=fx, currency=currency
        )
        self._changes: ir.Table | None = None

    @property
    def n(self) -> int:
        return len(self.found.codes)

    @property
    def key(self) -> Keyer:
        assert self.span is not None
        return Keyer(self.calendar, self.span)

    def changes(self) -> ir.Table:
        if self._changes is None:
            self._changes = with_segment(_changes(self.source), self.source, self.by)
        return self._changes

    def rates(self, keys: np.ndarray) -> np.ndarray:
        """Rates at the start of each key's period: (len(keys), n)."""
        days = [self.calendar.from_key(int(k)) for k in keys]
        return self.found.rates_on(days)

    def grid(self, start: Any, end: Any, now: dt.datetime | None) -> list[dt.date]:
        if self.span is None:
            return []
        return period_grid(self.calendar, self.span, start=start, end=end, now=now)

    def currency_index(self, values: pd.Series) -> np.ndarray:
        codes = self.found.codes
        mapped = [self.found.raw.get(v, self.found.reporting) for v in values]
        return np.array([codes.index(c) for c in mapped], dtype="int64")


def _changes(source: Source) -> ir.Table:
    """The change points: the store's, when it materialised them, else derived."""
    if source.stored_spells is not None:
        try:
            with warnings.catch_warnings():
                # ibis lists DuckDB tables through an API DuckDB deprecates.
                warnings.simplefilter("ignore", DeprecationWarning)
                listed = MRR_CHANGES in source.backend.list_tables()
        except Exception:  # noqa: BLE001 - a backend that cannot list: derive
            listed = False
        if listed:
            return source.backend.table(MRR_CHANGES)
    return mrr_changes(source.subscriptions)


def movements(revenue: Revenue, grid: list[dt.date]) -> pd.DataFrame:
    flows = _flows(revenue)
    keys = np.array([revenue.calendar.key_of(d) for d in grid], dtype="int64")
    start_rates, end_rates = revenue.rates(keys), revenue.rates(keys + 1)
    by = revenue.by
    segments = ordered_segments(flows[SEGMENT]) if by is not None else [None]
    frames = []
    for segment in segments:
        mine = flows
        if by is not None:
            mask = (
                flows[SEGMENT].isna() if segment is None else flows[SEGMENT] == segment
            )
            mine = flows[mask]
        frame = _assemble(mine, revenue, grid, keys, start_rates, end_rates)
        if by is not None:
            frame.insert(2, by, segment)
        frames.append(frame)
    if not frames:
        return empty_table(MOVEMENT_COLUMNS, by)
    table = pd.concat(frames, ignore_index=True)
    if by is not None:
        table = table.sort_values("period_start", kind="stable").reset_index(drop=True)
    return table


def _flows(revenue: Revenue) -> pd.DataFrame:
    """Long table ``_segment, key, kind, i, customers, b, e`` (micro-units of
    currency i) from the engine's two parts."""
    changes = revenue.changes()
    n = revenue.n
    simple = simple_rows(changes, revenue.key)
    mixed = mixed_rows(changes, revenue.key, revenue.found)
    # One query per part: as one UNION, engines share (and materialise) the
    # keyed change points between them, which costs more than scanning twice.
    parts = [p.to_pandas() for p in totals(simple, mixed, n)]
    single = pd.concat(parts[:-1], ignore_index=True)
    frames = [
        pd.DataFrame(
            {
                SEGMENT: single.get(SEGMENT),
                "key": single["key"].astype("int64"),
                "kind": single["kind"].astype("int64"),
                "i": revenue.currency_index(single["currency"]),
                "customers": single["customers"].astype("int64"),
                "b": single["_b"].astype("float64"),
                "e": single["_e"].astype("float64"),
            }
        )
    ]
    several = parts[-1]
    for i in range(n):
        frames.append(
            pd.DataFrame(
                {
                    SEGMENT: several.get(SEGMENT),
                    "key": several["key"].astype("int64"),
                    "kind": several["kind"].astype("int64"),
                    "i": i,
                    # A mixed customer counts once, on their first currency's row.
                    "customers": several["customers"].astype("int64") * (i == 0),
                    "b": several[f"_b{i}"].astype("float64"),
                    "e": several[f"_e{i}"].astype("float64"),
                }
            )
        )
    flows = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    if SEGMENT not in flows:
        flows[SEGMENT] = None
    return flows


def _assemble(
    flows: pd.DataFrame,
    revenue: Revenue,
    grid: list[dt.date],
    keys: np.ndarray,
    start_rates: np.ndarray,
    end_rates: np.ndarray,
) -> pd.DataFrame:
    n = revenue.n
    calendar = revenue.calendar
    key = flows["key"].to_numpy()
    i = flows["i"].to_numpy()
    b, e = flows["b"].to_numpy(), flows["e"].to_numpy()
    kind = flows["kind"].to_numpy()
    # Native MRR per currency at each grid boundary: every change before it.
    held_start = np.zeros((len(keys), n))
    held_end = np.zeros((len(keys), n))
    for j in range(n):
        ks, ds = key[i == j], (e - b)[i == j]
        held_start[:, j] = [ds[ks < k].sum() for k in keys]
        held_end[:, j] = [ds[ks <= k].sum() for k in keys]
    out: dict[str, Any] = {
        "period_start": grid,
        "period_end": [calendar.next(d) for d in grid],
        "mrr_start": (held_start * start_rates).sum(axis=1) / MICRO,
    }
    at = {k: r for r, k in enumerate(keys)}
    row = np.array([at.get(k, -1) for k in key], dtype="int64")
    inside = row >= 0
    rate = np.where(inside, start_rates[np.clip(row, 0, None), i], 0.0)
    amount = {
        "new": e * rate,
        "expansion": (e - b) * rate,
        "contraction": (b - e) * rate,
        "churn": b * rate,
        "reactivation": e * rate,
    }
    counts: dict[str, np.ndarray] = {}
    for name, code in KINDS.items():
        mine = inside & (kind == code)
        out[name] = np.bincount(row[mine], amount[name][mine], len(keys)) / MICRO
        counts[_COUNTED[name]] = np.bincount(
            row[mine], flows["customers"].to_numpy()[mine], len(keys)
        ).astype("int64")
    out["fx"] = (held_end * (end_rates - start_rates)).sum(axis=1) / MICRO
    out["mrr_end"] = (held_end * end_rates).sum(axis=1) / MICRO
    paying = _paying(flows, keys)
    out["customers_start"] = paying[0]
    out.update(counts)
    out["customers_end"] = paying[1]
    return pd.DataFrame(out)[list(MOVEMENT_COLUMNS)]


def _paying(flows: pd.DataFrame, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Paying customers at each grid period's start and end: everyone who started
    paying (new, reactivation) minus everyone who stopped (churn) before."""
    sign = (
        flows["kind"]
        .map({KINDS["new"]: 1, KINDS["reactivation"]: 1, KINDS["churn"]: -1})
        .fillna(0)
    )
    moves = (sign * flows["customers"]).to_numpy()
    key = flows["key"].to_numpy()
    start = np.array([moves[key < k].sum() for k in keys], dtype="int64")
    end = np.array([moves[key <= k].sum() for k in keys], dtype="int64")
    return start, end


def customer_rows(revenue: Revenue, k: int, wanted: list[int]) -> pd.DataFrame:
    """Customers with a movement of a wanted kind at key ``k``: ``customer_id,
    kind, b<i>, e<i>`` (and ``_segment``), micro-units per currency."""
    changes, n = revenue.changes(), revenue.n
    simple = simple_rows(changes, revenue.key)
    one = pd.concat(
        [t.filter((t.key == k) & t.kind.isin(wanted)).to_pandas() for t in simple],
        ignore_index=True,
    )
    mixed = mixed_rows(changes, revenue.key, revenue.found)
    several = mixed.filter((mixed.key == k) & mixed.kind.isin(wanted)).to_pandas()
    index = revenue.currency_index(one["currency"])
    frames = []
    first = pd.DataFrame({"customer_id": one["customer_id"], "kind": one["kind"]})
    for i in range(n):
        first[f"b{i}"] = np.where(index == i, one["_b"].to_numpy(), 0)
        first[f"e{i}"] = np.where(index == i, one["_e"].to_numpy(), 0)
    frames.append(first)
    second = several.rename(
        columns={f"_{x}{i}": f"{x}{i}" for x in "be" for i in range(n)}
    )
    frames.append(second)
    if SEGMENT in one:
        first[SEGMENT] = one[SEGMENT]
    columns = ["customer_id", "kind", *[f"{x}{i}" for x in "be" for i in range(n)]]
    if SEGMENT in one:
        columns.append(SEGMENT)
    kept = [f[columns] for f in frames if len(f)] or [first[columns]]
    rows = pd.concat(kept, ignore_index=True)
    return rows.astype({c: "float64" for c in columns[2:] if c != SEGMENT})


def empty_table(columns: tuple[str, ...], by: str | None) -> pd.DataFrame:
    names = list(columns)
    if by is not None:
        names.insert(2, by)
    table = pd.DataFrame({c: pd.Series(dtype="object") for c in names})
    for c in names:
        if c in COUNT_COLUMNS:
            table[c] = table[c].astype("int64")
        elif c not in ("period_start", "period_end", by):
            table[c] = table[c].astype("float64")
    return table
