"""Plain-language reasons from features and their contributions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.models.risk.explain import reason_text, risk_reasons
from churnlens.models.risk.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from churnlens.models.risk.model import RiskModel


def test_sentences() -> None:
    assert reason_text("open_over_7d", 3.0) == "3 tickets unresolved for over 7 days"
    assert reason_text("open_over_7d", 1.0) == "1 ticket unresolved for over 7 days"
    assert reason_text("mrr_change_90d_pct", -30.0) == "MRR down 30% in 90 days"
    assert reason_text("mrr_change_90d_pct", 0.0) is None
    assert reason_text("usage_change_30d", -0.6) == (
        "usage down 60% in the last 30 days vs its own history"
    )
    assert (
        reason_text(
            "cancel_requested", 1.0, {"canceled_at": pd.Timestamp("2026-05-07")}
        )
        == "cancellation requested on 2026-05-07"
    )
    assert reason_text("first_response_hours_90d", 30.0) == (
        "first responses took 30 h on average in the last 90 days"
    )
    assert reason_text("first_response_hours_90d", np.nan) is None
    assert reason_text("plan", "starter") == "on the starter plan"
    assert reason_text("unknown_feature", 1.0) is None


def test_reasons_follow_the_contributions() -> None:
    rng = np.random.default_rng(0)
    n = 3_000
    x = pd.DataFrame({c: np.zeros(n) for c in NUMERIC_FEATURES})
    x["open_over_7d"] = rng.poisson(0.4, n).astype(float)
    x["bad_ratings_90d"] = rng.poisson(0.2, n).astype(float)
    for c in CATEGORICAL_FEATURES:
        x[c] = "a"
    x["customer_id"] = [f"C{i}" for i in range(n)]
    logit = -3 + 1.5 * x.open_over_7d + 1.0 * x.bad_ratings_90d
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    model = RiskModel(n_estimators=60).fit(x, y)
    probe = x[(x.open_over_7d == 3) & (x.bad_ratings_90d == 0)].head(1)
    out = risk_reasons(model, probe)
    assert out.reasons.iloc[0].startswith("3 tickets unresolved for over 7 days")
    assert out.reason_codes.iloc[0].split(",")[0] == "open_over_7d"
    calm = x[(x.open_over_7d == 0) & (x.bad_ratings_90d == 0)].head(1)
    assert "unresolved" not in risk_reasons(model, calm).reasons.iloc[0]


def test_every_material_topic_is_named_once() -> None:
    rng = np.random.default_rng(1)
    n = 4_000
    x = pd.DataFrame({c: np.zeros(n) for c in NUMERIC_FEATURES})
    x["open_over_7d"] = rng.poisson(0.4, n).astype(float)
    x["bad_ratings_90d"] = rng.poisson(0.3, n).astype(float)
    # One fall in usage, seen by two measures: one topic, one sentence.
    fell = rng.random(n) < 0.3
    x["usage_change_7d"] = np.where(fell, -0.7, 0.1) + rng.normal(0, 0.05, n)
    x["usage_change_30d"] = np.where(fell, -0.6, 0.1) + rng.normal(0, 0.05, n)
    for c in CATEGORICAL_FEATURES:
        x[c] = "a"
    x["customer_id"] = [f"C{i}" for i in range(n)]
    logit = -3 + 1.2 * x.open_over_7d + 1.0 * x.bad_ratings_90d + 1.5 * fell
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    model = RiskModel(n_estimators=60).fit(x, y)
    probe = x[(x.open_over_7d == 2) & (x.bad_ratings_90d == 1) & fell].head(5)
    out = risk_reasons(model, probe)
    for text, codes in zip(out.reasons, out.reason_codes, strict=True):
        said = text.split("; ")
        assert len(said) == len(codes.split(",")) == 3, text
        assert "2 tickets unresolved for over 7 days" in said
        assert "1 bad support rating (1-2 of 5) in 90 days" in said
        assert sum(s.startswith("usage down") for s in said) == 1
    capped = risk_reasons(model, probe, top=2)
    assert (capped.reasons.str.count("; ") == 1).all()
