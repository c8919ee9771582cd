"""CoxTimeVarying against naive loops (no shared code), simulated truths, the
proportional-hazards check, the design helper and the errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from churnlens.errors import ConfigError
from churnlens.models._base import NotFittedError
from churnlens.models.cox import SUMMARY_COLUMNS, CoxTimeVarying, to_design
from models.test_cox_cases import COVARIATES, counting_process_rows

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# -- naive references: plain loops over rows -----------------------------------


def naive_log_likelihood(
    df: pd.DataFrame, coef: dict, ties: str, strata: str | None = None
) -> float:
    rows = df.to_dict("records")
    total = 0.0
    groups = {r[strata] if strata else 0 for r in rows}
    for group in groups:
        mine = [r for r in rows if (r[strata] if strata else 0) == group]
        for t in sorted({r["stop"] for r in mine if r["event"] == 1}):
            risk = [r for r in mine if r["start"] < t <= r["stop"]]
            dead = [r for r in risk if r["stop"] == t and r["event"] == 1]
            score = [math.exp(sum(coef[c] * r[c] for c in coef)) for r in risk]
            dead_score = [math.exp(sum(coef[c] * r[c] for c in coef)) for r in dead]
            d = len(dead)
            for r in dead:
                total += sum(coef[c] * r[c] for c in coef)
            for step in range(d):
                share = step / d if ties == "efron" else 0.0
                total -= math.log(sum(score) - share * sum(dead_score))
    return total


def naive_concordance(
    df: pd.DataFrame, scores: np.ndarray, strata: str | None
) -> float:
    rows = df.to_dict("records")
    concordant = comparable = 0.0
    for i, a in enumerate(rows):
        if a["event"] != 1:
            continue
        t = a["stop"]
        for j, b in enumerate(rows):
            if j == i or (strata and a[strata] != b[strata]):
                continue
            if not (b["start"] < t <= b["stop"]):
                continue
            if b["event"] == 1 and b["stop"] == t:
                continue  # tied on the event time: not comparable
            comparable += 1
            if scores[i] > scores[j]:
                concordant += 1
            elif scores[i] == scores[j]:
                concordant += 0.5
    return concordant / comparable


def fit_or_reject(df: pd.DataFrame, **kwargs) -> CoxTimeVarying:
    try:
        return CoxTimeVarying(ties=kwargs.pop("ties", "efron")).fit(df, **kwargs)
    except ConfigError:
        assume(False)
        raise


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n_ids=st.integers(10, 30),
    strata=st.booleans(),
    ties=st.sampled_from(["efron", "breslow"]),
)
def test_maximises_the_naive_partial_likelihood(
    seed: int, n_ids: int, strata: bool, ties: str
) -> None:
    df = counting_process_rows(seed, n_ids=n_ids, strata=strata)
    assume(df["event"].sum() >= 3)
    by = "segment" if strata else None
    cox = fit_or_reject(df, covariates=COVARIATES, strata=by, ties=ties)
    coef = cox.params_.to_dict()
    at_fit = naive_log_likelihood(df, coef, ties, by)
    assert cox.log_likelihood_ == pytest.approx(at_fit, rel=1e-10, abs=1e-10)
    # The naive likelihood is flat at our estimate (central differences,
    # scaled by each coefficient's standard error).
    for name, se in cox.standard_errors_.items():
        h = 1e-4 * se
        up = naive_log_likelihood(df, {**coef, name: coef[name] + h}, ties, by)
        down = naive_log_likelihood(df, {**coef, name: coef[name] - h}, ties, by)
        assert abs((up - down) / (2 * h)) * se < 1e-5


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n_ids=st.integers(10, 30), strata=st.booleans())
def test_concordance_equals_the_naive_pair_count(
    seed: int, n_ids: int, strata: bool
) -> None:
    df = counting_process_rows(seed, n_ids=n_ids, strata=strata)
    assume(df["event"].sum() >= 3)
    by = "segment" if strata else None
    cox = fit_or_reject(df, covariates=COVARIATES, strata=by)
    scores = cox.predict_log_partial_hazard(df).to_numpy()
    expected = naive_concordance(df, scores, by)
    assert cox.concordance_ == pytest.approx(expected, abs=1e-12)


# -- simulated truths ------------------------------------------------------------


def simulate(
    seed: int, customers: int, effects: tuple[float, float] = (0.4, -0.6)
) -> pd.DataFrame:
    """Monthly rows (period length 1): ``tickets`` redrawn every month (a
    time-varying covariate), ``annual`` fixed per customer; within a month the
    hazard is constant, 0.08 * exp(b1 tickets + b2 annual), so churn times are
    exact exponential draws. Censored after 1..12 months."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        annual = float(rng.random() < 0.4)
        for month in range(int(rng.integers(1, 13))):
            tickets = float(rng.poisson(1.0))
            rate = 0.08 * math.exp(effects[0] * tickets + effects[1] * annual)
            wait = rng.exponential(1 / rate)
            churn = wait < 1.0
            rows.append(
                {
                    "customer_id": c,
                    "start": float(month),
                    "stop": month + (wait if churn else 1.0),
                    "event": int(churn),
                    "tickets": tickets,
                    "annual": annual,
                }
            )
            if churn:
                break
    return pd.DataFrame(rows)


