"""Kaplan-Meier and log-rank on public churn data equal lifelines'.

IBM Telco: tenure (months) with Churn, by Contract; PySurvival SaaS churn:
months_active with churned (see each dataset's SOURCE.md).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from _datasets import dataset, needs_datasets
from churnlens.models import KaplanMeier, logrank_test

pytest.importorskip("lifelines")
from lifelines import KaplanMeierFitter  # noqa: E402
from lifelines.statistics import multivariate_logrank_test  # noqa: E402

pytestmark = needs_datasets
TOL = 1e-9


def _same_as_lifelines(durations: np.ndarray, events: np.ndarray) -> KaplanMeier:
    km = KaplanMeier().fit(durations, events)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = KaplanMeierFitter().fit(durations, events)
    curve = km.survival_function_
    np.testing.assert_allclose(
        curve["survival"], ref.survival_function_.iloc[:, 0], atol=TOL, rtol=0
    )
    bounds = ref.confidence_interval_.to_numpy()
    np.testing.assert_allclose(curve["survival_lower"], bounds[:, 0], atol=TOL, rtol=0)
    np.testing.assert_allclose(curve["survival_upper"], bounds[:, 1], atol=TOL, rtol=0)
    assert km.median_lifetime_ == ref.median_survival_time_
    return km


def test_telco_tenure_by_contract() -> None:
    frame = pd.read_csv(
        dataset("ibm_telco_churn") / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    )
    durations = frame["tenure"].to_numpy(dtype="float64")
    events = (frame["Churn"] == "Yes").to_numpy()
    km = _same_as_lifelines(durations, events)
    assert km.survival_function_["at_risk"].iloc[0] == 7043
    assert km.survival_function_["events"].sum() == 1869
    for _, part in frame.groupby("Contract"):
        _same_as_lifelines(
            part["tenure"].to_numpy(dtype="float64"),
            (part["Churn"] == "Yes").to_numpy(),
        )
    ours = logrank_test(durations, frame["Contract"], events)
    ref = multivariate_logrank_test(durations, frame["Contract"], events)
    assert ours.degrees_of_freedom == 2
    assert ours.test_statistic == pytest.approx(ref.test_statistic, rel=TOL)
    assert ours.p_value == pytest.approx(ref.p_value, rel=TOL, abs=1e-300)


def test_telco_grouped_counts_fit_like_rows() -> None:
    frame = pd.read_csv(
        dataset("ibm_telco_churn") / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    )
    counts = frame.groupby(["tenure", "Churn"]).size().reset_index(name="n")
    grouped = KaplanMeier().fit(
        counts["tenure"], counts["Churn"] == "Yes", weights=counts["n"]
    )
    rows = KaplanMeier().fit(frame["tenure"], frame["Churn"] == "Yes")
    pd.testing.assert_frame_equal(grouped.survival_function_, rows.survival_function_)


def test_pysurvival_saas_months_active() -> None:
    frame = pd.read_csv(dataset("pysurvival_saas_churn") / "churn.csv")
    km = _same_as_lifelines(
        frame["months_active"].to_numpy(dtype="float64"),
        frame["churned"].to_numpy() == 1,
    )
    assert km.median_lifetime_ == 6.0  # as SOURCE.md reports
    groups = frame["company_size"].astype(str)
    ours = logrank_test(frame["months_active"], groups, frame["churned"])
    ref = multivariate_logrank_test(frame["months_active"], groups, frame["churned"])
    assert ours.test_statistic == pytest.approx(ref.test_statistic, rel=TOL)
