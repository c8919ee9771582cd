"""Backtest of the risk model: train on earlier as-of dates, test on later ones.

For each test date ``t`` the models train on as-of dates whose labels were known
by ``t`` (``s + horizon <= t``), so nothing from after ``t`` reaches them. The
booster, the logistic baseline and the rule are scored on the same customers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError
from churnlens.models.risk._tables import risk_tables
from churnlens.models.risk.features import as_instant
from churnlens.models.risk.model import LogisticBaseline, RiskModel, rule_score
from churnlens.models.risk.training import as_of_grid, latest_labelled, risk_dataset

__all__ = ["BACKTEST_COLUMNS", "Backtest", "risk_backtest", "score_table"]

MODELS = ("model", "logistic", "rule")
BACKTEST_COLUMNS = (
    "as_of",
    "scorer",
    "n_train",
    "n_test",
    "churn_rate",
    "roc_auc",
    "pr_auc",
    "top_decile_lift",
    "brier",
)


@dataclass
class Backtest:
    """Per test date and scorer: ``folds``; pooled ``calibration`` of the model."""

    folds: pd.DataFrame
    calibration: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> pd.DataFrame:
        """Mean of each measure per scorer over the test dates."""
        measures = ["roc_auc", "pr_auc", "top_decile_lift", "brier"]
        return self.folds.groupby("scorer", sort=False)[measures].mean().reset_index()

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": self.settings,
            "summary": self.summary.to_dict(orient="records"),
            "folds": _records(self.folds),
            "calibration": _records(self.calibration),
        }


def risk_backtest(
    data: Any,
    *,
    test_as_of: list[Any] | None = None,
    n_tests: int = 3,
    horizon_days: float = 90,
    history_days: float = 360,
    step_days: float = 30,
    model: RiskModel | None = None,
) -> Backtest:
    """Walk-forward backtest on ``n_tests`` test dates (the last ones whose
    labels are complete, ``step_days`` apart, unless ``test_as_of`` names them).
    Each trains on the ``history_days`` of as-of dates before it.
    """
    tables = risk_tables(data)
    latest = latest_labelled(tables, horizon_days)
    if test_as_of is None:
        tests = as_of_grid(
            latest, history_days=step_days * (n_tests - 1), step_days=step_days
        )
    else:
        tests = [as_instant(t) for t in test_as_of]
    rows, curves = [], []
    for t in tests:
        first_train = t - dt.timedelta(days=horizon_days)
        train_dates = as_of_grid(
            first_train, history_days=history_days, step_days=step_days
        )
        train = risk_dataset(tables, as_of=train_dates, horizon_days=horizon_days)
        test = risk_dataset(tables, as_of=[t], horizon_days=horizon_days)
        if test.empty or train.empty:
            raise ConfigError(
                f"no customers to backtest as of {t:%Y-%m-%d}",
                hint="pick later test dates or a shorter --history",
            )
        scores = _scores(train, test, model, horizon_days)
        y = test["churned"].to_numpy()
        for name, p in scores.items():
            rows.append(
                {
                    "as_of": pd.Timestamp(t),
                    "scorer": name,
                    "n_train": len(train),
                    **score_table(y, p),
                }
            )
        curves.append(pd.DataFrame({"p": scores["model"], "y": y}))
    settings = {
        "horizon_days": horizon_days,
        "history_days": history_days,
        "step_days": step_days,
        "test_as_of": [t.isoformat() for t in tests],
    }
    folds = pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))
    return Backtest(folds, _calibration(pd.concat(curves)), settings)


def score_table(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """ROC AUC, PR AUC, top-decile lift and Brier score of scores ``p``."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    y = np.asarray(y, dtype="int64")
    p = np.asarray(p, dtype="float64")
    base = float(y.mean())
    two_classes = 0 < y.sum() < len(y)
    return {
        "n_test": len(y),
        "churn_rate": base,
        "roc_auc": float(roc_auc_score(y, p)) if two_classes else np.nan,
        "pr_auc": float(average_precision_score(y, p)) if two_classes else np.nan,
        "top_decile_lift": _top_decile_lift(y, p, base),
        "brier": float(brier_score_loss(y, np.clip(p, 0, 1))),
    }


def _scores(
    train: pd.DataFrame, test: pd.DataFrame, model: RiskModel | None, horizon: float
) -> dict[str, np.ndarray]:
    booster = _fresh(model, horizon).fit(train, train["churned"])
    logistic = LogisticBaseline().fit(train, train["churned"])
    return {
        "model": booster.predict_proba(test),
        "logistic": logistic.predict_proba(test),
        "rule": rule_score(test),
    }


def _fresh(model: RiskModel | None, horizon: float) -> RiskModel:
    if model is None:
        return RiskModel(horizon_days=horizon)
    return RiskModel(
        horizon_days=horizon,
        n_estimators=model.n_estimators,
        params=model.params,
        calibration_folds=model.calibration_folds,
        numeric=model.numeric,
        categorical=model.categorical,
        random_state=model.random_state,
        n_jobs=model.n_jobs,
    )


def _top_decile_lift(y: np.ndarray, p: np.ndarray, base: float) -> float:
    if base == 0:
        return np.nan
    # Ties at the cut are broken by a stable sort: the decile has exactly n/10 rows.
    top = np.argsort(-p, kind="stable")[: max(1, len(p) // 10)]
    return float(y[top].mean() / base)


def _calibration(frame: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Observed churn against the mean predicted probability, per decile of p."""
    rank = frame["p"].rank(method="first") - 1
    frame = frame.assign(bin=(rank * bins // len(frame)).astype("int64"))
    out = frame.groupby("bin").agg(
        mean_predicted=("p", "mean"), observed=("y", "mean"), n=("y", "size")
    )
    return out.reset_index()


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
    return out.to_dict(orient="records")
