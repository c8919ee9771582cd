"""Churn risk: point-in-time features, a calibrated gradient-boosting model, its
walk-forward backtest and per-customer reasons (docs/risk.md)."""

from __future__ import annotations

from churnlens.models.risk.backtest import Backtest, risk_backtest, score_table
from churnlens.models.risk.explain import risk_reasons
from churnlens.models.risk.features import FEATURES, risk_features, risk_target
from churnlens.models.risk.model import LogisticBaseline, RiskModel, rule_score
from churnlens.models.risk.training import risk_dataset, train_risk_model

__all__ = [
    "FEATURES",
    "Backtest",
    "LogisticBaseline",
    "RiskModel",
    "risk_backtest",
    "risk_dataset",
    "risk_features",
    "risk_reasons",
    "risk_target",
    "rule_score",
    "score_table",
    "train_risk_model",
]
