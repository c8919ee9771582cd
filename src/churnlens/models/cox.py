"""Cox proportional-hazards regression with time-varying covariates.

Data come in counting-process form: one row per customer and interval
``(start, stop]`` over which the covariates are constant, ``event = 1`` on the
interval whose ``stop`` is the churn. The model is fitted by Newton-Raphson on the
partial likelihood (Efron's or Breslow's handling of tied event times), with every
risk-set sum computed by sorting once and cumulative sums (``_cox_efron``), so a
million rows fit in seconds. The numbers equal lifelines' ``CoxTimeVaryingFitter``
(the tests hold them to 1e-6); see docs/cox.md for the definitions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError
from churnlens.models._base import Model
from churnlens.models._cox_checks import check_rows
from churnlens.models._cox_concordance import concordance
from churnlens.models._cox_design import build_design, to_design
from churnlens.models._cox_efron import (
    Evaluation,
    RiskSets,
    efron_means,
    evaluate,
    risk_sets,
)
from churnlens.models._stats import chi2_sf, normal_quantile

__all__ = ["SUMMARY_COLUMNS", "PH_TEST_COLUMNS", "CoxTimeVarying", "to_design"]

SUMMARY_COLUMNS = (
    "covariate",
    "coef",
    "se",
    "hazard_ratio",
    "hazard_ratio_lower",
    "hazard_ratio_upper",
    "z",
    "p",
)
PH_TEST_COLUMNS = ("covariate", "statistic", "df", "p")
_TIES = ("efron", "breslow")
_TRANSFORMS = ("rank", "identity", "log")
# Halvings of a Newton step that lowers the likelihood before giving up.
_MAX_HALVINGS = 30
# Largest last Newton step (standardized scale) of a converged fit.
_STEP_TOL = 1e-4
# A coefficient this large per standard deviation of its covariate (a hazard
# ratio of e^25 = 7e10) is the sign of a monotone likelihood, not an estimate.
_RUNAWAY = 25.0


class CoxTimeVarying(Model):
    """Cox model on counting-process rows ``(start, stop]`` with time-varying
    covariates.

    ``alpha`` sets the interval level (0.05: 95%); ``penalizer`` an L2 penalty
    ``penalizer * n_rows / 2 * sum((coef * sd)^2)`` on the standardized
    coefficients (as lifelines); ``ties`` is ``"efron"`` or ``"breslow"``;
    Newton-Raphson stops when half the Newton decrement falls below ``tol``.

    >>> rows = pd.DataFrame({"customer_id": [1, 1, 2, 3, 4],
    ...     "start": [0, 2, 0, 0, 0], "stop": [2, 5, 4, 3, 6],
    ...     "event": [0, 1, 1, 0, 1], "tickets": [0, 3, 1, 0, 2]})
    >>> cox = CoxTimeVarying().fit(rows)
    >>> list(cox.summary.columns[:3])
    ['covariate', 'coef', 'se']
    """

    _fitted_attribute = "params_"

    def __init__(
        self,
        *,
        alpha: float = 0.05,
        penalizer: float = 0.0,
        ties: str = "efron",
        tol: float = 1e-9,
        max_iter: int = 50,
    ) -> None:
        self.alpha = alpha
        self.penalizer = penalizer
        self.ties = ties
        self.tol = tol
        self.max_iter = max_iter
        self.params_: pd.Series | None = None

    def fit(
        self,
        df: pd.DataFrame,
        *,
        id_col: str | None = "customer_id",
        start_col: str = "start",
        stop_col: str = "stop",
        event_col: str = "event",
        covariates: Sequence[str] | None = None,
        categorical: Sequence[str] = (),
        reference: Mapping[str, Any] | None = None,
        strata: str | Sequence[str] | None = None,
    ) -> CoxTimeVarying:
        """Fit to counting-process rows.

        ``covariates`` default to every column but the id, interval, event and
        strata columns; ``categorical`` ones become indicator columns against
        ``reference[col]`` (default: the most frequent level). ``strata`` columns
        give each stratum its own baseline hazard. ``id_col=None`` skips the
        check that a customer's intervals do not overlap.
        """
        self._check_settings()
        self.params_ = None  # a failed refit must not leave the old fit looking valid
        strata_cols = [strata] if isinstance(strata, str) else list(strata or [])
        roles = [c for c in (id_col, start_col, stop_col, event_col) if c] + strata_cols
        _require_columns(df, roles)
        if covariates is None:
            covariates = [c for c in df.columns if c not in set(roles)]
        _require_columns(df, list(covariates))
        if not covariates:
            raise ConfigError(
                "no covariates to fit",
                hint="the table needs at least one column besides id, start, stop, "
                "event and strata",
            )
        design = build_design(df, list(covariates), categorical, reference)
        X = design.apply(df)
        start, stop, event, stratum = check_rows(
            df, X, id_col, start_col, stop_col, event_col, strata_cols
        )
        self._design = design
        self._fit_arrays(X.to_numpy(dtype="float64"), start, stop, event, stratum)
        self.strata_ = strata_cols
        self.n_customers_ = int(df[id_col].nunique()) if id_col else None
        return self

    # -- results -------------------------------------------------------------

    @property
    def summary(self) -> pd.DataFrame:
        """One row per covariate: coefficient, standard error, hazard ratio with
        its interval at level 1 - alpha, Wald z and two-sided p."""
        self._check_fitted()
        coef = self.params_.to_numpy()
        se = self.standard_errors_.to_numpy()
        q = normal_quantile(1 - self.alpha / 2)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            z = coef / se
            lower, upper = np.exp(coef - q * se), np.exp(coef + q * se)
        return pd.DataFrame(
            {
                "covariate": list(self.params_.index),
                "coef": coef,
                "se": se,
                "hazard_ratio": np.exp(coef),
                "hazard_ratio_lower": lower,
                "hazard_ratio_upper": upper,
                "z": z,
                "p": [math.erfc(abs(v) / math.sqrt(2)) for v in z],
            },
            columns=list(SUMMARY_COLUMNS),
        )

    @property
    def fit_statistics(self) -> pd.DataFrame:
        """One row: sizes, partial log-likelihoods, likelihood-ratio test against
        the model without covariates, concordance and iterations."""
        self._check_fitted()
        statistic = max(0.0, 2 * (self.log_likelihood_ - self.log_likelihood_null_))
        d = int(self.params_.size)
        return pd.DataFrame(
            {
                "rows": [self.n_rows_],
                "customers": [self.n_customers_],
                "events": [self.n_events_],
                "log_likelihood": [self.log_likelihood_],
                "log_likelihood_null": [self.log_likelihood_null_],
                "lr_statistic": [statistic],
                "lr_df": [d],
                "lr_p": [chi2_sf(statistic, d)],
                "aic_partial": [-2 * self.log_likelihood_ + 2 * d],
                "concordance": [self.concordance_],
                "iterations": [self.n_iter_],
            }
        )

    def predict_log_partial_hazard(self, df: pd.DataFrame) -> pd.Series:
        """``(x - mean) . coef`` per row of ``df`` (the training means, as
        lifelines and R's ``linear.predictors``)."""
        self._check_fitted()
        X = self._design.apply(df).to_numpy(dtype="float64")
        values = (X - self._mean) @ self.params_.to_numpy()
        return pd.Series(values, index=df.index, name="log_partial_hazard")

    def predict_partial_hazard(self, df: pd.DataFrame) -> pd.Series:
        """``exp((x - mean) . coef)`` per row: the hazard relative to a customer
        at the training means."""
        out = np.exp(self.predict_log_partial_hazard(df))
        return out.rename("partial_hazard")

    def check_proportional_hazards(self, *, transform: str = "rank") -> pd.DataFrame:
        """Grambsch-Therneau test of proportional hazards, per covariate and
        global: correlation of the scaled Schoenfeld residuals with a transform
        of the event time (``"rank"``, ``"identity"`` or ``"log"``). A small p
        says the covariate's effect changes with time."""
        self._check_fitted()
        if transform not in _TRANSFORMS:
            raise ConfigError(
                f"unknown transform {transform!r}",
                hint=f"use one of {list(_TRANSFORMS)}",
            )
        times = self._event_times
        if transform == "rank":
            g = pd.Series(times).rank(method="average").to_numpy()
        elif transform == "log":
            if (times <= 0).any():
                raise ConfigError(
                    "transform='log' needs event times > 0",
                    hint="use transform='rank' or 'identity'",
                )
            g = np.log(times)
        else:
            g = times.astype("float64")
        g = g - g.mean()
        spread = float(g @ g)
        names = list(self.params_.index)
        if spread == 0:
            raise ConfigError(
                "all events happen at one time: nothing to correlate with time",
                hint="the proportional-hazards check needs events at several times",
            )
        n_deaths = times.size
        V = self._variance_std
        score = g @ self._schoenfeld  # sum_i g_i s_i
        per = (n_deaths * (score @ V)) ** 2 / (n_deaths * np.diag(V) * spread)
        overall = float(score @ V @ score) * n_deaths / spread
        statistic = np.append(per, overall)
        dof = [1] * len(names) + [len(names)]
        return pd.DataFrame(
            {
                "covariate": names + ["global"],
                "statistic": statistic,
                "df": dof,
                "p": [
                    chi2_sf(float(s), k) for s, k in zip(statistic, dof, strict=True)
                ],
            },
            columns=list(PH_TEST_COLUMNS),
        )

    # -- machinery -----------------------------------------------------------

    def _check_settings(self) -> None:
        if not 0 < self.alpha < 1:
            raise ConfigError(
                f"alpha must be between 0 and 1, got {self.alpha}",
                hint="alpha=0.05 gives 95% intervals",
            )
        if not (math.isfinite(self.penalizer) and self.penalizer >= 0):
            raise ConfigError(
                f"penalizer must be >= 0, got {self.penalizer}",
                hint="0 fits the plain partial likelihood",
            )
        if self.ties not in _TIES:
            raise ConfigError(
                f"ties must be one of {list(_TIES)}, got {self.ties!r}",
                hint="'efron' is the default of lifelines and R",
            )
        if not (self.tol > 0 and int(self.max_iter) == self.max_iter >= 1):
            raise ConfigError(
                f"tol must be > 0 and max_iter a whole number >= 1, got "
                f"tol={self.tol}, max_iter={self.max_iter}",
                hint="the defaults are tol=1e-9, max_iter=50",
            )

    def _fit_arrays(
        self,
        X: np.ndarray,
        start: np.ndarray,
        stop: np.ndarray,
        event: np.ndarray,
        stratum: np.ndarray,
    ) -> None:
        names = self._design.columns
        mean, sd = X.mean(axis=0), X.std(axis=0, ddof=1)
        Z = (X - mean) / sd
        sets = risk_sets(start, stop, event, stratum, breslow=self.ties == "breslow")
        Zk = Z if sets.keep.all() else Z[sets.keep]
        beta, state, iterations, null = self._newton(Zk, sets, X.shape[0])
        _check_bounded(beta, names)
        variance_std = np.linalg.inv(-state.hessian)
        self._store(names, mean, sd, beta, state, variance_std)
        self.log_likelihood_null_ = null
        self.n_iter_ = iterations
        self.n_rows_ = int(X.shape[0])
        self.n_events_ = int(sets.deaths.size)
        # Row by row in one fixed order (not BLAS, whose rounding depends on a
        # row's position): equal covariates must give exactly equal scores.
        scores = (Zk * beta).sum(axis=1)
        self.concordance_, self.comparable_pairs_ = concordance(scores, sets)
        self._schoenfeld = Zk[sets.deaths] - efron_means(sets, state.pair_means)
        self._event_times = sets.key_time[sets.death_key]

    def _store(
        self,
        names: list[str],
        mean: np.ndarray,
        sd: np.ndarray,
        beta: np.ndarray,
        state: Evaluation,
        variance_std: np.ndarray,
    ) -> None:
        index = pd.Index(names, name="covariate")
        variance = variance_std / np.outer(sd, sd)
        self._mean, self._variance_std = mean, variance_std
        self.variance_matrix_ = pd.DataFrame(variance, index=index, columns=names)
        self.standard_errors_ = pd.Series(np.sqrt(np.diag(variance)), index, name="se")
        self.log_likelihood_ = float(state.log_likelihood)
        self.params_ = pd.Series(beta / sd, index=index, name="coef")
        self.hazard_ratios_ = np.exp(self.params_).rename("hazard_ratio")

    def _newton(
        self, Z: np.ndarray, sets: RiskSets, n_rows: int
    ) -> tuple[np.ndarray, Evaluation, int, float]:
        """Newton-Raphson with step halving; returns (beta, evaluation at beta,
        iterations, null log-likelihood), all in the standardized scale."""
        death_sum = Z[sets.deaths].sum(axis=0)
        beta = np.zeros(Z.shape[1])
        state = self._penalized(Z, beta, sets, death_sum, n_rows)
        null = state.log_likelihood
        for iteration in range(1, int(self.max_iter) + 1):
            step = _newton_step(state, self._design.columns)
            # A small Newton decrement alone is not enough: where the likelihood
            # only approaches its supremum as a coefficient grows without bound
            # (a covariate separating churners) the decrement vanishes while the
            # steps stay large.
            converged = (
                float(state.gradient @ step) / 2 <= self.tol
                and float(np.abs(step).max()) <= _STEP_TOL
            )
            for _ in range(_MAX_HALVINGS):
                candidate = self._penalized(Z, beta + step, sets, death_sum, n_rows)
                if _finite(candidate) and (
                    candidate.log_likelihood
                    >= state.log_likelihood - 1e-12 * abs(state.log_likelihood)
                ):
                    break
                step = step / 2
            else:
                if converged:  # at the maximum up to rounding
                    return beta, state, iteration, null
                break
            beta, state = beta + step, candidate
            if converged:
                return beta, state, iteration, null
        raise ConfigError(
            f"the Cox fit did not converge in {self.max_iter} Newton iterations",
            hint="a covariate may separate churners from the others perfectly (a "
            "level with no events, a value only churners have): check the "
            "coefficients' sizes, merge rare levels or set penalizer=0.01",
        )

    def _penalized(
        self,
        Z: np.ndarray,
        beta: np.ndarray,
        sets: RiskSets,
        death_sum: np.ndarray,
        n_rows: int,
    ) -> Evaluation:
        state = evaluate(Z, beta, sets, death_sum)
        if self.penalizer == 0:
            return state
        weight = self.penalizer * n_rows
        hessian = state.hessian - weight * np.eye(beta.size)
        return Evaluation(
            log_likelihood=state.log_likelihood - weight / 2 * float(beta @ beta),
            gradient=state.gradient - weight * beta,
            hessian=hessian,
            pair_means=state.pair_means,
        )


def _check_bounded(beta: np.ndarray, names: list[str]) -> None:
    """Refuse coefficients that only "converged" because the likelihood flattens
    towards its supremum at infinity (monotone likelihood)."""
    runaway = [name for name, b in zip(names, beta, strict=True) if abs(b) > _RUNAWAY]
    if runaway:
        raise ConfigError(
            f"the coefficients of {runaway} grow without bound: they (or a "
            "combination of them) separate churners from the others",
            hint="merge rare levels, drop the covariate, or set penalizer=0.01",
        )


def _finite(state: Evaluation) -> bool:
    return bool(
        np.isfinite(state.log_likelihood)
        and np.isfinite(state.gradient).all()
        and np.isfinite(state.hessian).all()
    )


def _newton_step(state: Evaluation, names: list[str]) -> np.ndarray:
    information = -state.hessian
    if not np.isfinite(information).all():
        raise ConfigError(
            "the Cox fit diverged (the information matrix is not finite)",
            hint="rescale large covariates, or set penalizer=0.01 if a covariate "
            "separates churners from the others",
        )
    try:
        lower = np.linalg.cholesky(information)
        step = np.linalg.solve(lower.T, np.linalg.solve(lower, state.gradient))
    except np.linalg.LinAlgError:
        raise ConfigError(
            "the Cox information matrix is singular: the covariates are collinear "
            "among the rows at risk, or a combination of them separates churners "
            "from the others (its coefficient grows without bound)",
            hint=f"drop or combine some of {names}, or set penalizer=0.01",
        ) from None
    return step


def _require_columns(df: pd.DataFrame, columns: Sequence[str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ConfigError(
            f"expected a pandas DataFrame, got {type(df).__name__}",
            hint="pass the counting-process rows as a DataFrame",
        )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(
            f"column(s) {missing} not in the table",
            hint=f"the table has {list(df.columns)}; set id_col=, start_col=, "
            "stop_col=, event_col= or covariates= to match",
        )
