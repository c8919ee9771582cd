"""Opening the store for the actions, and the instants they record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from churnlens.errors import ConfigError, InputError
from churnlens.store import Store

__all__ = ["now_utc", "opened", "query_frame", "utc_instant"]


@contextmanager
def opened(store: Store | str | Path, *, write: bool) -> Iterator[Store]:
    """``store`` itself, or the store at a path opened (and closed) around the work."""
    if isinstance(store, Store):
        if write:
            store.ensure_action_tables()
        yield store
        return
    if not isinstance(store, str | Path):
        raise ConfigError(
            f"expected a churnlens Store or the path of one, got "
            f"{type(store).__name__}",
            hint="pass churnlens.Store.open('churnlens.duckdb') or its path",
        )
    if not Path(store).is_file():
        # Recording outreach in a new, empty store would only hide a wrong path.
        raise InputError(
            "no churnlens store here",
            path=store,
            hint="create it with 'churnlens ingest FILE... --db PATH', or pass the "
            "path of an existing store (--db PATH)",
        )
    with Store.open(store, read_only=not write) as handle:
        if write:
            handle.ensure_action_tables()
        yield handle


def utc_instant(value: Any, name: str) -> dt.datetime:
    """A naive UTC datetime from a date, datetime or ISO text (naive input is UTC)."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as e:
        raise ConfigError(
            f"{name}={value!r} is not a date or time",
            hint="use ISO 8601, e.g. 2026-03-31 or 2026-03-31T14:00:00Z",
        ) from e
    if pd.isna(stamp):
        raise ConfigError(f"{name} is empty", hint="give a date such as 2026-03-31")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.to_pydatetime()


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def query_frame(
    store: Store, sql: str, params: list[Any] | None = None
) -> pd.DataFrame:
    return store.con.execute(sql, params or []).df()
