"""Validation, step two: the rules each typed row must meet.

Rules run in the order of the table's columns, so a row's first problem is its
leftmost; a row that could not be split into the header's fields has its values
in the wrong columns, and only that is said of it. Rules that need the store (a
key stored before, an unknown customer) are ``load``'s.

Duplicate keys are looked for among the rows without other problems: the first
good occurrence is kept and later ones are rejected naming its line, so accepted
keys are unique and a corrected row sent after a broken one is not lost.
"""

from __future__ import annotations

import dataclasses

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from churnlens.inputs._sql import select_in_order, unique_name
from churnlens.inputs.columns import ColumnPlan
from churnlens.inputs.convert import Typed, mask
from churnlens.inputs.problems import Problem, Verdicts, judge, said
from churnlens.inputs.raw import LINE, MALFORMED, RawData

__all__ = ["check_rows"]

# Columns that cannot be negative, and (later, earlier) pairs that cannot be in
# that order; equal instants are fine (a zero-length subscription, say).
_NOT_NEGATIVE = {"subscriptions": ("mrr",)}
_NOT_BEFORE = {
    "subscriptions": (("ended_at", "started_at"),),
    "tickets": (("first_response_at", "created_at"), ("resolved_at", "created_at")),
}


def check_rows(
    con: duckdb.DuckDBPyConnection, raw: RawData, typed: Typed, plan: ColumnPlan
) -> Verdicts:
    """Judge every row of ``typed`` (``raw`` converted as ``plan`` says)."""
    problems = [
        p for c in plan.spec.column_names for p in _column_rules(typed, plan, c)
    ]
    if MALFORMED in raw.arrow.column_names:
        malformed = raw.arrow.column(MALFORMED)
        split_badly = mask(pc.is_valid(malformed))
        problems = [
            Problem(None, split_badly, lambda rows: malformed.take(rows)),
            *(dataclasses.replace(p, rows=p.rows & ~split_badly) for p in problems),
        ]
    rejected = np.zeros(raw.n_rows, dtype=bool)
    for problem in problems:
        rejected |= problem.rows
    key = plan.spec.key
    if key is not None and plan.sources[key] is not None:
        problems.append(_duplicates(con, typed, plan, key, rejected, raw.line_word))
    return judge(problems, raw.n_rows)


def _column_rules(typed: Typed, plan: ColumnPlan, name: str) -> list[Problem]:
    source = plan.sources[name]
    if source is None:
        return []
    spec, shown = plan.spec, plan.shown(name)
    value, text = typed.table.column(name), typed.texts[name]
    problems = list(typed.unreadable.get(name, []))
    if spec.column(name).required:
        missing = mask(pc.is_null(value))
        for unreadable in problems:
            missing &= ~unreadable.rows
        what = said(f"{shown} is missing (a value is required)")
        problems.append(Problem(source, missing, what, text))
    if name in _NOT_NEGATIVE.get(spec.name, ()):
        negative = mask(pc.less(value, 0))
        what = said(f"{shown} '", text, "' is negative (it must be 0 or more)")
        problems.append(Problem(source, negative, what, text))
    for later, earlier in _NOT_BEFORE.get(spec.name, ()):
        if later == name and plan.sources[earlier] is not None:
            before = mask(pc.less(value, typed.table.column(earlier)))
            what = said(
                f"{shown} '",
                text,
                f"' is before {plan.shown(earlier)} '",
                typed.texts[earlier],
                "'",
            )
            problems.append(Problem(source, before, what, text))
    return problems


def _duplicates(
    con: duckdb.DuckDBPyConnection,
    typed: Typed,
    plan: ColumnPlan,
    key: str,
    rejected: np.ndarray,
    line_word: str,
) -> Problem:
    """Rows whose key an earlier good row has; the first stays accepted."""
    keys = typed.table.column(key)
    lines = typed.table.column(LINE)
    candidates = pa.table({LINE: lines, "k": keys})
    candidates = candidates.filter(pa.array(mask(pc.is_valid(keys)) & ~rejected))
    repeats = _repeats(con, _same_hash(con, candidates))
    rows = np.zeros(len(lines), dtype=bool)
    all_lines = lines.to_numpy()
    rows[np.searchsorted(all_lines, repeats.column(LINE).to_numpy())] = True
    firsts = repeats.column("first").cast(pa.string()).combine_chunks()
    name = plan.shown(key)

    def describe(at: np.ndarray) -> pa.Array:
        return pc.binary_join_element_wise(
            f"{name} '",
            keys.take(at).combine_chunks(),
            f"' repeats {line_word} ",
            firsts,
            " (a duplicate key: the first is kept)",
            "",
        )

    return Problem(plan.sources[key], rows, describe, typed.texts[key])


def _same_hash(con: duckdb.DuckDBPyConnection, candidates: pa.Table) -> pa.Table:
    """The candidates whose key's 64-bit hash another one has: a cheap superset
    of the duplicates (hashing and sorting 10M keys takes a tenth of the time of
    grouping them), usually empty."""
    hashes = select_in_order(con, candidates, ["hash(k) AS h"])
    found = hashes.column("h").to_numpy()
    ordered = np.sort(found)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    return candidates.filter(pa.array(np.isin(found, repeated)))


def _repeats(con: duckdb.DuckDBPyConnection, suspects: pa.Table) -> pa.Table:
    """(line, first line) of each row whose key an earlier row has."""
    if suspects.num_rows == 0:
        return pa.table(
            {LINE: pa.array([], pa.int64()), "first": pa.array([], pa.int64())}
        )
    relation = unique_name("keys")
    con.register(relation, suspects)
    try:
        return con.sql(
            f"SELECT {LINE}, first FROM (SELECT {LINE}, min({LINE}) OVER "
            f"(PARTITION BY k) AS first FROM {relation}) WHERE {LINE} > first "
            f"ORDER BY {LINE}"
        ).to_arrow_table()
    finally:
        con.unregister(relation)
