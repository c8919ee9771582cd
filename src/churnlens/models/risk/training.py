"""Training sets over several as-of dates, and the default training recipe."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from churnlens.errors import ConfigError
from churnlens.models.risk._tables import risk_tables
from churnlens.models.risk.features import as_instant, risk_features, risk_target
from churnlens.models.risk.model import RiskModel

__all__ = ["as_of_grid", "latest_labelled", "risk_dataset", "train_risk_model"]


def latest_labelled(data: Any, horizon_days: float) -> dt.datetime:
    """The last midnight whose ``horizon_days`` of churn the data covers."""
    end = risk_tables(data).data_end() - dt.timedelta(days=horizon_days)
    return dt.datetime.combine(end.date(), dt.time())


def as_of_grid(
    last: dt.datetime, *, history_days: float, step_days: float
) -> list[dt.datetime]:
    """As-of dates every ``step_days`` back from ``last`` over ``history_days``."""
    n = int(history_days // step_days)
    return [last - dt.timedelta(days=step_days * k) for k in range(n, -1, -1)]


def risk_dataset(
    data: Any, *, as_of: list[Any], horizon_days: float = 90
) -> pd.DataFrame:
    """Features and the ``churned`` label stacked over the ``as_of`` dates."""
    tables = risk_tables(data)
    parts = []
    for when in as_of:
        features = risk_features(tables, as_of=when)
        target = risk_target(tables, as_of=when, horizon_days=horizon_days)
        parts.append(features.merge(target, on="customer_id", how="inner"))
    return pd.concat(parts, ignore_index=True)


def train_risk_model(
    data: Any,
    *,
    as_of: dt.date | dt.datetime | str | None = None,
    horizon_days: float = 90,
    history_days: float = 360,
    step_days: float = 30,
    model: RiskModel | None = None,
) -> RiskModel:
    """Fit a ``RiskModel`` on as-of dates up to ``as_of`` (labels must be known:
    by default the data's end minus the horizon), one every ``step_days`` over
    ``history_days``. Records the dates in ``model.metadata``.
    """
    tables = risk_tables(data)
    end = tables.data_end()
    latest = latest_labelled(tables, horizon_days)
    last = as_instant(as_of) if as_of is not None else latest
    if last > latest:
        raise ConfigError(
            f"training as of {last:%Y-%m-%d} needs churn labels up to "
            f"{last + dt.timedelta(days=horizon_days):%Y-%m-%d}, after the data's "
            f"end ({end:%Y-%m-%d})",
            hint=f"train as of {latest:%Y-%m-%d} or earlier",
        )
    dates = as_of_grid(last, history_days=history_days, step_days=step_days)
    rows = risk_dataset(tables, as_of=dates, horizon_days=horizon_days)
    model = model or RiskModel(horizon_days=horizon_days)
    model.fit(rows, rows["churned"])
    model.metadata["trained_as_of"] = [d.isoformat() for d in dates]
    return model
