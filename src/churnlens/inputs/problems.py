"""Row problems as masks, and the verdict they add up to.

A rule yields a ``Problem``: which rows break it (a boolean mask over all rows)
and how to word the reason. Reasons are worded only for the rows rejected, so a
clean 10-million-row file builds no strings at all, and a dirty one builds them
with Arrow compute over whole columns, never a Python loop per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Problem", "Verdicts", "judge", "said"]

_SHOWN_MAX = 60

# Reasons for the given row positions (ascending), one string each.
Describe = Callable[[np.ndarray], pa.Array]


@dataclass(frozen=True)
class Problem:
    """Rows breaking one rule: ``column`` is the source column at fault (None for
    the whole row); ``value`` is the text shown as its value."""

    column: str | None
    rows: np.ndarray
    describe: Describe
    value: pa.ChunkedArray | pa.Array | None = None


@dataclass(frozen=True)
class Verdicts:
    """The rejected rows (positions, ascending) and, parallel to them, all their
    reasons joined by "; ", the first problem's column and that column's value."""

    rows: np.ndarray
    reason: pa.Array
    column: pa.Array
    value: pa.Array

    def accepted(self, n_rows: int) -> np.ndarray:
        keep = np.ones(n_rows, dtype=bool)
        keep[self.rows] = False
        return keep


def said(*parts: str | pa.ChunkedArray | pa.Array) -> Describe:
    """Words the reason as ``parts`` joined: text, and columns (all rows) whose
    value at each rejected row is quoted as it is, long values cut."""

    def describe(rows: np.ndarray) -> pa.Array:
        if all(isinstance(p, str) for p in parts):
            return pa.nulls(rows.size, pa.string()).fill_null("".join(parts))
        pieces = [p if isinstance(p, str) else _cut(p.take(rows)) for p in parts]
        return pc.binary_join_element_wise(*pieces, "")

    return describe


def _cut(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    values = pc.fill_null(values.cast(pa.string()), "")
    long = pc.greater(pc.utf8_length(values), _SHOWN_MAX)
    cut = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(values, 0, _SHOWN_MAX - 3), "...", ""
    )
    return pc.if_else(long, cut, values)


def judge(problems: list[Problem], n_rows: int) -> Verdicts:
    """Add up ``problems`` (in the order their columns should be named)."""
    problems = [p for p in problems if p.rows.any()]
    rejected = np.zeros(n_rows, dtype=bool)
    for problem in problems:
        rejected |= problem.rows
    rows = np.flatnonzero(rejected)
    if rows.size == 0:
        empty = pa.array([], pa.string())
        return Verdicts(rows, empty, empty, empty)
    first = np.full(rows.size, -1)
    reasons = []
    for k, problem in enumerate(problems):
        hit = problem.rows[rows]
        first[(first == -1) & hit] = k
        reasons.append(_scatter(hit, problem.describe(rows[hit])))
    if len(reasons) == 1:
        reason = reasons[0]
    else:
        reason = pc.binary_join_element_wise(*reasons, "; ", null_handling="skip")
    return Verdicts(rows, reason, *_first_column_and_value(problems, rows, first))


def _first_column_and_value(
    problems: list[Problem], rows: np.ndarray, first: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    columns = pa.array([p.column for p in problems], pa.string()).take(first)
    value = pa.nulls(rows.size, pa.string())
    for k, problem in enumerate(problems):
        hit = first == k
        if problem.value is not None and hit.any():
            shown = problem.value.take(rows[hit]).cast(pa.string())
            value = _fill(value, hit, shown)
    return columns, value


def _scatter(hit: np.ndarray, values: pa.Array) -> pa.Array:
    """``values`` at the ``hit`` positions of an otherwise null array."""
    return _fill(pa.nulls(hit.size, pa.string()), hit, values)


def _fill(
    target: pa.Array, hit: np.ndarray, values: pa.Array | pa.ChunkedArray
) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return pc.replace_with_mask(target, pa.array(hit), values.cast(pa.string()))
