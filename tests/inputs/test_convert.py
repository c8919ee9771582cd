"""Typing values: whole numbers (no canonical column uses them yet) and the
DuckDB order guard every cast relies on."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from churnlens.inputs._sql import select_in_order
from churnlens.inputs.columns import plan_columns
from churnlens.inputs.convert import convert
from churnlens.inputs.problems import judge
from churnlens.inputs.raw import RawData, with_lines
from churnlens.schema import Column, TableSpec

SEATS = TableSpec("seats", (Column("seats", "integer", required=True),))


def _convert(texts: list[str | None]):
    raw = RawData(with_lines(pa.table({"seats": texts})), "seats.csv")
    plan = plan_columns(raw.source_columns, SEATS, None, label=raw.label)
    con = duckdb.connect()
    try:
        typed = convert(con, raw, plan, "UTC")
    finally:
        con.close()
    return typed


def test_whole_numbers():
    typed = _convert(["3", " -4 ", "5.0", "1e3", "9007199254740993", "2.5", "x", None])
    assert typed.table.column("seats").type == pa.int64()
    assert typed.table.column("seats").to_pylist() == [
        3,
        -4,
        5,
        1000,
        9007199254740993,  # beyond float precision, read exactly
        None,
        None,
        None,
    ]
    verdicts = judge(typed.unreadable["seats"], 8)
    assert verdicts.rows.tolist() == [5, 6]
    assert verdicts.reason.to_pylist() == [
        "seats '2.5' is not a whole number",
        "seats 'x' is not a number",
    ]


def test_select_in_order_puts_rows_back_in_line_order():
    lines = np.arange(10, 0, -1, dtype=np.int64)
    table = pa.table({"__line": lines, "v": lines * 10})
    con = duckdb.connect()
    try:
        found = select_in_order(con, table, ["v"])
    finally:
        con.close()
    assert found.column("v").to_pylist() == list(range(10, 101, 10))
