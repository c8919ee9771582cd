"""The churn-risk model: gradient boosting (LightGBM) with a calibrated probability.

The booster ranks customers; a logistic (Platt) map fitted on out-of-fold margins
turns its score into a probability, so the ranking (and ROC AUC) is the booster's
own and the probabilities match observed churn. Two baselines sit beside it:
logistic regression on the same features, and a rule (short tenure or open
tickets).
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError, InputError
from churnlens.models._base import NotFittedError
from churnlens.models.risk.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES

__all__ = [
    "LogisticBaseline",
    "RiskModel",
    "rule_score",
]

DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "cat_smooth": 20,
    "verbose": -1,
}
# Tenure below this many days counts as "short" for the rule baseline.
RULE_TENURE_DAYS = 90


class RiskModel:
    """Gradient boosting plus Platt calibration on out-of-fold margins.

    >>> model = RiskModel(horizon_days=90).fit(features, churned)  # doctest: +SKIP
    >>> model.predict_proba(features)  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        horizon_days: float = 90,
        n_estimators: int = 300,
        params: dict[str, Any] | None = None,
        calibration_folds: int = 3,
        numeric: tuple[str, ...] = NUMERIC_FEATURES,
        categorical: tuple[str, ...] = CATEGORICAL_FEATURES,
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.horizon_days = horizon_days
        self.n_estimators = n_estimators
        self.params = params
        self.calibration_folds = calibration_folds
        self.numeric = tuple(numeric)
        self.categorical = tuple(categorical)
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.metadata: dict[str, Any] = {}

    @property
    def features(self) -> tuple[str, ...]:
        return (*self.numeric, *self.categorical)

    def fit(self, features: pd.DataFrame, churned: Any) -> RiskModel:
        """Fit on one row per customer and as-of date; ``churned`` is 0/1."""
        import lightgbm as lgb

        y = _labels(churned, len(features))
        self.categories_ = {
            c: sorted(features[c].dropna().astype(str).unique())
            for c in self.categorical
        }
        x = self._design(features)
        params = {
            **DEFAULT_PARAMS,
            **(self.params or {}),
            "seed": self.random_state,
            "num_threads": self.n_jobs,
        }
        margins = np.full(len(y), np.nan)
        folds = np.random.default_rng(self.random_state).integers(
            0, self.calibration_folds, len(y)
        )
        for k in range(self.calibration_folds):
            part = folds == k
            booster = lgb.train(
                params, lgb.Dataset(x[~part], y[~part]), self.n_estimators
            )
            margins[part] = booster.predict(
                x[part], raw_score=True, num_threads=self.n_jobs
            )
        self.booster_ = lgb.train(params, lgb.Dataset(x, y), self.n_estimators)
        self.calibration_ = _platt(margins, y)
        self.metadata.update(
            features=list(self.features),
            horizon_days=self.horizon_days,
            n_rows=len(y),
            churn_rate=float(y.mean()),
            params=params,
            n_estimators=self.n_estimators,
            calibration={
                "method": "platt",
                "a": self.calibration_[0],
                "b": self.calibration_[1],
            },
            lightgbm=lgb.__version__,
            python=platform.python_version(),
            fitted_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        return self

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """The calibrated probability of churning within the horizon, per row."""
        margin = self.predict_margin(features)
        a, b = self.calibration_
        return 1.0 / (1.0 + np.exp(-(a * margin + b)))

    def predict_margin(self, features: pd.DataFrame) -> np.ndarray:
        """The booster's raw score (log-odds before calibration)."""
        self._check_fitted()
        return self.booster_.predict(
            self._design(features), raw_score=True, num_threads=self.n_jobs
        )

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Tree SHAP contributions to the raw score: a column per feature plus
        ``bias``; each row sums to the row's margin."""
        self._check_fitted()
        values = self.booster_.predict(
            self._design(features), pred_contrib=True, num_threads=self.n_jobs
        )
        return pd.DataFrame(
            values, columns=[*self.features, "bias"], index=features.index
        )

    def save(self, path: str | Path) -> Path:
        """Write the model (joblib) and its metadata beside it (``.json``)."""
        import joblib

        self._check_fitted()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path)
        meta = path.with_suffix(".json")
        meta.write_text(json.dumps(self.metadata, indent=2, default=str) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> RiskModel:
        import joblib

        path = Path(path)
        if not path.is_file():
            raise InputError(
                "no saved risk model here",
                path=path,
                hint="train one with 'churnlens risk train --model PATH'",
            )
        model = joblib.load(path)
        if not isinstance(model, cls):
            raise InputError("not a churnlens risk model", path=path)
        return model

    def _design(self, features: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in self.features if c not in features]
        if missing:
            raise ConfigError(
                f"the feature table lacks {', '.join(missing)}",
                hint="build it with churnlens.models.risk.risk_features",
            )
        x = features[list(self.numeric)].astype("float64")
        for c in self.categorical:
            dtype = pd.CategoricalDtype(self.categories_[c])
            x[c] = features[c].astype("object").where(features[c].notna()).astype(dtype)
        return x

    def _check_fitted(self) -> None:
        if not hasattr(self, "booster_"):
            raise NotFittedError("this RiskModel is not fitted yet; call fit first")


class LogisticBaseline:
    """Logistic regression on the same features (imputed, scaled, one-hot)."""

    def __init__(
        self,
        *,
        numeric: tuple[str, ...] = NUMERIC_FEATURES,
        categorical: tuple[str, ...] = CATEGORICAL_FEATURES,
    ) -> None:
        self.numeric = tuple(numeric)
        self.categorical = tuple(categorical)

    def fit(self, features: pd.DataFrame, churned: Any) -> LogisticBaseline:
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import (
            FunctionTransformer,
            OneHotEncoder,
            StandardScaler,
        )

        numeric = make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            FunctionTransformer(_signed_log),
            StandardScaler(),
        )
        columns = ColumnTransformer(
            [
                ("num", numeric, list(self.numeric)),
                ("cat", OneHotEncoder(handle_unknown="ignore"), list(self.categorical)),
            ]
        )
        self.pipeline_ = make_pipeline(columns, LogisticRegression(max_iter=2000))
        self.pipeline_.fit(self._frame(features), _labels(churned, len(features)))
        return self

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        return self.pipeline_.predict_proba(self._frame(features))[:, 1]

    def _frame(self, features: pd.DataFrame) -> pd.DataFrame:
        x = features[list(self.numeric)].astype("float64")
        for c in self.categorical:
            x[c] = features[c].astype("object").fillna("missing").astype(str)
        return x


