"""Seeded synthetic subscriptions for benchmarks, written straight into DuckDB.

Five years (2020-01-01 to 2025-01-01, naive UTC) of about ``n / 1.6`` customers. Each
customer has a geometric number of subscriptions (62.5% have one). Consecutive
subscriptions of a customer are a plan change (the next starts at the instant the
previous ends), a reactivation after a gap, or an overlap (an add-on running past the
next start). About 30% of subscriptions are still open at the end; timestamps carry a
time of day to the second, with a share at exact midnights (month boundaries
included) and a few zero-length subscriptions, so the boundary conventions of
``docs/churn-rate.md`` are exercised.

Generated with numpy in chunks of customers (a fixed number per chunk, so the data
depend only on ``n`` and ``seed``) and appended to a staging table; DuckDB then
formats the ids and orders the rows by ``started_at``, as a billing export would.
Peak memory stays in the hundreds of MB at ten million rows.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

__all__ = [
    "DATA_END",
    "DATA_START",
    "SyntheticSummary",
    "ensure_store",
    "write_subscriptions",
]

DATA_START = np.datetime64("2020-01-01T00:00:00", "us")
DATA_END = np.datetime64("2025-01-01T00:00:00", "us")

# Bumped when the generated data change, so kept stores are rebuilt.
GENERATOR_VERSION = 1
_MB = 1024 * 1024
_US_SECOND = 1_000_000
_US_DAY = 86_400 * _US_SECOND
_SUBS_PER_CUSTOMER = 1.6
_CUSTOMERS_PER_CHUNK = 400_000
# Relation of a subscription to the customer's next one (cumulative shares).
_PLAN_CHANGE, _GAP = 0.50, 0.85  # rest: overlap
_LAST_OPEN = 0.25  # a customer's last subscription is still open
_MIDNIGHT_START, _MIDNIGHT_END, _ZERO_LENGTH = 0.05, 0.10, 0.003


@dataclass(frozen=True)
class SyntheticSummary:
    rows: int
    customers: int
    multi_subscription_customers: int
    open_share: float
    seconds: float


def write_subscriptions(
    con: duckdb.DuckDBPyConnection, n_rows: int, *, seed: int = 0
) -> SyntheticSummary:
    """Create the canonical ``subscriptions`` table with ``n_rows`` rows in ``con``."""
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    counts = _subscriptions_per_customer(rng, n_rows)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _staging (cust BIGINT, pos SMALLINT, "
        "started_at TIMESTAMP, ended_at TIMESTAMP, mrr DOUBLE)"
    )
    for index, first in enumerate(range(0, len(counts), _CUSTOMERS_PER_CHUNK)):
        chunk_rng = np.random.default_rng([seed, index])
        k = counts[first : first + _CUSTOMERS_PER_CHUNK]
        chunk = _chunk(chunk_rng, k, first)
        con.register("_chunk", chunk)
        con.execute("INSERT INTO _staging SELECT * FROM _chunk")
        con.unregister("_chunk")
        del chunk
    con.execute(
        "CREATE OR REPLACE TABLE subscriptions AS SELECT "
        "printf('sub_%09d', row_number() OVER (ORDER BY started_at, cust, pos)) "
        "AS subscription_id, printf('cus_%08d', cust) AS customer_id, "
        "started_at, ended_at, mrr "
        "FROM _staging ORDER BY started_at, cust, pos"
    )
    con.execute("DROP TABLE _staging")
    open_rows = con.execute(
        "SELECT count(*) FROM subscriptions WHERE ended_at IS NULL"
    ).fetchone()[0]
    return SyntheticSummary(
        rows=n_rows,
        customers=len(counts),
        multi_subscription_customers=int((counts > 1).sum()),
        open_share=open_rows / max(n_rows, 1),
        seconds=time.perf_counter() - began,
    )


def _subscriptions_per_customer(rng: np.random.Generator, n_rows: int) -> np.ndarray:
    """Geometric counts (mean 1.6, at most 24) adjusted to sum to exactly n_rows."""
    n_customers = max(1, round(n_rows / _SUBS_PER_CUSTOMER))
    counts = rng.geometric(1 / _SUBS_PER_CUSTOMER, n_customers).clip(max=24)
    counts = counts.astype(np.int64)
    missing = n_rows - int(counts.sum())
    if missing > 0:
        np.add.at(counts, rng.integers(0, n_customers, missing), 1)
    while missing < 0:
        several = np.flatnonzero(counts > 1)
        take = rng.choice(several, min(-missing, len(several)), replace=False)
        counts[take] -= 1
        missing += len(take)
    return counts


def _chunk(rng: np.random.Generator, k: np.ndarray, first: int) -> pa.Table:
    n = int(k.sum())
    cust = np.repeat(np.arange(len(k)), k)
    pos = np.arange(n) - (np.cumsum(k) - k)[cust]
    last = pos == k[cust] - 1
    start = _starts(rng, k, cust, pos)
    end, is_open = _ends(rng, start, last)
    mrr = np.round(rng.lognormal(3.6, 0.9, n), 2)
    return pa.table(
        {
            "cust": pa.array(cust + first, pa.int64()),
            "pos": pa.array(pos, pa.int16()),
            "started_at": pa.array(start, pa.timestamp("us")),
            "ended_at": pa.array(end, pa.timestamp("us"), mask=is_open),
            "mrr": pa.array(mrr, pa.float64()),
        }
    )


def _starts(
    rng: np.random.Generator, k: np.ndarray, cust: np.ndarray, pos: np.ndarray
) -> np.ndarray:
    """Start instants (int64 microseconds), sorted within each customer."""
    lo, hi = DATA_START.astype(np.int64), DATA_END.astype(np.int64)
    # Acquisition grows over time; later subscriptions fall in an activity window.
    acquired = lo + (hi - lo - _US_DAY) * rng.random(len(k)) ** 0.8
    window = (hi - acquired) * rng.uniform(0.2, 1.0, len(k))
    offset = np.where(pos == 0, 0.0, rng.random(len(cust)))
    start = (acquired[cust] + offset * window[cust]).astype(np.int64)
    start -= start % _US_SECOND
    at_midnight = rng.random(len(start)) < _MIDNIGHT_START
    start[at_midnight] -= start[at_midnight] % _US_DAY
    return start[np.lexsort((start, cust))]


def _ends(
    rng: np.random.Generator, start: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """End instants and the open mask, from each subscription's relation to the
    customer's next one (plan change, gap, overlap) or, for the last, its fate."""
    n = len(start)
    nxt = np.roll(start, -1)
    relation = rng.random(n)
    gap = (nxt - start) * rng.uniform(0.05, 0.95, n)
    overlap = rng.exponential(60 * _US_DAY, n)
    tenure = rng.exponential(420 * _US_DAY, n)
    end = np.where(relation < _PLAN_CHANGE, nxt, start + gap.astype(np.int64))
    end = np.where(relation >= _GAP, nxt + overlap.astype(np.int64), end)
    end = np.where(last, start + tenure.astype(np.int64), end)
    free = last | ((relation >= _PLAN_CHANGE) & (relation < _GAP))
    to_midnight = free & (rng.random(n) < _MIDNIGHT_END)
    floored = end - end % _US_DAY
    end = np.where(to_midnight & (floored > start), floored, end)
    end = np.where(free & (rng.random(n) < _ZERO_LENGTH), start, end)
    end -= end % _US_SECOND
    is_open = (last & (rng.random(n) < _LAST_OPEN)) | (end >= DATA_END.astype(np.int64))
    return end, is_open