def covers(cox: CoxTimeVarying, truth: dict) -> list[bool]:
    summary = cox.summary.set_index("covariate")
    return [
        summary.loc[name, "hazard_ratio_lower"]
        <= math.exp(value)
        <= summary.loc[name, "hazard_ratio_upper"]
        for name, value in truth.items()
    ]


def test_recovers_simulated_time_varying_effects() -> None:
    truth = {"tickets": 0.4, "annual": -0.6}
    cox = CoxTimeVarying().fit(simulate(7, 4000))
    assert all(covers(cox, truth))
    summary = cox.summary.set_index("covariate")
    assert (summary["se"] < 0.08).all()  # precise enough for the check to bite


def test_intervals_are_calibrated_over_replicates() -> None:
    truth = {"tickets": 0.4, "annual": -0.6}
    hits = [
        hit
        for seed in range(100)
        for hit in covers(CoxTimeVarying().fit(simulate(1000 + seed, 300)), truth)
    ]
    assert 0.9 <= np.mean(hits) <= 0.99


def non_proportional(seed: int, n: int = 3000) -> pd.DataFrame:
    """``crossing`` doubles the hazard before t = 2 and halves it after (not
    proportional); ``steady`` multiplies it by exp(0.5) throughout."""
    rng = np.random.default_rng(seed)
    crossing = (rng.random(n) < 0.5).astype("float64")
    steady = rng.normal(size=n)
    base = 0.3 * np.exp(0.5 * steady)
    early = base * np.where(crossing == 1, 2.0, 1.0)
    late = base * np.where(crossing == 1, 0.5, 1.0)
    first = rng.exponential(1 / early)
    times = np.where(first < 2, first, 2 + rng.exponential(1 / late))
    censor = rng.uniform(1, 8, n)
    return pd.DataFrame(
        {
            "start": 0.0,
            "stop": np.minimum(times, censor),
            "event": (times <= censor).astype(int),
            "crossing": crossing,
            "steady": steady,
        }
    )


@pytest.mark.parametrize("transform", ["rank", "identity", "log"])
def test_ph_check_flags_only_the_non_proportional_covariate(transform: str) -> None:
    cox = CoxTimeVarying().fit(non_proportional(3), id_col=None)
    check = cox.check_proportional_hazards(transform=transform).set_index("covariate")
    assert list(check.columns) == ["statistic", "df", "p"]
    assert check.loc["crossing", "p"] < 1e-6
    assert check.loc["steady", "p"] > 0.05
    assert check.loc["global", "df"] == 2 and check.loc["global", "p"] < 1e-6


# -- invariances and the design helper ---------------------------------------------


def test_row_order_time_origin_and_units_do_not_matter() -> None:
    df = simulate(11, 500)
    base = CoxTimeVarying().fit(df)
    shuffled = df.sample(frac=1.0, random_state=0)
    moved = df.assign(start=df["start"] + 100, stop=df["stop"] + 100)
    rescaled = df.assign(tickets=df["tickets"] * 10)
    for other in (CoxTimeVarying().fit(shuffled), CoxTimeVarying().fit(moved)):
        np.testing.assert_allclose(other.params_, base.params_, rtol=1e-9)
        np.testing.assert_allclose(
            other.standard_errors_, base.standard_errors_, rtol=1e-9
        )
        assert other.concordance_ == pytest.approx(base.concordance_, abs=1e-12)
    scaled = CoxTimeVarying().fit(rescaled)
    assert scaled.params_["tickets"] * 10 == pytest.approx(base.params_["tickets"])


def test_categorical_covariates_become_indicators_against_a_reference() -> None:
    df = simulate(5, 400)
    rng = np.random.default_rng(0)
    df["plan"] = rng.choice(["basic", "pro", "team"], size=len(df), p=[0.5, 0.3, 0.2])
    design = to_design(df[["tickets", "plan"]], categorical=["plan"])
    assert list(design.columns) == ["tickets", "plan_pro", "plan_team"]  # basic: most
    chosen = to_design(df[["plan"]], categorical=["plan"], reference={"plan": "team"})
    assert list(chosen.columns) == ["plan_basic", "plan_pro"]
    cox = CoxTimeVarying().fit(df, covariates=["tickets", "plan"], categorical=["plan"])
    manual = CoxTimeVarying().fit(
        pd.concat([df.drop(columns="plan"), design[["plan_pro", "plan_team"]]], axis=1),
        covariates=["tickets", "plan_pro", "plan_team"],
    )
    np.testing.assert_allclose(cox.params_, manual.params_, rtol=1e-10)
    assert list(cox.summary["covariate"]) == ["tickets", "plan_pro", "plan_team"]
    new = pd.DataFrame({"tickets": [0.0, 2.0], "plan": ["team", "basic"]})
    expected = np.exp(
        (np.array([[0, 0, 1], [2, 0, 0]]) - cox._mean) @ cox.params_.to_numpy()
    )
    np.testing.assert_allclose(cox.predict_partial_hazard(new), expected, rtol=1e-12)
    with pytest.raises(ConfigError, match="'plan' holds level"):
        cox.predict_partial_hazard(new.assign(plan=["enterprise", "basic"]))


