"""The sBG model against Fader and Hardie (2007) and a brute-force DERL."""

from __future__ import annotations

import math

import numpy as np
import pytest

from churnlens.errors import InputError
from churnlens.models import NotFittedError, SBGModel

# Customers of 1,000 still active at t = 0..12 years; the 2007 paper fits t <= 7.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


@pytest.mark.parametrize(
    ("survivors", "alpha", "beta", "log_likelihood"),
    [(REGULAR, 0.704, 1.182, -1680.3), (HIGH_END, 0.668, 3.806, -1611.2)],
)
def test_published_estimates(
    survivors: list[int], alpha: float, beta: float, log_likelihood: float
) -> None:
    model = SBGModel().fit(survivors[:8])
    assert model.alpha_ == pytest.approx(alpha, abs=5e-4)
    assert model.beta_ == pytest.approx(beta, abs=5e-4)
    assert model.log_likelihood_ == pytest.approx(log_likelihood, abs=0.05)
    # Projected years 8-12 stay close to what actually happened (the paper's
    # point): within 2% of the cohort.
    projected = model.projected_survivors(12)["survivors"].to_numpy()
    assert np.abs(projected[8:] - np.array(survivors[8:])).max() < 20


def test_the_curve_functions_agree_with_each_other() -> None:
    model = SBGModel().fit(REGULAR[:8])
    t = np.arange(1, 30)
    s = model.survival(np.r_[0, t])
    np.testing.assert_allclose(model.retention_rate(t), s[1:] / s[:-1])
    np.testing.assert_allclose(model.churn_probability(t), s[:-1] - s[1:])
    assert model.survival(0) == 1.0
    assert model.churn_probability(1) == pytest.approx(
        model.alpha_ / (model.alpha_ + model.beta_)
    )


@pytest.mark.parametrize("survivors", [REGULAR[:8], HIGH_END[:8]])
@pytest.mark.parametrize("discount_rate", [0.1, 0.25, 0.02])
@pytest.mark.parametrize("renewals", [0, 1, 4])
def test_derl_equals_the_discounted_sum_of_survival(
    survivors: list[int], discount_rate: float, renewals: int
) -> None:
    model = SBGModel().fit(survivors)
    t = np.arange(renewals, renewals + 10_000)
    alive = model.survival(t + 1) / model.survival(renewals)
    brute = (alive * np.exp(-(t - renewals) * math.log1p(discount_rate))).sum()
    assert model.derl(discount_rate, renewals_so_far=renewals) == pytest.approx(
        brute, rel=1e-9
    )


def test_expected_lifetime_closed_forms() -> None:
    high = SBGModel().fit(HIGH_END[:8])
    assert high.expected_lifetime(discount_rate=0.1) == pytest.approx(
        high.expected_lifetime(discount_rate=0.1, horizon=20_000), rel=1e-12
    )
    regular = SBGModel().fit(REGULAR[:8])
    assert regular.alpha_ < 1 and math.isinf(regular.expected_lifetime())
    assert math.isinf(regular.derl(0, renewals_so_far=2))
    steep = SBGModel().fit([1000, 500, 260, 140, 80])
    assert steep.alpha_ > 1
    a, b = steep.alpha_, steep.beta_
    assert steep.expected_lifetime() == pytest.approx((a + b - 1) / (a - 1))
    assert steep.expected_lifetime() == pytest.approx(
        steep.expected_lifetime(horizon=200_000), rel=1e-4
    )


def test_several_cohorts_and_lifetimes_give_the_same_fit() -> None:
    # Two cohorts observed for 7 and 3 years, as survivors and as lifetimes.
    cohorts = [REGULAR[:8], REGULAR[:4]]
    by_cohorts = SBGModel().fit(cohorts)
    durations, events, weights = [], [], []
    for cohort in cohorts:
        for t in range(1, len(cohort)):
            durations.append(t - 1)
            events.append(1)
            weights.append(cohort[t - 1] - cohort[t])
        durations.append(len(cohort) - 1)
        events.append(0)
        weights.append(cohort[-1])
    by_lifetimes = SBGModel().fit_lifetimes(durations, events, weights=weights)
    assert by_cohorts.alpha_ == pytest.approx(by_lifetimes.alpha_, rel=1e-6)
    assert by_cohorts.beta_ == pytest.approx(by_lifetimes.beta_, rel=1e-6)


def test_bad_input_is_reported() -> None:
    with pytest.raises(InputError, match="rise within a cohort"):
        SBGModel().fit([1000, 900, 950])
    with pytest.raises(InputError, match="no customer churned"):
        SBGModel().fit([1000, 1000, 1000])
    with pytest.raises(NotFittedError):
        SBGModel().survival(3)
