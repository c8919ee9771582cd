"""The risk model on synthetic features with a known signal."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from churnlens.models._base import NotFittedError
from churnlens.models.risk.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from churnlens.models.risk.model import LogisticBaseline, RiskModel, rule_score


def _synthetic(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: rng.normal(size=n) for c in NUMERIC_FEATURES})
    frame["tenure_days"] = rng.uniform(0, 800, n)
    frame["open_tickets"] = rng.poisson(0.3, n).astype(float)
    for c in CATEGORICAL_FEATURES:
        frame[c] = rng.choice(["a", "b", "c"], n)
    logit = (
        -2.5
        + 1.2 * frame.open_tickets
        - frame.tenure_days / 400
        + 0.8 * (frame.plan == "a")
    )
    p = 1 / (1 + np.exp(-logit))
    return frame, (rng.uniform(size=n) < p).astype(int), p.to_numpy()


@pytest.fixture(scope="module")
def fitted() -> tuple[RiskModel, pd.DataFrame, np.ndarray, np.ndarray]:
    x, y, _ = _synthetic(8_000, 1)
    model = RiskModel(n_estimators=120).fit(x, y)
    test, y_test, p_true = _synthetic(8_000, 2)
    return model, test, y_test, p_true


def test_ranks_and_calibrates(fitted) -> None:  # noqa: ANN001
    model, test, y, p_true = fitted
    p = model.predict_proba(test)
    assert roc_auc_score(y, p) > roc_auc_score(y, p_true) - 0.03
    assert abs(p.mean() - y.mean()) < 0.015
    # Calibrated: each predicted decile's observed rate is near its mean.
    bins = pd.qcut(p, 5, labels=False)
    for b in range(5):
        assert abs(p[bins == b].mean() - y[bins == b].mean()) < 0.05


def test_contributions_sum_to_margin(fitted) -> None:  # noqa: ANN001
    model, test, _, _ = fitted
    c = model.contributions(test.head(200))
    assert list(c.columns) == [*model.features, "bias"]
    np.testing.assert_allclose(c.sum(axis=1), model.predict_margin(test.head(200)))
    top = c.drop(columns="bias").abs().mean().sort_values().index[-2:]
    assert set(top) <= {"open_tickets", "tenure_days", "plan"}


def test_save_and_load(fitted, tmp_path) -> None:  # noqa: ANN001
    model, test, _, _ = fitted
    model.metadata["backtest"] = {"summary": [{"scorer": "model", "roc_auc": 0.8}]}
    path = model.save(tmp_path / "m" / "risk.joblib")
    again = RiskModel.load(path)
    np.testing.assert_array_equal(again.predict_proba(test), model.predict_proba(test))
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["features"] == list(model.features)
    assert meta["backtest"]["summary"][0]["roc_auc"] == 0.8
    assert meta["horizon_days"] == 90 and meta["calibration"]["method"] == "platt"


def test_errors(tmp_path) -> None:  # noqa: ANN001
    x, y, _ = _synthetic(300, 3)
    with pytest.raises(NotFittedError):
        RiskModel().predict_proba(x)
    with pytest.raises(ValueError, match="same label"):
        RiskModel().fit(x, np.zeros(len(x)))
    with pytest.raises(ValueError, match="lacks tenure_days"):
        RiskModel(n_estimators=5).fit(x, y).predict_proba(x.drop(columns="tenure_days"))
    with pytest.raises(ValueError, match="no saved risk model"):
        RiskModel.load(tmp_path / "missing.joblib")


def test_baselines(fitted) -> None:  # noqa: ANN001
    x, y, _ = _synthetic(4_000, 4)
    test, y_test, _ = _synthetic(4_000, 5)
    p = LogisticBaseline().fit(x, y).predict_proba(test)
    assert roc_auc_score(y_test, p) > 0.7
    rule = rule_score(
        pd.DataFrame({"tenure_days": [10, 200, 200], "open_tickets": [0, 2, 0]})
    )
    assert rule.tolist() == [1.0, 1.0, 0.0]
