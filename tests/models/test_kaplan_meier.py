"""Kaplan-Meier and the log-rank test equal lifelines' to 1e-9.

lifelines is a test-only oracle: the product never imports it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from churnlens.errors import ConfigError, InputError
from churnlens.models import KaplanMeier, NotFittedError, logrank_test

lifelines = pytest.importorskip("lifelines")
from lifelines import KaplanMeierFitter  # noqa: E402
from lifelines.statistics import multivariate_logrank_test  # noqa: E402
from lifelines.utils import restricted_mean_survival_time  # noqa: E402

TOL = 1e-9
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def assert_equals_lifelines(
    durations: np.ndarray,
    events: np.ndarray | None,
    weights: np.ndarray | None = None,
    alpha: float = 0.05,
) -> KaplanMeier:
    km = KaplanMeier(alpha=alpha).fit(durations, events, weights=weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines' own numpy warnings
        ref = KaplanMeierFitter(alpha=alpha).fit(durations, events, weights=weights)
    curve = km.survival_function_
    np.testing.assert_array_equal(curve["timeline"].to_numpy(), ref.timeline)
    np.testing.assert_allclose(
        curve["survival"], ref.survival_function_.iloc[:, 0], rtol=0, atol=TOL
    )
    bounds = ref.confidence_interval_.to_numpy()
    np.testing.assert_allclose(curve["survival_lower"], bounds[:, 0], rtol=0, atol=TOL)
    np.testing.assert_allclose(curve["survival_upper"], bounds[:, 1], rtol=0, atol=TOL)
    np.testing.assert_allclose(
        curve["at_risk"], ref.event_table["at_risk"], rtol=0, atol=0
    )
    assert km.median_lifetime_ == ref.median_survival_time_
    from lifelines.utils import median_survival_times

    interval = median_survival_times(ref.confidence_interval_).to_numpy()[0]
    assert [km.median_lifetime_lower_, km.median_lifetime_upper_] == list(interval)
    for t in {float(curve["timeline"].iloc[-1]), float(np.median(durations)) + 0.5}:
        assert math.isclose(
            km.restricted_mean_lifetime(t),
            restricted_mean_survival_time(ref, t=t),
            rel_tol=TOL,
            abs_tol=TOL,
        )
        np.testing.assert_allclose(km.predict([t]), ref.predict([t]), atol=TOL)
    return km


def assert_logrank_equals_lifelines(
    durations: np.ndarray,
    groups: np.ndarray,
    events: np.ndarray | None,
    weights: np.ndarray | None = None,
) -> None:
    ours = logrank_test(durations, groups, events, weights=weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = multivariate_logrank_test(durations, groups, events, weights=weights)
    assert ours.degrees_of_freedom == ref.degrees_of_freedom
    assert math.isclose(
        ours.test_statistic, ref.test_statistic, rel_tol=TOL, abs_tol=TOL
    )
    assert math.isclose(ours.p_value, ref.p_value, rel_tol=TOL, abs_tol=1e-300)


@st.composite
def samples(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    n = draw(st.integers(1, 40))
    # Few distinct values: many ties; sometimes fractional durations.
    whole = st.integers(0, draw(st.sampled_from([1, 5, 30])))
    values = draw(st.lists(whole, min_size=n, max_size=n))
    durations = np.array(values, dtype="float64")
    if draw(st.booleans()):
        durations += np.array(
            draw(st.lists(st.sampled_from([0.0, 0.25, 0.5]), min_size=n, max_size=n))
        )
    else:  # whole numbers as the engines return them: integers of any width
        durations = durations.astype(
            draw(st.sampled_from(["float64", "int64", "int32", "uint16"]))
        )
    kind = draw(st.sampled_from(["mixed", "all censored", "all events"]))
    if kind == "mixed":
        events = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    else:
        events = np.full(n, kind == "all events")
    weights = None
    if draw(st.booleans()):
        weights = np.array(draw(st.lists(st.integers(1, 50), min_size=n, max_size=n)))
    return durations, events, weights


@SETTINGS
@given(sample=samples(), alpha=st.sampled_from([0.05, 0.1, 0.01]))
def test_kaplan_meier_equals_lifelines(sample: tuple, alpha: float) -> None:
    durations, events, weights = sample
    assert_equals_lifelines(durations, events, weights, alpha)


@SETTINGS
@given(sample=samples(), n_groups=st.integers(2, 4), data=st.data())
def test_logrank_equals_lifelines(
    sample: tuple, n_groups: int, data: st.DataObject
) -> None:
    durations, events, weights = sample
    labels = data.draw(
        st.lists(
            st.sampled_from("abcd"[:n_groups]),
            min_size=len(durations),
            max_size=len(durations),
        )
    )
    if len(set(labels)) < 2:
        return
    assert_logrank_equals_lifelines(durations, np.array(labels), events, weights)


def test_weights_are_counts_of_rows() -> None:
    durations = np.array([1, 1, 1, 2, 4, 4, 6], dtype="float64")
    events = np.array([1, 1, 0, 1, 0, 1, 1])
    grouped = KaplanMeier().fit(
        [1, 1, 2, 4, 4, 6], [1, 0, 1, 0, 1, 1], weights=[2, 1, 1, 1, 1, 1]
    )
    raw = KaplanMeier().fit(durations, events)
    np.testing.assert_allclose(
        grouped.survival_function_.to_numpy(), raw.survival_function_.to_numpy()
    )


def test_single_row_and_no_event_before_the_end() -> None:
    km = assert_equals_lifelines(np.array([3.0]), np.array([0]))
    assert math.isinf(km.median_lifetime_)
    assert km.survival_function_["survival_lower"].tolist() == [1.0, 1.0]


def test_hazard_counts_events_over_customers_at_risk_per_bucket() -> None:
    km = KaplanMeier(hazard_width=10).fit([1, 5, 12, 15, 15, 31], [1, 0, 1, 1, 0, 1])
    hazard = km.hazard_
    assert hazard["interval_start"].tolist() == [0.0, 10.0, 20.0, 30.0]
    assert hazard["at_risk"].tolist() == [6.0, 4.0, 1.0, 1.0]
    assert hazard["events"].tolist() == [1.0, 2.0, 0.0, 1.0]
    np.testing.assert_allclose(hazard["hazard"], [1 / 6, 0.5, 0.0, 1.0])
    assert (hazard["hazard_lower"] <= hazard["hazard"]).all()
    assert (hazard["hazard"] <= hazard["hazard_upper"]).all()


def test_rmst_interval_is_the_klein_moeschberger_variance() -> None:
    # Worked by hand: S = 1 on [0,2), 2/3 on [2,5), 1/3 on [5,8); events at 2, 5.
    km = KaplanMeier().fit([2, 5, 8], [1, 1, 0])
    assert km.restricted_mean_lifetime(8) == pytest.approx(2 + 3 * 2 / 3 + 3 / 3)
    a2, a5 = 3 * 2 / 3 + 3 / 3, 3 / 3
    variance = a2**2 * 1 / (3 * 2) + a5**2 * 1 / (2 * 1)
    lower, upper = km.restricted_mean_lifetime_interval(8)
    assert upper - 5 == pytest.approx(1.959963984540054 * math.sqrt(variance))
    assert lower == pytest.approx(max(0.0, 5 - (upper - 5)))


def test_raw_integer_and_fractional_durations_take_the_same_path_results() -> None:
    rng = np.random.default_rng(3)
    durations = rng.integers(0, 400, 20_000).astype("float64")
    events = rng.random(20_000) < 0.7
    whole = KaplanMeier().fit(durations, events)
    shifted = KaplanMeier().fit(durations + 0.5, events)
    np.testing.assert_allclose(
        whole.survival_function_["survival"].to_numpy(),
        shifted.survival_function_["survival"].to_numpy()[1:],  # after the added 0
    )


@pytest.mark.parametrize("dtype", ["float64", "int64", "int32"])
def test_counting_in_chunks_equals_lifelines(
    dtype: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 7 rows: counts carried across chunk ends, the histogram grown
    when a later chunk holds a longer duration, zero weights kept on the
    timeline."""
    from churnlens.models import kaplan_meier

    monkeypatch.setattr(kaplan_meier, "_CHUNK", 7)
    rng = np.random.default_rng(11)
    durations = np.sort(rng.integers(0, 60, 200)).astype(dtype)  # growing
    events = rng.random(200) < 0.6
    weights = rng.integers(0, 4, 200).astype("float64")
    assert_equals_lifelines(durations, events)
    assert_equals_lifelines(durations, events, weights)
    assert_equals_lifelines(durations[::-1], None)


