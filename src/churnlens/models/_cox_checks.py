"""Checks of counting-process rows before a Cox fit, each with a hint.

A Cox fit on bad rows does not fail: it returns wrong numbers (overlapping
intervals count a customer twice in a risk set, a constant covariate makes the
information matrix singular). So the rows are checked first and every problem is
named with an example row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError

__all__ = ["check_rows", "independent_columns"]

# A covariate whose variance left after regressing it on the others is below
# this share of its own is treated as collinear with them.
_COLLINEAR = 1e-10


def check_rows(
    df: pd.DataFrame,
    X: pd.DataFrame,
    id_col: str | None,
    start_col: str,
    stop_col: str,
    event_col: str,
    strata: Sequence[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(start, stop, event, stratum codes) of valid rows; raises ConfigError."""
    if len(df) == 0:
        raise ConfigError("the table has no rows", hint="pass counting-process rows")
    start = _times(df, start_col)
    stop = _times(df, stop_col)
    event = _events(df, event_col)
    _check_covariates(X)
    bad = np.flatnonzero(start >= stop)
    if bad.size:
        raise ConfigError(
            f"{bad.size} row(s) have {start_col} >= {stop_col}, e.g. "
            f"{_row(df, id_col, bad[0])} with ({start[bad[0]]:g}, {stop[bad[0]]:g}]",
            hint="each row is an interval (start, stop] of positive length: drop "
            "empty intervals or add them to a neighbour",
        )
    if not event.any():
        raise ConfigError(
            f"no events: '{event_col}' is 0 on every row",
            hint="a Cox model needs churn events (event = 1 on the interval that "
            "ends with the churn)",
        )
    if id_col is not None:
        _check_overlaps(df[id_col], start, stop, df, id_col)
    return start, stop, event, _strata_codes(df, strata)


def independent_columns(X: np.ndarray) -> list[int]:
    """Indices of columns that are (nearly) linear combinations of earlier ones,
    after centring (so the constant is always among the earlier ones)."""
    centred = X - X.mean(axis=0)
    gram = centred.T @ centred
    scale = np.sqrt(np.diag(gram))
    dependent: list[int] = []
    kept: list[int] = []
    for j in range(X.shape[1]):
        if scale[j] == 0:
            dependent.append(j)
            continue
        corr = gram / np.outer(scale, scale)
        if kept:
            c = corr[np.ix_(kept, [j])]
            solved = np.linalg.lstsq(corr[np.ix_(kept, kept)], c, rcond=None)[0]
            left = 1.0 - float((c.T @ solved)[0, 0])
        else:
            left = 1.0
        if left < _COLLINEAR:
            dependent.append(j)
        else:
            kept.append(j)
    return dependent


def _times(df: pd.DataFrame, column: str) -> np.ndarray:
    values = df[column]
    if not pd.api.types.is_numeric_dtype(values.dtype) or values.dtype == bool:
        raise ConfigError(
            f"'{column}' must be numeric (got dtype {values.dtype})",
            hint="express times as numbers, e.g. days since the customer started",
        )
    array = values.to_numpy(dtype="float64")
    bad = ~np.isfinite(array)
    if bad.any():
        raise ConfigError(
            f"'{column}' has {int(bad.sum())} missing or infinite value(s)",
            hint="every row needs a finite start and stop",
        )
    return array


def _events(df: pd.DataFrame, column: str) -> np.ndarray:
    values = df[column]
    if values.isna().any():
        raise ConfigError(
            f"'{column}' has {int(values.isna().sum())} missing value(s)",
            hint="use 1 for the interval that ends with churn, 0 otherwise",
        )
    if values.dtype == bool:
        return values.to_numpy()
    array = values.to_numpy()
    if (
        not pd.api.types.is_numeric_dtype(values.dtype)
        or not np.isin(array, (0, 1)).all()
    ):
        raise ConfigError(
            f"'{column}' must hold 0/1 (or booleans)",
            hint="use 1 for the interval that ends with churn, 0 otherwise",
        )
    return array.astype(bool)


def _check_covariates(X: pd.DataFrame) -> None:
    values = X.to_numpy(dtype="float64")
    bad = ~np.isfinite(values)
    if bad.any():
        columns = [c for c, b in zip(X.columns, bad.any(axis=0), strict=True) if b]
        raise ConfigError(
            f"covariate(s) {columns} have missing or infinite values "
            f"({int(bad.sum())} in all)",
            hint="fill them (e.g. 0 tickets) or drop those rows before fitting",
        )
    flat = np.ptp(values, axis=0) == 0 if values.size else []
    constant = [c for c, f in zip(X.columns, flat, strict=True) if f]
    if constant:
        raise ConfigError(
            f"covariate(s) {constant} are constant",
            hint="drop them: a covariate that never varies has no effect to estimate",
        )
    dependent = independent_columns(values)
    if dependent:
        names = [str(X.columns[j]) for j in dependent]
        raise ConfigError(
            f"covariate(s) {names} are linear combinations of the other covariates",
            hint="drop them (or one level of each set of indicators that sums "
            "to 1): their effects cannot be told apart",
        )


def _check_overlaps(
    ids: pd.Series, start: np.ndarray, stop: np.ndarray, df: pd.DataFrame, id_col: str
) -> None:
    codes = pd.factorize(ids, use_na_sentinel=False)[0]
    order = np.lexsort((start, codes))
    same = codes[order][1:] == codes[order][:-1]
    overlap = same & (start[order][1:] < stop[order][:-1])
    if overlap.any():
        first = order[1:][np.argmax(overlap)]
        raise ConfigError(
            f"{int(overlap.sum())} interval(s) overlap an earlier interval of the same "
            f"customer, e.g. {_row(df, id_col, first)} starting at {start[first]:g}",
            hint="a customer's rows must not overlap: split (start, stop] at each "
            "covariate change so the intervals follow one another",
        )


def _strata_codes(df: pd.DataFrame, strata: Sequence[str]) -> np.ndarray:
    if not strata:
        return np.zeros(len(df), dtype=np.int64)
    frame = df[list(strata)]
    if frame.isna().any().any():
        raise ConfigError(
            f"strata column(s) {list(strata)} have missing values",
            hint="fill them with a level of their own (e.g. 'unknown')",
        )
    return frame.groupby(list(strata), sort=True).ngroup().to_numpy(dtype=np.int64)


def _row(df: pd.DataFrame, id_col: str | None, position: int) -> str:
    if id_col is None:
        return f"row {position}"
    return f"{id_col} {df[id_col].iloc[int(position)]!r}"
