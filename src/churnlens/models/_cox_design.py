"""The design matrix of a Cox model: numeric covariates as they are, categorical
ones as indicator columns against a reference level.

The levels are fixed when the model is fitted and replayed on new data, so a
prediction table with fewer levels (or in another order) gets the same columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError

__all__ = ["Design", "build_design", "to_design"]


@dataclass(frozen=True)
class Design:
    """How to turn a table into covariate columns (names in output order)."""

    covariates: tuple[str, ...]
    levels: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    references: Mapping[str, Any] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        names: list[str] = []
        for name in self.covariates:
            if name in self.levels:
                names.extend(f"{name}_{level}" for level in self.levels[name])
            else:
                names.append(name)
        return names

    def apply(self, df: pd.DataFrame) -> pd.DataFrame:
        """The design columns of ``df`` (floats; categorical ones as 0/1)."""
        missing = [c for c in self.covariates if c not in df.columns]
        if missing:
            raise ConfigError(
                f"covariate column(s) {missing} not in the table",
                hint=f"the model was fitted on {list(self.covariates)}",
            )
        out: dict[str, np.ndarray] = {}
        for name in self.covariates:
            if name in self.levels:
                out.update(self._indicators(df[name], name))
            else:
                out[name] = _numeric(df[name], name)
        return pd.DataFrame(out, index=df.index)

    def _indicators(self, column: pd.Series, name: str) -> dict[str, np.ndarray]:
        known = set(self.levels[name]) | {self.references[name]}
        values = column.to_numpy(dtype=object)
        unknown = sorted({str(v) for v in pd.unique(values) if v not in known})
        if column.isna().any() or unknown:
            shown = unknown[:5] if unknown else ["a missing value"]
            raise ConfigError(
                f"categorical covariate '{name}' holds level(s) {shown} that the "
                "model was not fitted with",
                hint=f"known levels: {sorted(map(str, known))}; map the others to "
                "one of them or refit",
            )
        return {
            f"{name}_{level}": (values == level).astype("float64")
            for level in self.levels[name]
        }


def build_design(
    df: pd.DataFrame,
    covariates: Sequence[str],
    categorical: Sequence[str] = (),
    reference: Mapping[str, Any] | None = None,
) -> Design:
    """Fix the levels of ``categorical`` columns; the reference level (dropped) is
    ``reference[col]`` or else the most frequent level (ties: the first sorted)."""
    reference = dict(reference or {})
    extra = sorted(set(categorical) - set(covariates))
    if extra:
        raise ConfigError(
            f"categorical column(s) {extra} are not among the covariates",
            hint="list them in covariates too (or leave covariates=None)",
        )
    levels: dict[str, tuple[Any, ...]] = {}
    references: dict[str, Any] = {}
    for name in categorical:
        column = df[name]
        if column.isna().any():
            raise ConfigError(
                f"categorical covariate '{name}' has {int(column.isna().sum())} "
                "missing value(s)",
                hint="fill them with a level of their own (e.g. 'unknown')",
            )
        counts = column.value_counts(sort=False)
        ordered = sorted(counts.index, key=str)
        if len(ordered) < 2:
            raise ConfigError(
                f"categorical covariate '{name}' has a single level {ordered}",
                hint="drop it: a constant column has no effect to estimate",
            )
        base = reference.get(name)
        if base is None:
            base = max(ordered, key=lambda level: counts[level])
        elif base not in counts.index:
            raise ConfigError(
                f"reference level {base!r} of '{name}' does not occur",
                hint=f"choose one of {[str(v) for v in ordered]}",
            )
        levels[name] = tuple(level for level in ordered if level != base)
        references[name] = base
    design = Design(tuple(covariates), levels, references)
    names = design.columns
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ConfigError(
            f"indicator column name(s) {twice} collide with other covariates",
            hint="rename the categorical column or the other covariate",
        )
    return design


def to_design(
    df: pd.DataFrame,
    *,
    categorical: Sequence[str],
    reference: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """``df`` with each ``categorical`` column replaced by 0/1 indicator columns
    ``<column>_<level>``, one per level except the reference (by default the most
    frequent level).

    >>> to_design(pd.DataFrame({"plan": ["a", "b", "b"]}), categorical=["plan"])
       plan_a
    0     1.0
    1     0.0
    2     0.0
    """
    missing = [c for c in categorical if c not in df.columns]
    if missing:
        raise ConfigError(
            f"categorical column(s) {missing} not in the table",
            hint=f"columns are {list(df.columns)}",
        )
    design = build_design(df, list(df.columns), categorical, reference)
    indicators = Design(tuple(categorical), design.levels, design.references)
    pieces = [
        indicators.apply(df[[name]]) if name in design.levels else df[[name]]
        for name in df.columns
    ]
    return pd.concat(pieces, axis=1)


def _numeric(column: pd.Series, name: str) -> np.ndarray:
    if column.dtype == bool:
        return column.to_numpy(dtype="float64")
    if not pd.api.types.is_numeric_dtype(column.dtype):
        raise ConfigError(
            f"covariate '{name}' is not numeric (dtype {column.dtype})",
            hint=f"pass categorical=['{name}'] to use it as indicator columns",
        )
    return column.to_numpy(dtype="float64")
