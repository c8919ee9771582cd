"""Rejected rows, kept whole: one quarantine row per rejected source record.

``record`` holds the record as the source had it, a JSON object of source column
name -> text, so a fixed file can be rebuilt from the quarantine alone.
"""

from __future__ import annotations

from collections import Counter

import duckdb
import pyarrow as pa

from churnlens.inputs._sql import ident, lit, select_in_order
from churnlens.inputs.problems import Verdicts
from churnlens.inputs.raw import LINE, RECORD, RawData

__all__ = ["QUARANTINE_SCHEMA", "format_records", "quarantine", "rejected_by_column"]

QUARANTINE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("line", pa.int64()),
        ("column", pa.string()),
        ("reason", pa.string()),
        ("value", pa.string()),
        ("record", pa.string()),
    ]
)


def quarantine(
    con: duckdb.DuckDBPyConnection, raw: RawData, verdicts: Verdicts
) -> pa.Table:
    """The quarantine rows of ``raw``'s rejected records, in source order."""
    if verdicts.rows.size == 0:
        return QUARANTINE_SCHEMA.empty_table()
    rows = raw.arrow.take(verdicts.rows)
    return pa.table(
        [
            pa.nulls(rows.num_rows, pa.string()).fill_null(raw.label),
            rows.column(LINE),
            verdicts.column,
            verdicts.reason,
            verdicts.value,
            format_records(con, rows, raw.source_columns),
        ],
        schema=QUARANTINE_SCHEMA,
    )


def format_records(
    con: duckdb.DuckDBPyConnection, rows: pa.Table, columns: list[str]
) -> pa.ChunkedArray:
    """Each row of ``rows`` (in ``__line`` order) as JSON text: source column
    name -> text, or the ``__record`` a reader kept for a row it could not split."""
    pairs = ", ".join(f"{lit(c)}, CAST({ident(c)} AS VARCHAR)" for c in columns)
    record = f"CAST(json_object({pairs}) AS VARCHAR)"
    if RECORD in rows.column_names:
        record = f"coalesce({RECORD}, {record})"
    found = select_in_order(con, rows, [f"{record} AS record"])
    return found.column("record").cast(pa.string())


def rejected_by_column(rejected: pa.Table) -> dict[str, int]:
    """Rejected rows per column at fault ("row" when no single column is), most
    first: the one-line summary of a quarantine."""
    columns = [c or "row" for c in rejected.column("column").to_pylist()]
    return dict(Counter(columns).most_common())
