"""Turn whatever a user passes as ``data`` into tables on an engine.

Metrics accept a store, a path (a store file or a data file), an in-memory table
(pandas, polars, Arrow) or an ibis table. This module resolves any of them into a
``Source``: the subscriptions (and customers) as ibis tables on one backend, with the
spells either read from the store, where ingest materialised them, or derived.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from churnlens.engines import EngineSpec, connect, upload
from churnlens.errors import ConfigError, InputError, SchemaError
from churnlens.spells import spells as derive_spells
from churnlens.store import STORE_SUFFIXES, Store

__all__ = [
    "RejectedRowsWarning",
    "Source",
    "accepted_rows",
    "check_columns",
    "resolve_source",
]


class RejectedRowsWarning(UserWarning):
    """Rows of an input file were rejected and left out of a computation."""


@dataclass
class Source:
    backend: BaseBackend
    subscriptions: ir.Table
    customers: ir.Table | None = None
    stored_spells: ir.Table | None = None
    _span: tuple[dt.datetime, dt.datetime] | None = field(default=None, repr=False)

    def spells(self, *, grace_days: float = 0) -> ir.Table:
        """Spells of every customer, merged with the grace period."""
        if self.stored_spells is None:
            return derive_spells(self.subscriptions, grace_days=grace_days)
        if grace_days <= 0:
            return self.stored_spells
        stored = self.stored_spells
        # A grace period only joins spells of customers who have several.
        single = stored.filter(stored.n_spells == 1)
        regraced = derive_spells(
            stored.filter(stored.n_spells > 1),
            grace_days=grace_days,
            start="spell_start",
            end="spell_end",
            first="first_started_at",
        )
        # Stored timestamps carry a precision (timestamp(6)) that re-derived ones
        # lack, and ibis unions only identical schemas.
        types = single.schema()
        return single.union(
            regraced.select(**{c: regraced[c].cast(types[c]) for c in single.columns})
        )

    def span(self) -> tuple[dt.datetime, dt.datetime] | None:
        """(first start, latest start or end) as naive UTC; None without data."""
        if self._span is None:
            subs = self.subscriptions
            row = (
                subs.aggregate(
                    first=subs.started_at.min(),
                    last_start=subs.started_at.max(),
                    last_end=subs.ended_at.max(),
                )
                .to_pyarrow()
                .to_pylist()[0]
            )
            if row["first"] is None:
                return None
            ends = [t for t in (row["last_start"], row["last_end"]) if t is not None]
            self._span = (_naive(row["first"]), _naive(max(ends)))
        return self._span


def resolve_source(
    data: Any, *, customers: Any = None, engine: EngineSpec = None, tz: str = "UTC"
) -> Source:
    """Resolve ``data`` (and optional ``customers``) into tables on one engine."""
    if data is None:
        if engine is None:
            raise ConfigError(
                "no data given",
                hint="pass a store, a file, a table, or an engine holding a "
                "'subscriptions' table",
            )
        return _from_backend(connect(engine))
    if isinstance(data, str | Path) and Path(data).suffix in STORE_SUFFIXES:
        data = Store.open(data, read_only=True)
    if hasattr(data, "backend") and hasattr(data, "has_table"):
        return _from_store(data, engine=engine, customers=customers)
    if isinstance(data, ir.Table):
        return Source(data._find_backend(), data, _customers_on(data, customers))
    backend = connect(engine)
    subs = upload(backend, _subscriptions_arrow(data, tz=tz), prefix="subscriptions")
    cust = None
    if customers is not None:
        cust = upload(backend, _customers_arrow(customers), prefix="customers")
    return Source(backend, subs, cust)


def _from_backend(backend: BaseBackend) -> Source:
    tables = set(backend.list_tables())
    if "subscriptions" not in tables:
        raise ConfigError(
            "the engine has no 'subscriptions' table",
            hint="ingest data first or pass the data explicitly",
        )
    customers = backend.table("customers") if "customers" in tables else None
    spells = backend.table("spells") if "spells" in tables else None
    return Source(backend, backend.table("subscriptions"), customers, spells)


def _from_store(store: Any, *, engine: EngineSpec, customers: Any) -> Source:
    if not store.has_table("subscriptions"):
        raise ConfigError(
            f"the store {getattr(store, 'path', '')} holds no subscriptions",
            hint="run 'churnlens ingest subscriptions.csv' first",
        )
    if engine is not None and engine != "duckdb":
        backend = connect(engine)
        arrow = store.table("subscriptions").to_pyarrow()
        subs = upload(backend, arrow, prefix="subscriptions")
        cust = None
        if store.has_table("customers"):
            cust_arrow = store.table("customers").to_pyarrow()
            cust = upload(backend, cust_arrow, prefix="customers")
        return Source(backend, subs, cust)
    cust = (
        _customers_on_backend(store.backend, customers)
        if customers is not None
        else (store.table("customers") if store.has_table("customers") else None)
    )
    spells = store.table("spells") if store.has_table("spells") else None
    return Source(store.backend, store.table("subscriptions"), cust, spells)


def _customers_on(table: ir.Table, customers: Any) -> ir.Table | None:
    if customers is None or isinstance(customers, ir.Table):
        return customers
    return _customers_on_backend(table._find_backend(), customers)


def _customers_on_backend(backend: BaseBackend, customers: Any) -> ir.Table:
    if isinstance(customers, ir.Table):
        return customers
    return upload(backend, _customers_arrow(customers), prefix="customers")


def accepted_rows(
    path: str | Path, *, table: str, tz: str, stacklevel: int
) -> pa.Table:
    """A file of the canonical ``table``, read and validated: its accepted rows.
    Rejected ones are left out with a ``RejectedRowsWarning`` (``stacklevel``
    counted from the caller), never silently."""
    from churnlens.inputs import read_table

    result = read_table(path, table=table, tz=tz)
    if result.n_rejected:
        warnings.warn(
            f"{path}: {result.n_rejected} of {result.n_read} rows rejected and "
            "left out; run 'churnlens ingest' to see them in the quarantine",
            RejectedRowsWarning,
            stacklevel=stacklevel + 1,
        )
    return result.accepted


def _subscriptions_arrow(data: Any, *, tz: str) -> pa.Table:
    if isinstance(data, str | Path):
        return accepted_rows(data, table="subscriptions", tz=tz, stacklevel=4)
    frame = _to_pandas(data)
    check_columns(frame, ("customer_id", "started_at"), "subscriptions")
    if "ended_at" not in frame.columns:
        frame = frame.assign(ended_at=pd.NaT)
    out = frame.assign(
        customer_id=frame["customer_id"].astype("string"),
        started_at=_utc_naive(frame["started_at"], "started_at"),
        ended_at=_utc_naive(frame["ended_at"], "ended_at"),
    )
    _check_rows(out)
    # Other columns (plan, country...) stay: they can split the table with ``by``.
    return _typed_nulls(pa.Table.from_pandas(out, preserve_index=False))


def _customers_arrow(data: Any) -> pa.Table:
    frame = _to_pandas(data)
    check_columns(frame, ("customer_id",), "customers")
    frame = frame.astype({"customer_id": "string"})
    return _typed_nulls(pa.Table.from_pandas(frame, preserve_index=False))


def _typed_nulls(table: pa.Table) -> pa.Table:
    """Columns empty in every row come out of pandas without a type; engines need
    one, and text is what an empty attribute column is."""
    for i, column in enumerate(table.schema):
        if pa.types.is_null(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.string()))
    return table


def _to_pandas(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pa.Table):
        return data.to_pandas()
    if hasattr(data, "to_pandas"):  # polars and other frame libraries
        return data.to_pandas()
    raise ConfigError(
        f"cannot read data of type {type(data).__name__}",
        hint="pass a store, a path, a pandas/polars DataFrame or an Arrow table",
    )


def check_columns(
    frame: pd.DataFrame,
    required: tuple[str, ...],
    name: str,
    *,
    hint: str = "rename the column, or use churnlens.read_table with a mapping",
) -> None:
    """A SchemaError naming the first ``required`` column ``frame`` lacks and the
    columns it has."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise SchemaError(
            f"the {name} table has no column '{missing[0]}' (columns found: {found})",
            column=missing[0],
            hint=hint,
        )


def _utc_naive(column: pd.Series, name: str) -> pd.Series:
    """Instants as naive UTC; naive input is taken to be UTC already."""
    try:
        values = pd.to_datetime(column, format="ISO8601", utc=True)
    except (ValueError, TypeError) as e:
        raise InputError(
            f"cannot read '{name}' as dates: {e}",
            column=name,
            hint="use ISO 8601 dates such as 2024-03-01 or 2024-03-01T10:00:00Z",
        ) from e
    return values.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")


def _check_rows(frame: pd.DataFrame) -> None:
    problems = {
        "customer_id": frame["customer_id"].isna(),
        "started_at": frame["started_at"].isna(),
        "ended_at": frame["ended_at"] < frame["started_at"],
    }
    texts = {
        "customer_id": "customer_id is missing",
        "started_at": "started_at is missing",
        "ended_at": "ended_at is before started_at",
    }
    for column, bad in problems.items():
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 1
            raise InputError(
                f"{texts[column]} ({int(bad.sum())} rows)",
                line=row,
                column=column,
                hint="fix or drop those rows, or ingest the table with "
                "'churnlens ingest', which quarantines bad rows",
            )


def _naive(value: Any) -> dt.datetime:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.to_pydatetime()
