"""Reading input sources into canonical tables, validated row by row.

``read_table`` reads one source (CSV/TSV, Parquet, JSON Lines, a DuckDB or
PostgreSQL table or query) and returns its accepted rows in canonical form and its
rejected rows in ``QUARANTINE_SCHEMA``; ``guess_table`` tells which canonical table
a source holds. Loading results into the store is ``load.ingest``'s job.
"""

from __future__ import annotations

from churnlens.inputs.columns import guess_table
from churnlens.inputs.quarantine import QUARANTINE_SCHEMA, rejected_by_column
from churnlens.inputs.read import ReadResult, read_table

__all__ = [
    "QUARANTINE_SCHEMA",
    "ReadResult",
    "guess_table",
    "read_table",
    "rejected_by_column",
]
