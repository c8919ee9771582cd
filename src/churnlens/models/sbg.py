"""The shifted-beta-geometric (sBG) model of contractual retention.

Fader and Hardie (2007), "How to project customer retention", Journal of
Interactive Marketing 21(1): each customer renews at the end of every period with
their own probability ``1 - theta`` until they first fail to; ``theta`` varies
across customers as Beta(alpha, beta). With ``T`` the period in which a customer
churns (T = 1: they never renew):

* ``P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)``
* ``S(t) = P(T > t) = B(alpha, beta + t) / B(alpha, beta)``
* retention rate ``r(t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)``,
  which rises with t: the heterogeneity, not a change in anyone's behaviour.

Discounted expected residual lifetime (Fader and Hardie 2010, "Customer-base
valuation in a contractual setting: the perils of ignoring heterogeneity",
Marketing Science 29(1), eq. 6) of a customer who has renewed ``n`` times, just
before their next renewal: ``(beta + n) / (alpha + beta + n) * 2F1(1, beta + n + 1;
alpha + beta + n + 1; 1 / (1 + d))``: the expected number of further payments,
the coming one undiscounted.

Everything is computed with ratios of consecutive terms (no gamma functions), and
the two parameters are found by maximum likelihood with a Nelder-Mead search on
their logarithms: no SciPy needed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError, InputError
from churnlens.models._base import Model, as_counts

__all__ = ["SBGModel"]

_HYP_TOL = 1e-17
_HYP_CHUNK = 4096
_HYP_MAX_TERMS = 10_000_000


class SBGModel(Model):
    """Shifted-beta-geometric retention model; ``fit`` returns self.

    >>> m = SBGModel().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> round(m.alpha_, 3), round(m.beta_, 3)
    (0.704, 1.182)
    """

    _fitted_attribute = "alpha_"

    def __init__(self, *, tol: float = 1e-12, max_iter: int = 5000) -> None:
        self.tol = tol
        self.max_iter = max_iter
        self.alpha_: float | None = None

    # -- fitting -------------------------------------------------------------

    def fit(self, survivors: Any) -> SBGModel:
        """Fit to survivor counts: customers alive at t = 0, 1, ..., T of one
        cohort, or a list of such sequences (cohorts may differ in length).

        Customers lost between t - 1 and t churned in period t; those alive at
        the last count are censored there.
        """
        churned: dict[int, float] = {}
        alive: dict[int, float] = {}
        for cohort in _cohorts(survivors):
            lost = cohort[:-1] - cohort[1:]
            for t, n in enumerate(lost, start=1):
                churned[t] = churned.get(t, 0.0) + n
            last = len(cohort) - 1
            alive[last] = alive.get(last, 0.0) + cohort[-1]
        return self._fit_counts(churned, alive)

    def fit_lifetimes(
        self, durations: Any, event_observed: Any = None, *, weights: Any = None
    ) -> SBGModel:
        """Fit to lifetimes in whole periods (e.g. ``lifetime_table`` in months):
        a churn after ``d`` full periods is ``T = d + 1``; a censored lifetime of
        ``d`` periods says ``T > d``."""
        d = np.floor(as_counts(durations, "durations")).astype("int64")
        n = d.shape[0]
        e = (
            np.ones(n)
            if event_observed is None
            else as_counts(event_observed, "event_observed", n)
        )
        w = np.ones(n) if weights is None else as_counts(weights, "weights", n)
        churned: dict[int, float] = {}
        alive: dict[int, float] = {}
        for t, ev, wt in zip(d.tolist(), e.tolist(), w.tolist(), strict=True):
            if ev:
                churned[t + 1] = churned.get(t + 1, 0.0) + wt
            else:
                alive[t] = alive.get(t, 0.0) + wt
        return self._fit_counts(churned, alive)

    def _fit_counts(
        self, churned: dict[int, float], alive: dict[int, float]
    ) -> SBGModel:
        churned = {t: n for t, n in churned.items() if n > 0}
        alive = {t: n for t, n in alive.items() if n > 0}
        if not churned:
            raise InputError(
                "no customer churned in the data: the sBG model cannot be fitted",
                hint="fit on a cohort observed for at least one period with losses",
            )
        horizon = max([*churned, *alive, 1])
        events = np.zeros(horizon + 1)
        censored = np.zeros(horizon + 1)
        for t, n in churned.items():
            events[t] = n
        for t, n in alive.items():
            censored[t] = n

        def loss(x: np.ndarray) -> float:
            value = _log_likelihood(math.exp(x[0]), math.exp(x[1]), events, censored)
            return -value if math.isfinite(value) else math.inf

        best = _nelder_mead(loss, np.zeros(2), tol=self.tol, max_iter=self.max_iter)
        self.alpha_, self.beta_ = float(math.exp(best[0])), float(math.exp(best[1]))
        self.log_likelihood_ = float(-loss(best))
        self.n_customers_ = float(events.sum() + censored.sum())
        self.n_periods_ = int(horizon)
        return self

    # -- the fitted model ------------------------------------------------------

    def survival(self, t: Any) -> Any:
        """P(T > t): the share of a cohort still customers after t renewals."""
        return self._by_period(
            t, lambda ts: np.exp(_log_survival(self.alpha_, self.beta_, ts))
        )

    def retention_rate(self, t: Any) -> Any:
        """r(t) = S(t) / S(t - 1) for t >= 1: the renewal rate ending period t."""
        self._check_fitted()

        def rate(ts: np.ndarray) -> np.ndarray:
            if (ts < 1).any():
                raise ConfigError("retention_rate is defined for t >= 1")
            return (self.beta_ + ts - 1) / (self.alpha_ + self.beta_ + ts - 1)

        return self._by_period(t, rate)

    def churn_probability(self, t: Any) -> Any:
        """P(T = t) for t >= 1: the share of a new cohort lost in period t."""
        self._check_fitted()

        def probability(ts: np.ndarray) -> np.ndarray:
            if (ts < 1).any():
                raise ConfigError("churn_probability is defined for t >= 1")
            before = np.exp(_log_survival(self.alpha_, self.beta_, ts - 1))
            return before * self.alpha_ / (self.alpha_ + self.beta_ + ts - 1)

        return self._by_period(t, probability)

    def projected_survivors(
        self, periods: int, *, initial: float | None = None
    ) -> pd.DataFrame:
        """Expected survivors of a cohort of ``initial`` customers (default: the
        fitted customers) at t = 0..periods, with the retention rate."""
        self._check_fitted()
        size = self.n_customers_ if initial is None else float(initial)
        t = np.arange(periods + 1)
        rate = (
            np.r_[np.nan, self.retention_rate(t[1:])] if periods else np.array([np.nan])
        )
        return pd.DataFrame(
            {
                "period": t,
                "survival": self.survival(t),
                "survivors": size * self.survival(t),
                "retention_rate": rate,
            }
        )

    def derl(self, discount_rate: float, *, renewals_so_far: int = 0) -> float:
        """Discounted expected residual lifetime of a customer who has renewed
        ``renewals_so_far`` times, just before the next renewal decision, in
        payments (the coming one undiscounted). Fader and Hardie (2010), eq. 6."""
        self._check_fitted()
        d = _check_discount(discount_rate)
        n = int(renewals_so_far)
        if n < 0:
            raise ConfigError(f"renewals_so_far must be >= 0, got {renewals_so_far}")
        a, b = self.alpha_, self.beta_
        if d == 0:
            return (b + n) / (a - 1) if a > 1 else math.inf
        lead = (b + n) / (a + b + n)
        return lead * _hyp2f1_one(b + n + 1, a + b + n + 1, 1 / (1 + d))

    def expected_lifetime(
        self, *, discount_rate: float = 0.0, horizon: int | None = None
    ) -> float:
        """Expected number of periods paid by a new customer (the first one
        included), each discounted at ``discount_rate``; ``horizon`` counts only
        the first ``horizon`` periods. Without discount nor horizon it is
        ``(alpha + beta - 1) / (alpha - 1)``, infinite when alpha <= 1."""
        self._check_fitted()
        d = _check_discount(discount_rate)
        if horizon is not None:
            t = np.arange(int(horizon))
            # exp(-t log(1 + d)), not (1 + d) ** t: no overflow over long horizons.
            return float((self.survival(t) * np.exp(-t * math.log1p(d))).sum())
        if d == 0:
            a, b = self.alpha_, self.beta_
            return (a + b - 1) / (a - 1) if a > 1 else math.inf
        return 1 + self.derl(d, renewals_so_far=0) / (1 + d)

    @property
    def summary(self) -> pd.DataFrame:
        self._check_fitted()
        return pd.DataFrame(
            {
                "alpha": [self.alpha_],
                "beta": [self.beta_],
                "log_likelihood": [self.log_likelihood_],
                "customers": [self.n_customers_],
                "periods": [self.n_periods_],
                "mean_churn_probability": [self.alpha_ / (self.alpha_ + self.beta_)],
            }
        )

    def _by_period(self, t: Any, f: Any) -> Any:
        self._check_fitted()
        ts = np.asarray(t, dtype="float64")
        if (ts < 0).any() or (ts != np.floor(ts)).any():
            raise ConfigError("periods must be whole numbers >= 0")
        values = f(np.atleast_1d(ts))
        return float(values[0]) if ts.ndim == 0 else values


def _cohorts(survivors: Any) -> list[np.ndarray]:
    if isinstance(survivors, pd.DataFrame):
        survivors = [row.dropna().to_numpy() for _, row in survivors.iterrows()]
    items = list(survivors) if not np.isscalar(survivors) else []
    nested = items and all(np.ndim(x) == 1 for x in items)
    cohorts = [as_counts(c, "survivors") for c in (items if nested else [items])]
    for cohort in cohorts:
        if cohort.size < 2:
            raise InputError(
                "a cohort needs survivor counts at t = 0 and at least t = 1",
                hint="give e.g. [1000, 631, 468, ...]",
            )
        if (np.diff(cohort) > 0).any():
            raise InputError(
                "survivor counts rise within a cohort",
                hint="survivors at t must not exceed those at t - 1; reactivated "
                "customers belong to a new cohort",
            )
    return cohorts


def _log_survival(alpha: float, beta: float, t: np.ndarray) -> np.ndarray:
    """log S(t) for whole t >= 0, by summing log r(k) for k = 1..t."""
    t = np.asarray(t, dtype="int64")
    top = int(t.max()) if t.size else 0
    k = np.arange(1, top + 1)
    steps = np.log((beta + k - 1) / (alpha + beta + k - 1))
    return np.r_[0.0, np.cumsum(steps)][t]


def _log_likelihood(
    alpha: float, beta: float, events: np.ndarray, censored: np.ndarray
) -> float:
    t = np.arange(events.size)
    log_s = _log_survival(alpha, beta, t)
    with np.errstate(divide="ignore"):
        log_p = np.r_[-np.inf, log_s[:-1] + np.log(alpha / (alpha + beta + t[1:] - 1))]
    churned = events > 0
    return float((events[churned] * log_p[churned]).sum() + (censored * log_s).sum())


def _nelder_mead(f: Any, x0: np.ndarray, *, tol: float, max_iter: int) -> np.ndarray:
    """Minimise ``f`` over the plane (standard coefficients 1, 2, 0.5, 0.5)."""
    simplex = np.array([x0, x0 + [0.5, 0.0], x0 + [0.0, 0.5]], dtype="float64")
    values = np.array([f(x) for x in simplex])
    for _ in range(max_iter):
        order = np.argsort(values)
        simplex, values = simplex[order], values[order]
        if (
            abs(values[-1] - values[0]) <= tol * (1 + abs(values[0]))
            and np.ptp(simplex, axis=0).max() <= 1e-10
        ):
            break
        centre = simplex[:-1].mean(axis=0)
        reflected = centre + (centre - simplex[-1])
        fr = f(reflected)
        if fr < values[0]:
            expanded = centre + 2 * (centre - simplex[-1])
            fe = f(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            inside = fr >= values[-1]
            target = simplex[-1] if inside else reflected
            contracted = centre + 0.5 * (target - centre)
            fc = f(contracted)
            if fc < min(fr, values[-1]):
                simplex[-1], values[-1] = contracted, fc
            else:
                simplex[1:] = simplex[0] + 0.5 * (simplex[1:] - simplex[0])
                values[1:] = [f(x) for x in simplex[1:]]
    return simplex[np.argmin(values)]


def _hyp2f1_one(b: float, c: float, z: float) -> float:
    """The Gaussian hypergeometric 2F1(1, b; c; z) for 0 <= z < 1, by its series:
    term k+1 = term k * (b + k) / (c + k) * z."""
    total, term, start = 0.0, 1.0, 0
    while start < _HYP_MAX_TERMS:
        k = np.arange(start, start + _HYP_CHUNK, dtype="float64")
        terms = term * np.cumprod(np.r_[1.0, ((b + k) / (c + k) * z)[:-1]])
        total += float(terms.sum())
        term = float(terms[-1] * (b + k[-1]) / (c + k[-1]) * z)
        if term <= _HYP_TOL * total:
            return total
        start += _HYP_CHUNK
    raise ConfigError(
        "the hypergeometric series did not converge", hint="use a larger discount rate"
    )


def _check_discount(discount_rate: float) -> float:
    d = float(discount_rate)
    if not (d >= 0 and math.isfinite(d)):
        raise ConfigError(
            f"discount_rate must be >= 0, got {discount_rate}",
            hint="give the rate per period, e.g. 0.1 for 10% a year with yearly "
            "renewals",
        )
    return d
