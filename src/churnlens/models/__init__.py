"""Models: survival of customer lifetimes (Kaplan-Meier, log-rank), the
shifted-beta-geometric retention model and Cox regression with time-varying
covariates."""

from __future__ import annotations

from churnlens.models._base import NotFittedError
from churnlens.models._logrank import LogrankResult, logrank_test
from churnlens.models.cox import CoxTimeVarying, to_design
from churnlens.models.kaplan_meier import KaplanMeier
from churnlens.models.sbg import SBGModel
from churnlens.models.survival import (
    SurvivalAnalysis,
    survival_analysis,
    survival_curve,
)

__all__ = [
    "CoxTimeVarying",
    "KaplanMeier",
    "LogrankResult",
    "NotFittedError",
    "SBGModel",
    "SurvivalAnalysis",
    "logrank_test",
    "survival_analysis",
    "survival_curve",
    "to_design",
]
