"""The tables the risk features read, resolved onto one ibis backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from churnlens.errors import ConfigError
from churnlens.spells import spells as derive_spells
from churnlens.store import Store

OPTIONAL = ("customers", "tickets", "activity")
_NUMERIC = ("mrr", "amount", "quantity", "satisfaction")
_OPTIONAL_COLUMNS = {
    "mrr": "float64",
    "currency": "string",
    "plan": "string",
    "billing_period": "string",
    "canceled_at": "timestamp",
}


@dataclass
class RiskTables:
    subscriptions: ir.Table
    customers: ir.Table | None = None
    tickets: ir.Table | None = None
    activity: ir.Table | None = None
    spells: ir.Table | None = None

    def __post_init__(self) -> None:
        # Optional columns a store may lack (a file without cancellations or
        # plans): empty, so every feature is defined and reads as "not known".
        s = self.subscriptions
        missing = {c: t for c, t in _OPTIONAL_COLUMNS.items() if c not in s.columns}
        if missing:
            self.subscriptions = s.mutate(
                **{c: ibis.null(t) for c, t in missing.items()}
            )

    def data_end(self) -> dt.datetime:
        """The latest start or end of a subscription: labels stop there."""
        s = self.subscriptions
        row = s.aggregate(a=s.started_at.max(), b=s.ended_at.max()).to_pandas()
        values = [v for v in row.iloc[0].tolist() if not pd.isna(v)]
        return pd.Timestamp(max(values)).to_pydatetime()


def risk_tables(data: Any) -> RiskTables:
    """A store, a store path, or a mapping of table name -> DataFrame / ibis table
    (``spells`` may be given as an ibis table of ``churnlens.spells`` output)."""
    if isinstance(data, RiskTables):
        return data
    if isinstance(data, str | Path):
        data = Store.open(data, read_only=True)
    if isinstance(data, Store):
        found = {n: data.table(n) for n in (*OPTIONAL, "spells") if data.has_table(n)}
        subs = data.table("subscriptions")
        found.setdefault("spells", derive_spells(subs))
        return RiskTables(subs, **found)
    if isinstance(data, Mapping):
        if "subscriptions" not in data:
            raise ConfigError(
                "no 'subscriptions' table given",
                hint="pass a store or a mapping with a 'subscriptions' table",
            )
        con = ibis.duckdb.connect()
        tables = {}
        for name in ("subscriptions", *OPTIONAL):
            value = data.get(name)
            if value is None:
                continue
            if isinstance(value, pd.DataFrame):
                value = con.create_table(f"risk_{name}", _naive(value))
            tables[name] = value
        spells = data.get("spells")
        if spells is None:
            spells = derive_spells(tables["subscriptions"])
        return RiskTables(**tables, spells=spells)
    raise ConfigError(
        f"cannot read risk data from a {type(data).__name__}",
        hint="pass a churnlens store, its path, or a dict of DataFrames",
    )


def _naive(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if column.endswith("_at"):
            values = pd.to_datetime(out[column], utc=True, format="mixed")
            out[column] = values.dt.tz_convert(None).astype("datetime64[us]")
        elif column in _NUMERIC:
            out[column] = pd.to_numeric(out[column]).astype("float64")
        elif out[column].dtype == object and out[column].isna().all():
            # An empty or all-null text column still needs a type in the engine.
            out[column] = out[column].astype("string")
    return out
