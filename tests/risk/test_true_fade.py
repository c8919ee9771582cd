"""The true-risk oracle's usage posterior, against usage simulated as documented.

The demo validation leans on _true_fade; here it meets weekly counts drawn from
the generator's documented usage model (ground_truth["usage"]) by a separate,
direct simulation, whose fading state and request instant are known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from risk._true_fade import Fade, _not_fading, leave_probability

FADE = Fade(
    decliner_p=0.8, lead_low=3, lead_high=10, floor=0.2, after_cancel=0.15, shape=6
)


def _simulate(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Customers with 1-30 weeks in service, as of a Sunday midnight."""
    weeks = 30
    rate = np.full(n, 0.07)  # requests per week: many leavers, a sharp test
    d = rng.exponential(1 / rate)  # weeks from t to the request
    decliner = rng.random(n) < FADE.decliner_p
    lead = rng.uniform(FADE.lead_low, FADE.lead_high, n)
    middle = np.tile(-(np.arange(weeks)[::-1] + 0.5), (n, 1))
    tenure = rng.integers(1, weeks + 1, n)
    share = (np.arange(weeks) >= weeks - tenure[:, None]).astype(float)
    progress = np.clip((middle - (d - lead)[:, None]) / lead[:, None], 0, 1)
    level = np.where(decliner[:, None], 1 - (1 - FADE.floor) * progress, 1.0)
    scale = np.exp(rng.normal(np.log(15), 1.0, n))
    noise = rng.gamma(FADE.shape, 1 / FADE.shape, (n, weeks))
    return {
        "count": rng.poisson(scale[:, None] * share * level * noise),
        "share": share,
        "middle": middle,
        "rate": rate,
        "window": rng.uniform(4, 13, n),
        "fading": decliner & (lead > d),
        "asks": d,
    }


@pytest.fixture(scope="module")
def simulated() -> tuple[dict, np.ndarray, np.ndarray]:
    sim = _simulate(3_000, np.random.default_rng(11))
    leave, fading = leave_probability(
        sim["count"],
        sim["share"],
        sim["middle"],
        rate=sim["rate"],
        window=sim["window"],
        fade=FADE,
    )
    return sim, leave, fading


def _calibration(predicted: np.ndarray, observed: np.ndarray) -> pd.DataFrame:
    bins = pd.qcut(pd.Series(predicted).rank(method="first"), 5, labels=False)
    frame = pd.DataFrame({"p": predicted, "y": observed.astype(float)})
    return frame.groupby(bins).mean()


def test_fading_posterior_is_calibrated(simulated) -> None:  # noqa: ANN001
    sim, _, fading = simulated
    assert roc_auc_score(sim["fading"], fading) > 0.65
    table = _calibration(fading, sim["fading"])
    assert (table.p - table.y).abs().max() < 0.05, table
    # The usage tells apart who fades: the top fifth is far above the bottom.
    assert table.y.iloc[-1] > 3 * table.y.iloc[0]


def test_leave_probability_is_calibrated(simulated) -> None:  # noqa: ANN001
    sim, leave, _ = simulated
    left = sim["asks"] < sim["window"]
    table = _calibration(leave, left)
    assert (table.p - table.y).abs().max() < 0.05, table


def test_not_fading_closed_form_matches_a_draw() -> None:
    rng = np.random.default_rng(3)
    n = 400_000
    rate, window = 0.05, 7.0
    d = rng.exponential(1 / rate, n)
    fading = (rng.random(n) < FADE.decliner_p) & (
        rng.uniform(FADE.lead_low, FADE.lead_high, n) > d
    )
    p0, q0 = _not_fading(np.array([rate]), np.array([window]), FADE)
    assert p0[0] == pytest.approx(1 - fading.mean(), abs=0.002)
    assert q0[0] == pytest.approx((d[~fading] < window).mean(), abs=0.002)
