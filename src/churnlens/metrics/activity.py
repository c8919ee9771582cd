"""Activity churn: churn for businesses without subscriptions.

A customer is active at instant t while they had activity within the last N
days: an event at ``a`` makes them active on ``(a, a + N days]``. Those intervals
are exactly what subscriptions are to the subscription churn rate, so they go
through the same spells (overlapping and touching intervals merge) and the same
computation, and the table has the same columns. An interval still running at the
data's end (the latest event, or ``now`` if earlier) is open: the customer may
still come back in time, so they are not counted as churned.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from churnlens.engines import EngineSpec, connect, upload
from churnlens.errors import ConfigError, InputError
from churnlens.sources import Source, accepted_rows, check_columns
from churnlens.sources import _customers_on_backend as customers_on_backend
from churnlens.store import STORE_SUFFIXES, Store

__all__ = ["activity_intervals", "activity_source"]


def activity_source(
    data: Any = None,
    *,
    activity: Any = None,
    inactive_days: float | None,
    customers: Any = None,
    engine: EngineSpec = None,
    tz: str = "UTC",
    now: dt.datetime | None = None,
) -> Source:
    """A ``Source`` whose "subscriptions" are the activity intervals.

    The events are ``activity`` (a file, a table, an ibis table) or, when it is
    not given, ``data``: a store holding an ``activity`` table, or the events
    themselves.
    """
    if inactive_days is None:
        raise ConfigError(
            "activity given without inactive_days",
            hint="say after how many days without activity a customer has "
            "churned: inactive_days=30 (--inactive-days 30)",
        )
    if not inactive_days > 0:
        raise ConfigError(f"inactive_days must be > 0, got {inactive_days}")
    if activity is not None and data is not None:
        raise ConfigError(
            "both data and activity given",
            hint="pass the events as activity=..., or a store holding an "
            "'activity' table as data",
        )
    events, customer_table = _events(
        activity if activity is not None else data,
        customers=customers,
        engine=engine,
        tz=tz,
    )
    intervals = activity_intervals(events, inactive_days=inactive_days, now=now)
    backend = intervals._find_backend()
    if customers is not None:
        customer_table = customers_on_backend(backend, customers)
    return Source(backend, intervals, customer_table)


def activity_intervals(
    events: ir.Table, *, inactive_days: float, now: dt.datetime | None = None
) -> ir.Table:
    """``customer_id, started_at, ended_at``: each event's active interval
    ``(occurred_at, occurred_at + N days]``, open when it runs past the data end."""
    last = events.occurred_at.max().to_pyarrow().as_py()
    if last is None:
        data_end = None
    else:
        data_end = pd.Timestamp(last).tz_localize(None).to_pydatetime()
        if now is not None:
            cap = pd.Timestamp(now)
            cap = cap.tz_convert("UTC").tz_localize(None) if cap.tzinfo else cap
            data_end = min(data_end, cap.to_pydatetime())
    # To the microsecond, as spells' grace is: N need not be whole days.
    length = dt.timedelta(days=inactive_days) // dt.timedelta(microseconds=1)
    ends = events.occurred_at + ibis.interval(microseconds=length)
    if data_end is None:
        running: ir.BooleanValue = ibis.literal(True)
    else:
        running = ends > ibis.timestamp(data_end)
    return events.select(
        customer_id=events.customer_id.cast("string"),
        started_at=events.occurred_at,
        ended_at=ibis.ifelse(running, ibis.null("timestamp"), ends),
    )


def _events(
    data: Any, *, customers: Any, engine: EngineSpec, tz: str
) -> tuple[ir.Table, ir.Table | None]:
    if data is None:
        if engine is None:
            raise ConfigError(
                "no activity given",
                hint="pass activity=FILE (--activity FILE) or a store holding an "
                "'activity' table",
            )
        backend = connect(engine)
        if "activity" not in backend.list_tables():
            raise ConfigError("the engine has no 'activity' table")
        return backend.table("activity"), None
    if isinstance(data, str | Path) and Path(data).suffix in STORE_SUFFIXES:
        data = Store.open(data, read_only=True)
    if hasattr(data, "backend") and hasattr(data, "has_table"):
        return _from_store(data, engine=engine)
    if isinstance(data, ir.Table):
        return data, None
    backend = connect(engine)
    return upload(backend, _events_arrow(data, tz=tz), prefix="activity"), None


def _from_store(store: Any, *, engine: EngineSpec) -> tuple[ir.Table, ir.Table | None]:
    if not store.has_table("activity"):
        raise ConfigError(
            f"the store {getattr(store, 'path', '')} holds no activity",
            hint="run 'churnlens ingest activity.csv' first, or pass --activity FILE",
        )
    customers = store.table("customers") if store.has_table("customers") else None
    if engine is None or engine == "duckdb":
        return store.table("activity"), customers
    backend = connect(engine)
    events = upload(
        backend,
        store.table("activity").select("customer_id", "occurred_at").to_pyarrow(),
        prefix="activity",
    )
    if customers is not None:
        customers = upload(backend, customers.to_pyarrow(), prefix="customers")
    return events, customers


def _events_arrow(data: Any, *, tz: str) -> pa.Table:
    if isinstance(data, str | Path):
        accepted = accepted_rows(data, table="activity", tz=tz, stacklevel=5)
        return accepted.select(["customer_id", "occurred_at"])
    frame = data.to_pandas() if hasattr(data, "to_pandas") else data
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(
            f"cannot read activity of type {type(data).__name__}",
            hint="pass a path, a pandas/polars DataFrame or an Arrow table",
        )
    check_columns(frame, ("customer_id", "occurred_at"), "activity")
    try:
        stamps = pd.to_datetime(frame["occurred_at"], format="ISO8601", utc=True)
    except (ValueError, TypeError) as e:
        raise InputError(
            f"cannot read 'occurred_at' as dates: {e}",
            column="occurred_at",
            hint="use ISO 8601 dates such as 2024-03-01 or 2024-03-01T10:00:00Z",
        ) from e
    bad = frame["customer_id"].isna() | stamps.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 1
        raise InputError(
            f"customer_id or occurred_at is missing ({int(bad.sum())} rows)",
            line=row,
            hint="drop those rows, or ingest the table with 'churnlens ingest'",
        )
    out = pd.DataFrame(
        {
            "customer_id": frame["customer_id"].astype("string"),
            "occurred_at": stamps.dt.tz_convert("UTC")
            .dt.tz_localize(None)
            .astype("datetime64[us]"),
        }
    )
    return pa.Table.from_pandas(out, preserve_index=False)
