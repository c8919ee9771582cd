"""The support-impact Cox model on counting-process rows, and its what-if.

The design matrix is built here (indicator columns for categorical adjustments
against their most frequent level), so the what-if can recompute the linear
predictor for any coefficient vector without reaching into the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError
from churnlens.models.cox import CoxTimeVarying

__all__ = ["Baseline", "Design", "design", "fit_cox"]


@dataclass
class Design:
    X: np.ndarray
    names: list[str]
    start: np.ndarray
    stop: np.ndarray
    event: np.ndarray
    ids: np.ndarray


def design(
    rows: pd.DataFrame,
    covariates: list[str],
    categorical: list[str],
    *,
    start: str,
    stop: str,
) -> Design:
    columns: dict[str, np.ndarray] = {}
    for name in covariates:
        if name in categorical:
            values = rows[name].astype("object").where(rows[name].notna(), "(none)")
            levels = values.value_counts()
            if len(levels) < 2:
                continue
            reference = levels.index[0]
            for level in sorted(str(v) for v in levels.index if v != reference):
                columns[f"{name}={level}"] = (values.astype(str) == level).to_numpy(
                    "float64"
                )
        else:
            columns[name] = rows[name].to_numpy("float64")
    names = list(columns)
    X = (
        np.column_stack([columns[n] for n in names])
        if names
        else np.empty((len(rows), 0))
    )
    return Design(
        X,
        names,
        rows[start].to_numpy("float64"),
        rows[stop].to_numpy("float64"),
        rows["event"].to_numpy("int64"),
        rows["customer_id"].to_numpy(),
    )


def fit_cox(d: Design, *, penalizer: float = 0.0) -> CoxTimeVarying:
    frame = pd.DataFrame(d.X, columns=d.names)
    frame["customer_id"] = d.ids
    frame["start"], frame["stop"], frame["event"] = d.start, d.stop, d.event
    varying = [n for n in d.names if frame[n].nunique() > 1]
    if not varying:
        raise ConfigError(
            "every covariate is constant in the data",
            hint="the support measures need tickets; check the tickets table",
        )
    return CoxTimeVarying(penalizer=penalizer).fit(
        frame, id_col=None, covariates=varying
    )


class Baseline:
    """Breslow's baseline cumulative hazard for any linear predictor, with the
    sorting done once."""

    def __init__(self, d: Design) -> None:
        self.order_stop = np.argsort(d.stop, kind="stable")
        self.order_start = np.argsort(d.start, kind="stable")
        stops, starts = d.stop[self.order_stop], d.start[self.order_start]
        dead = d.stop[d.event == 1]
        self.times = np.unique(dead)
        self.from_stop = np.searchsorted(stops, self.times, side="left")
        self.from_start = np.searchsorted(starts, self.times, side="left")
        self.deaths = np.bincount(
            np.searchsorted(self.times, dead), minlength=len(self.times)
        ).astype("float64")

    def cumulative(self, eta: np.ndarray) -> np.ndarray:
        """H0 at each event time. At risk at t: start < t <= stop, i.e. rows
        with stop >= t minus rows with start >= t."""
        shift = eta.max()
        risk = np.exp(eta - shift)
        cum_stop = np.concatenate([[0.0], np.cumsum(risk[self.order_stop])])
        cum_start = np.concatenate([[0.0], np.cumsum(risk[self.order_start])])
        at_risk = (cum_stop[-1] - cum_stop[self.from_stop]) - (
            cum_start[-1] - cum_start[self.from_start]
        )
        return np.cumsum(self.deaths / (at_risk * np.exp(shift)))

    def increments(self, eta: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The baseline hazard accumulated over each interval (a, b]."""
        cumulative = self.cumulative(eta)

        def at(x: np.ndarray) -> np.ndarray:
            k = np.searchsorted(self.times, x, side="right")
            return np.where(k > 0, cumulative[np.maximum(k - 1, 0)], 0.0)

        return np.maximum(at(b) - at(a), 0.0)