def test_durations_spread_far_beyond_their_count_are_sorted_not_counted() -> None:
    durations = np.array([0, 3, 10**12, 10**12, 7], dtype="int64")
    assert_equals_lifelines(durations, np.array([1, 0, 1, 1, 0], dtype=bool))
    assert_equals_lifelines(durations.astype("float64"), None)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([1.0, -2.0], None), InputError, "negative values"),
        ((np.array([4, -2, 1]), None), InputError, r"negative values \(smallest -2\)"),
        (([1.0, np.nan], None), InputError, "missing or infinite"),
        (([1.0, 2.0], [1, 2]), InputError, "one 0 or 1"),
        (([], None), InputError, "no lifetimes to fit"),
    ],
)
def test_bad_input_is_reported(args: tuple, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        KaplanMeier().fit(*args)


def test_negative_integer_durations_with_weights_are_reported() -> None:
    with pytest.raises(InputError, match=r"negative values \(smallest -2\)"):
        KaplanMeier().fit(np.array([4, -2, 1]), None, weights=np.ones(3))


def test_settings_and_fitted_state_are_checked() -> None:
    with pytest.raises(ConfigError, match="alpha must be between 0 and 1"):
        KaplanMeier(alpha=1.5).fit([1.0])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        KaplanMeier().predict(3)
    with pytest.raises(InputError, match="at least two groups"):
        logrank_test([1, 2], ["a", "a"])


@pytest.mark.parametrize("with_events", [True, False])
def test_the_c_loop_and_numpy_count_alike(
    with_events: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Integer durations are counted by the compiled loop when it is built;
    numpy counts them otherwise. Both give the same curve, across histogram
    growth (the first chunk holds only short durations)."""
    from churnlens.models import kaplan_meier

    if kaplan_meier._count_pairs is None:
        pytest.skip("the C extension is not built here (no compiler at install)")
    rng = np.random.default_rng(5)
    durations = np.r_[rng.integers(0, 5, 70_000), rng.integers(0, 3_000, 50_000)]
    events = rng.random(durations.size) < 0.4 if with_events else None
    compiled = KaplanMeier().fit(durations, events).survival_function_
    monkeypatch.setattr(kaplan_meier, "_count_pairs", None)
    plain = KaplanMeier().fit(durations, events).survival_function_
    np.testing.assert_array_equal(compiled.to_numpy(), plain.to_numpy())


def test_the_c_loop_stops_where_a_key_does_not_fit() -> None:
    from churnlens.models import kaplan_meier

    count_pairs = kaplan_meier._count_pairs
    if count_pairs is None:
        pytest.skip("the C extension is not built here (no compiler at install)")
    counts = np.zeros(6, dtype="int64")
    events = np.array([1, 0, 1, 0], dtype=bool)
    durations = np.array([0, 2, 3, -1], dtype="int64")
    assert count_pairs(durations, events, counts, 0) == (2, 7)  # 2 * 3 + 1
    assert counts.tolist() == [0, 1, 0, 0, 1, 0]
    assert count_pairs(durations, None, np.zeros(8, "int64"), 3) == (3, -1)
    with pytest.raises(TypeError, match="durations must be int64"):
        count_pairs(durations.astype("float64"), None, counts, 0)
    with pytest.raises(ValueError, match="one byte per duration"):
        count_pairs(durations, events[:2], counts, 0)
    with pytest.raises(TypeError, match="counts must be int64"):
        count_pairs(durations, None, np.zeros(8, "int32"), 0)


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "uint16"])
@pytest.mark.parametrize("weighted", [False, True])
def test_narrow_integer_durations_are_doubled_in_int64(
    dtype: str, weighted: bool
) -> None:
    """The key 2 * duration + event is formed in int64: a uint8 200 or an int16
    20,000 doubled in its own type would wrap round."""
    top = np.iinfo(dtype).max
    durations = np.array([top, top // 2, 3, top, 1], dtype=dtype)
    events = np.array([1, 0, 1, 1, 0], dtype=bool)
    weights = np.array([2.0, 1.0, 3.0, 1.0, 5.0]) if weighted else None
    km = assert_equals_lifelines(durations, events, weights)
    assert km.survival_function_["timeline"].iloc[-1] == top


def test_durations_beyond_half_of_int64_are_sorted_not_called_negative() -> None:
    durations = np.array([1, 2**62, 5], dtype="int64")
    km = KaplanMeier().fit(durations, [1, 1, 0])
    assert km.survival_function_["timeline"].tolist() == [0.0, 1.0, 5.0, 2.0**62]


def test_the_hazard_lists_empty_buckets_up_to_the_last_duration() -> None:
    km = KaplanMeier().fit([1, 5, 10, 20_000])
    hazard = km.hazard_
    assert len(hazard) == 20_001 and (hazard["events"] == 0).sum() == 20_001 - 4
