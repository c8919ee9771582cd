"""Walk-forward backtest: no look-ahead, three scorers, sound measures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churnlens.models.risk.backtest import BACKTEST_COLUMNS, risk_backtest, score_table


def test_score_table_by_hand() -> None:
    y = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0] * 10)
    perfect = score_table(y, y.astype(float))
    assert perfect["roc_auc"] == 1 and perfect["pr_auc"] == 1
    assert perfect["top_decile_lift"] == pytest.approx(10)  # base rate 10%
    assert perfect["brier"] == 0
    flat = score_table(y, np.full(len(y), 0.1))
    assert flat["roc_auc"] == 0.5 and flat["brier"] == pytest.approx(0.09)


@pytest.fixture(scope="module")
def result(demo_store):  # noqa: ANN001, ANN201
    return risk_backtest(demo_store, n_tests=2, history_days=120, step_days=60)


def test_folds(result) -> None:  # noqa: ANN001
    folds = result.folds
    assert list(folds.columns) == list(BACKTEST_COLUMNS)
    assert set(folds.scorer) == {"model", "logistic", "rule"}
    assert folds.as_of.nunique() == 2
    # Each test date trains only on dates whose 90 days ended by it.
    tests = pd.to_datetime(result.settings["test_as_of"])
    assert (tests[1] - tests[0]).days == 60
    model = folds[folds.scorer == "model"]
    rule = folds[folds.scorer == "rule"]
    assert (model.roc_auc.to_numpy() > rule.roc_auc.to_numpy()).all()
    assert (model.roc_auc > 0.7).all() and (model.top_decile_lift > 2).all()
    assert (model.brier < model.churn_rate).all()


def test_calibration_curve(result) -> None:  # noqa: ANN001
    cal = result.calibration
    assert len(cal) == 10 and cal.mean_predicted.is_monotonic_increasing
    weighted = (cal.mean_predicted - cal.observed).abs() @ cal.n / cal.n.sum()
    assert weighted < 0.05
    summary = result.summary
    assert list(summary.scorer) == ["model", "logistic", "rule"]
    assert result.to_dict()["folds"][0]["as_of"][:4] == "2026"
