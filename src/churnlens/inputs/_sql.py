"""Tiny helpers to write DuckDB SQL safely from Python values, and to run it."""

from __future__ import annotations

import itertools

import duckdb
import numpy as np
import pyarrow as pa

_counter = itertools.count(1)


def ident(name: str) -> str:
    """A quoted identifier; file headers may hold any character."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """A quoted string literal."""
    return "'" + value.replace("'", "''") + "'"


def unique_name(prefix: str) -> str:
    """A relation name no other ingest step in this process uses."""
    return f"__churnlens_{prefix}_{next(_counter)}"


def select_in_order(
    con: duckdb.DuckDBPyConnection, table: pa.Table, items: list[str]
) -> pa.Table:
    """``SELECT items FROM table`` with the rows in ``table``'s order.

    DuckDB keeps the order of a plain projection, yet only as an optimisation
    (large results have come back with their batches rotated), so the result is
    checked and, if it must be, sorted back by ``__line``.
    """
    name = unique_name("input")
    con.register(name, table)
    try:
        sql = f"SELECT __line, {', '.join(items)} FROM {name}"
        result = con.sql(sql).to_arrow_table()
    finally:
        con.unregister(name)
    lines = result.column("__line").to_numpy()
    if lines.size > 1 and not bool(np.all(lines[1:] > lines[:-1])):
        result = result.take(np.argsort(lines, kind="stable"))
    return result.drop_columns(["__line"])