def test_results_have_stable_columns() -> None:
    cox = CoxTimeVarying(alpha=0.1).fit(simulate(2, 300))
    assert tuple(cox.summary.columns) == SUMMARY_COLUMNS
    summary = cox.summary
    assert (summary["hazard_ratio_lower"] < summary["hazard_ratio"]).all()
    np.testing.assert_allclose(summary["hazard_ratio"], cox.hazard_ratios_)
    stats = cox.fit_statistics.iloc[0]
    assert stats["events"] == cox.n_events_ and stats["customers"] == 300
    assert 0.5 < cox.concordance_ < 1
    assert "fitted" in repr(cox)


# -- errors --------------------------------------------------------------------------


def rows(**changes) -> pd.DataFrame:
    df = simulate(4, 60)
    for name, value in changes.items():
        df[name] = value
    return df


@pytest.mark.parametrize(
    ("df", "kwargs", "match"),
    [
        (rows(), {"covariates": ["missing"]}, r"column\(s\) \['missing'\] not in"),
        (rows(), {"stop_col": "end"}, r"\['end'\] not in the table"),
        (rows(event=0), {}, "no events"),
        (rows(event=2), {}, "must hold 0/1"),
        (rows(flat=1.0), {}, r"\['flat'\] are constant"),
        (rows(plan="pro"), {}, "'plan' is not numeric"),
        (None, {}, "expected a pandas DataFrame"),
    ],
)
def test_bad_tables_raise_config_errors(df, kwargs, match) -> None:
    with pytest.raises(ConfigError, match=match):
        CoxTimeVarying().fit(df, **kwargs)


def test_bad_intervals_missing_values_and_overlaps_are_named() -> None:
    df = rows()
    bad = df.copy()
    bad.loc[3, "stop"] = bad.loc[3, "start"]
    with pytest.raises(ConfigError, match=r"1 row\(s\) have start >= stop, e.g. cust"):
        CoxTimeVarying().fit(bad)
    bad = df.copy()
    bad.loc[2, "tickets"] = np.nan
    with pytest.raises(ConfigError, match=r"\['tickets'\] have missing or infinite"):
        CoxTimeVarying().fit(bad)
    bad = df.copy()
    bad.loc[0, "start"] = np.nan
    with pytest.raises(ConfigError, match="'start' has 1 missing"):
        CoxTimeVarying().fit(bad)
    several = df[df.groupby("customer_id")["start"].transform("size") > 1]
    first = several.index[1]
    bad = df.copy()
    bad.loc[first, "start"] -= 0.5
    with pytest.raises(ConfigError, match="overlap an earlier interval"):
        CoxTimeVarying().fit(bad)
    CoxTimeVarying().fit(bad, id_col=None)  # the caller vouches for the rows


def test_collinear_and_separating_covariates_raise() -> None:
    df = rows()
    with pytest.raises(ConfigError, match=r"\['double'\] are linear combinations"):
        CoxTimeVarying().fit(df.assign(double=2 * df["tickets"] + 1))
    # Only churners ever have the flag: its coefficient runs off to infinity.
    separated = df.assign(flag=df["event"].astype(float))
    with pytest.raises(ConfigError, match="without bound|converge|singular"):
        CoxTimeVarying().fit(separated)
    # A penalty keeps it finite.
    assert np.isfinite(CoxTimeVarying(penalizer=0.01).fit(separated).params_).all()


@pytest.mark.parametrize(
    ("settings_", "match"),
    [
        ({"alpha": 1.5}, "alpha must be between 0 and 1"),
        ({"penalizer": -1.0}, "penalizer must be >= 0"),
        ({"ties": "exact"}, "ties must be one of"),
        ({"max_iter": 0}, "max_iter a whole number"),
    ],
)
def test_bad_settings_raise(settings_: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        CoxTimeVarying(**settings_).fit(rows())


def test_results_need_a_fit() -> None:
    cox = CoxTimeVarying()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        _ = cox.summary
    with pytest.raises(NotFittedError):
        cox.check_proportional_hazards()
    with pytest.raises(ConfigError, match="unknown transform"):
        CoxTimeVarying().fit(rows()).check_proportional_hazards(transform="km")
