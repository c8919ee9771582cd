"""The tickets table of whatever ``data`` a support measure is given, on an engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from churnlens.engines import EngineSpec, connect, upload
from churnlens.errors import ConfigError
from churnlens.sources import accepted_rows, check_columns
from churnlens.store import STORE_SUFFIXES, Store

__all__ = ["ticket_table"]

_TIMES = ("created_at", "first_response_at", "resolved_at")


def ticket_table(data: Any, *, engine: EngineSpec, tz: str) -> ir.Table:
    """Tickets as an ibis table: from a store (or its path), a backend holding a
    ``tickets`` table, an ibis table, a tickets file or an in-memory frame."""
    if data is None:
        if engine is None:
            raise ConfigError(
                "no data given",
                hint="pass a store, a tickets file or table, or an engine holding "
                "a 'tickets' table",
            )
        backend = connect(engine)
        if "tickets" not in set(backend.list_tables()):
            raise ConfigError(
                "the engine has no 'tickets' table",
                hint="ingest tickets first or pass them explicitly",
            )
        return backend.table("tickets")
    if isinstance(data, str | Path) and Path(data).suffix in STORE_SUFFIXES:
        data = Store.open(data, read_only=True)
    if hasattr(data, "backend") and hasattr(data, "has_table"):
        if not data.has_table("tickets"):
            raise ConfigError(
                f"the store {getattr(data, 'path', '')} holds no tickets",
                hint="run 'churnlens ingest tickets.csv' (or --preset zendesk ...) "
                "first",
            )
        if engine is None or engine == "duckdb":
            return data.table("tickets")
        arrow = data.table("tickets").to_pyarrow()
        return upload(connect(engine), arrow, prefix="tickets")
    if isinstance(data, ir.Table):
        return data
    return upload(connect(engine), _arrow(data, tz=tz), prefix="tickets")


def _arrow(data: Any, *, tz: str) -> pa.Table:
    if isinstance(data, str | Path):
        return accepted_rows(data, table="tickets", tz=tz, stacklevel=5)
    if isinstance(data, pa.Table):
        frame = data.to_pandas()
    elif isinstance(data, pd.DataFrame):
        frame = data
    elif hasattr(data, "to_pandas"):
        frame = data.to_pandas()
    else:
        raise ConfigError(
            f"cannot read tickets of type {type(data).__name__}",
            hint="pass a store, a path, a pandas/polars DataFrame or an Arrow table",
        )
    check_columns(
        frame,
        ("customer_id", "created_at"),
        "tickets",
        hint="rename the column, or read the file with churnlens.read_table",
    )
    out = frame.assign(customer_id=frame["customer_id"].astype("string"))
    for name in _TIMES:
        values = out[name] if name in out.columns else pd.Series(pd.NaT, out.index)
        stamps = pd.to_datetime(values, format="ISO8601", utc=True)
        out[name] = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        out[name] = out[name].astype("datetime64[us]")
    table = pa.Table.from_pandas(out, preserve_index=False)
    for i, column in enumerate(table.schema):
        if pa.types.is_null(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.string()))
    return table