def rule_score(features: pd.DataFrame) -> np.ndarray:
    """1 for a short tenure (< 90 days) or an open ticket, else 0."""
    short = features["tenure_days"].to_numpy() < RULE_TENURE_DAYS
    open_ = features["open_tickets"].fillna(0).to_numpy() > 0
    return (short | open_).astype("float64")


def _signed_log(x: np.ndarray) -> np.ndarray:
    # Counts, money and days are heavy-tailed; the log keeps a linear model sane.
    return np.sign(x) * np.log1p(np.abs(x))


def _platt(margin: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=1e6, max_iter=1000).fit(margin.reshape(-1, 1), y)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def _labels(churned: Any, n: int) -> np.ndarray:
    y = np.asarray(churned, dtype="float64").ravel()
    if len(y) != n:
        raise ConfigError(f"{len(y)} labels for {n} feature rows")
    if y.size == 0:
        raise ConfigError(
            "no customers to train on",
            hint="the data need at least one as-of date with a known outcome: "
            "a longer history, or a shorter --horizon",
        )
    if not np.isin(y, (0.0, 1.0)).all():
        raise ConfigError("churned must be 0 or 1 in every row")
    if y.min() == y.max():
        raise ConfigError(
            "every training row has the same label",
            hint="train over more as-of dates or a longer history",
        )
    return y.astype("int64")