def ensure_store(path: Path, rows: int, seed: int) -> dict[str, Any]:
    """Generate the store at ``path`` unless a matching one is already there.

    A sidecar ``PATH.meta.json`` records what was generated, so a kept store is
    reused by the next run with the same ``rows`` and ``seed``.
    """
    meta_path = path.with_name(path.name + ".meta.json")
    wanted = {"rows": rows, "seed": seed, "generator": GENERATOR_VERSION}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if {k: meta.get(k) for k in wanted} == wanted:
            # Derived tables follow the current code, so they are always rebuilt.
            meta.update(_timed_refresh(path))
            meta_path.write_text(json.dumps(meta))
            return {**meta, "reused": True}
    for stale in (path, meta_path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    summary = write_subscriptions(con, rows, seed=seed)
    con.close()
    meta = {
        **wanted,
        "customers": summary.customers,
        "multi_subscription_customers": summary.multi_subscription_customers,
        "open_share": round(summary.open_share, 4),
        "generate_s": round(summary.seconds, 2),
        **_timed_refresh(path),
    }
    meta_path.write_text(json.dumps(meta))
    return {**meta, "reused": False}


def _timed_refresh(path: Path) -> dict[str, Any]:
    """Make the store look ingested: derived tables (spells) built as ingest does."""
    from churnlens.store import Store

    began = time.perf_counter()
    with Store.open(path) as store:
        store.refresh_derived()
    return {
        "refresh_s": round(time.perf_counter() - began, 2),
        "store_mb": round(path.stat().st_size / _MB, 1),
    }
