"""CoxTimeVarying equals lifelines' CoxTimeVaryingFitter (and CoxPHFitter on
one-row-per-customer data), and the published fit of the Stanford heart data.

lifelines is a test-only oracle: the product never imports it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from churnlens.errors import ConfigError
from churnlens.models.cox import CoxTimeVarying
from models.test_cox_cases import COVARIATES, counting_process_rows

lifelines = pytest.importorskip("lifelines")
from lifelines import CoxPHFitter, CoxTimeVaryingFitter  # noqa: E402
from lifelines.datasets import load_stanford_heart_transplants  # noqa: E402
from lifelines.statistics import proportional_hazard_test  # noqa: E402
from lifelines.utils import concordance_index  # noqa: E402

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# lifelines stops Newton-Raphson at a Newton decrement of 1e-8 by default; ask
# for more so that the comparison measures our arithmetic, not its stopping rule.
TIGHT = {"precision": 1e-13, "max_steps": 200}


def lifelines_fit(df: pd.DataFrame, **kwargs) -> CoxTimeVaryingFitter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines' own convergence warnings
        penalizer = kwargs.pop("penalizer", 0.0)
        return CoxTimeVaryingFitter(penalizer=penalizer).fit(
            df,
            id_col="customer_id",
            event_col="event",
            start_col="start",
            stop_col="stop",
            fit_options=TIGHT,
            **kwargs,
        )


def assert_same_fit(ours: CoxTimeVarying, ref, rtol: float = 1e-6) -> None:
    coef, ref_coef = ours.params_.to_numpy(), ref.params_.to_numpy()
    se, ref_se = ours.standard_errors_.to_numpy(), ref.standard_errors_.to_numpy()
    assert list(ours.params_.index) == list(ref.params_.index)
    # Relative to the coefficient, or to its standard error when it is near 0.
    np.testing.assert_array_less(
        np.abs(coef - ref_coef), rtol * np.maximum(np.abs(ref_coef), ref_se)
    )
    np.testing.assert_allclose(se, ref_se, rtol=rtol)
    assert ours.log_likelihood_ == pytest.approx(ref.log_likelihood_, rel=1e-9)


@st.composite
def designs(draw: st.DrawFn) -> dict:
    return {
        "seed": draw(st.integers(0, 2**32 - 1)),
        "n_ids": draw(st.integers(12, 45)),
        "max_rows": draw(st.integers(1, 5)),
        "grain": draw(st.integers(1, 4)),
        "p_event": draw(st.sampled_from([0.3, 0.6, 0.9])),
        "strata": draw(st.booleans()),
        "penalizer": draw(st.sampled_from([0.0, 0.0, 0.1])),
    }


@SETTINGS
@given(designs())
def test_equals_lifelines_on_generated_counting_process_rows(design: dict) -> None:
    penalizer = design.pop("penalizer")
    df = counting_process_rows(**design)
    assume(df["event"].sum() >= 3)
    strata = ["segment"] if design["strata"] else None
    try:
        ours = CoxTimeVarying(penalizer=penalizer).fit(
            df, covariates=COVARIATES, strata=strata
        )
    except ConfigError as error:
        # Constant, collinear or separating covariates in a tiny sample: the
        # error is the right answer, and lifelines has no estimate to compare.
        expected = ("collinear", "converge", "constant", "combination", "bound")
        assert any(word in str(error) for word in expected), str(error)
        assume(False)
    ref = lifelines_fit(df, strata=strata, penalizer=penalizer)
    assert_same_fit(ours, ref)
    np.testing.assert_allclose(
        ours.predict_partial_hazard(df), ref.predict_partial_hazard(df), rtol=1e-6
    )


def test_equals_lifelines_on_stanford_heart_transplants() -> None:
    df = load_stanford_heart_transplants()
    ours = CoxTimeVarying().fit(df, id_col="id")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = CoxTimeVaryingFitter().fit(
            df, id_col="id", event_col="event", fit_options=TIGHT
        )
    assert_same_fit(ours, ref)
    assert ours.n_events_ == 75 and ours.n_rows_ == 172 and ours.n_customers_ == 103
    summary = ours.summary.set_index("covariate")
    reference = ref.summary
    np.testing.assert_allclose(summary["p"], reference["p"], rtol=1e-6)
    np.testing.assert_allclose(
        summary["hazard_ratio_lower"], reference["exp(coef) lower 95%"], rtol=1e-7
    )
    np.testing.assert_allclose(
        summary["hazard_ratio_upper"], reference["exp(coef) upper 95%"], rtol=1e-7
    )


def test_stanford_heart_transplants_matches_the_published_fit() -> None:
    """The fit printed for this example by lifelines' documentation and by R's
    ``coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, heart)``
    (same data: survival's ``heart``), to the printed digits."""
    ours = CoxTimeVarying().fit(load_stanford_heart_transplants(), id_col="id")
    summary = ours.summary.set_index("covariate")
    published_coef = {
        "age": 0.0272,
        "year": -0.1463,
        "surgery": -0.6372,
        "transplant": -0.0103,
    }
    published_se = {
        "age": 0.0137,
        "year": 0.0705,
        "surgery": 0.3672,
        "transplant": 0.3138,
    }
    for name, value in published_coef.items():
        assert summary.loc[name, "coef"] == pytest.approx(value, abs=5e-5)
        assert summary.loc[name, "se"] == pytest.approx(published_se[name], abs=5e-5)
    statistics = ours.fit_statistics.iloc[0]
    assert statistics["lr_statistic"] == pytest.approx(15.11, abs=5e-3)
    assert statistics["lr_df"] == 4


def one_row_per_customer(seed: int, n: int = 150, whole: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.integers(0, 3, n).astype("float64")
    times = rng.exponential(10 * np.exp(-0.5 * x1 - 0.3 * x2))
    return pd.DataFrame(
        {
            "start": 0.0,
            "stop": np.ceil(times) if whole else times,
            "event": (rng.random(n) < 0.7).astype(int),
            "x1": x1,
            "x2": x2,
        }
    )


def cox_ph(df: pd.DataFrame) -> CoxPHFitter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CoxPHFitter().fit(
            df[["x1", "x2", "stop", "event"]], "stop", "event", fit_options=TIGHT
        )


@pytest.mark.parametrize("seed", range(6))
def test_concordance_equals_lifelines_on_one_row_per_customer(seed: int) -> None:
    df = one_row_per_customer(seed, whole=seed % 2 == 0)  # with and without ties
    ours = CoxTimeVarying().fit(df, id_col=None)
    ref = cox_ph(df)
    assert ours.concordance_ == pytest.approx(ref.concordance_index_, abs=1e-12)
    scores = -ours.predict_log_partial_hazard(df)
    expected = concordance_index(df["stop"], scores, df["event"])
    assert ours.concordance_ == pytest.approx(expected, abs=1e-12)
    assert_same_fit(ours, ref)


@pytest.mark.parametrize("transform", ["identity", "log", "rank"])
@pytest.mark.parametrize("seed", range(3))
def test_ph_test_equals_lifelines_on_one_row_per_customer(
    seed: int, transform: str
) -> None:
    # Untied times: lifelines ranks tied event times in row order, we average.
    df = one_row_per_customer(seed, whole=False)
    ours = (
        CoxTimeVarying()
        .fit(df, id_col=None)
        .check_proportional_hazards(transform=transform)
    )
    ref = cox_ph(df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        training = df[["x1", "x2", "stop", "event"]]
        result = proportional_hazard_test(ref, training, time_transform=transform)
    per = ours[ours["covariate"] != "global"]
    np.testing.assert_allclose(per["statistic"], result.test_statistic, rtol=1e-6)
    np.testing.assert_allclose(per["p"], result.p_value, rtol=1e-6, atol=1e-12)
