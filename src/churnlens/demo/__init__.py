"""The seeded demo company: a synthetic SaaS business with a known ground truth.

>>> from churnlens.demo import generate_demo
>>> files = generate_demo("demo-output", n_customers=2_000)  # doctest: +SKIP
>>> files.subscriptions  # doctest: +SKIP
PosixPath('demo-output/subscriptions.csv')

The same seed gives byte-identical files on any machine and any day: the end of the
data is a fixed date, not today, and every draw comes from the seeded generator.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from churnlens.demo._activity import weekly_activity
from churnlens.demo._clock import make_calendar
from churnlens.demo._csv import write_csv
from churnlens.demo._customers import make_customers
from churnlens.demo._fx import REPORTING_CURRENCY, fx_table
from churnlens.demo._simulation import Streams, simulate
from churnlens.demo._tables import (
    activity_table,
    customers_table,
    subscriptions_table,
    tickets_table,
)
from churnlens.demo._truth import ground_truth
from churnlens.errors import ConfigError

__all__ = ["DEFAULT_END", "REPORTING_CURRENCY", "DemoFiles", "generate_demo"]

# The first instant after the data. Fixed, so that output never depends on today.
DEFAULT_END = dt.date(2026, 10, 1)


@dataclass(frozen=True)
class DemoFiles:
    """Where ``generate_demo`` wrote each table and the ground truth."""

    subscriptions: Path
    customers: Path
    tickets: Path
    activity: Path
    ground_truth: Path
    # Not a canonical table: revenue metrics take it as ``fx=`` (EUR reporting).
    fx_rates: Path


def generate_demo(
    output_dir: str | Path,
    *,
    n_customers: int = 20_000,
    seed: int = 42,
    years: int = 3,
    end: str | dt.date | None = None,
) -> DemoFiles:
    """Write the demo company's four tables (CSV) and its ground truth (JSON).

    ``n_customers`` sign up over ``years`` years before ``end`` (rounded down to the
    start of its month; default ``DEFAULT_END``). Returns the paths written.
    """
    _check_settings(n_customers, years)
    data_end = pd.Timestamp(end if end is not None else DEFAULT_END).to_period("M")
    cal = make_calendar((data_end - 12 * years).to_timestamp().date(), years)
    # A fourth child leaves the first three (and so the other tables) unchanged.
    customer_seed, history_seed, activity_seed, fx_seed = np.random.SeedSequence(
        seed
    ).spawn(4)
    customers = make_customers(n_customers, cal, np.random.default_rng(customer_seed))
    history = simulate(customers, cal, Streams.from_seed(history_seed))
    activity = weekly_activity(
        history.outcomes, customers, cal, np.random.default_rng(activity_seed)
    )
    customers_frame, ids = customers_table(customers)
    frames = {
        "subscriptions": subscriptions_table(history, customers, ids, cal),
        "customers": customers_frame,
        "tickets": tickets_table(history.tickets, customers, ids, cal),
        "activity": activity_table(activity, ids),
        "fx_rates": fx_table(cal, np.random.default_rng(fx_seed)),
    }
    truth = ground_truth(
        history,
        cal,
        seed=seed,
        n_customers=n_customers,
        years=years,
        row_counts={
            name: len(frame) for name, frame in frames.items() if name != "fx_rates"
        },
    )
    return _write(Path(output_dir), frames, truth)


def _write(out: Path, frames: dict[str, pd.DataFrame], truth: dict) -> DemoFiles:
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / f"{name}.csv" for name in frames}
    for name, frame in frames.items():
        write_csv(frame, paths[name])
    truth_path = out / "ground_truth.json"
    truth_path.write_text(
        json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return DemoFiles(ground_truth=truth_path, **paths)


def _check_settings(n_customers: int, years: int) -> None:
    if not isinstance(n_customers, int) or n_customers < 1:
        raise ConfigError(
            f"n_customers must be a positive integer, got {n_customers!r}",
            hint="use e.g. n_customers=2000 for a quick demo",
        )
    if not isinstance(years, int) or years < 1:
        raise ConfigError(
            f"years must be a positive integer, got {years!r}",
            hint="the demo covers whole years, e.g. years=3",
        )
