"""``read_table``: read one source, map its columns, validate every row.

The steps, each over whole columns: a reader gives the raw rows (``readers``),
``columns`` matches them to a canonical table, ``convert`` types them, ``checks``
judges each row, and ``quarantine`` keeps the rejected ones whole. Nothing is
lost: every record read is either accepted or rejected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from churnlens.inputs.checks import check_rows
from churnlens.inputs.columns import guess_table, plan_columns
from churnlens.inputs.convert import convert
from churnlens.inputs.quarantine import quarantine
from churnlens.inputs.raw import LINE
from churnlens.inputs.readers import read_raw
from churnlens.inputs.timestamps import check_tz
from churnlens.schema import table_spec

__all__ = ["ReadResult", "read_table"]


@dataclass
class ReadResult:
    """One source, validated: its accepted rows in canonical form and the
    rejected ones as quarantine rows; ``n_read == n_accepted + n_rejected``."""

    table: str
    label: str
    accepted: pa.Table
    accepted_lines: pa.Array
    rejected: pa.Table
    n_read: int
    content_hash: str
    mapping: dict[str, str]

    @property
    def n_accepted(self) -> int:
        return int(self.accepted.num_rows)

    @property
    def n_rejected(self) -> int:
        return int(self.rejected.num_rows)

    def __str__(self) -> str:
        return (
            f"{self.label} ({self.table}): read {self.n_read:,}, accepted "
            f"{self.n_accepted:,}, rejected {self.n_rejected:,}"
        )


def read_table(
    source: str | Path,
    *,
    table: str | None = None,
    mapping: Mapping[str, str] | None = None,
    tz: str = "UTC",
    query: str | None = None,
    source_table: str | None = None,
) -> ReadResult:
    """Read and validate one source: a CSV/TSV, Parquet or JSON Lines file, or a
    table (``source_table``) or ``query`` of a database URL.

    ``table`` is the canonical table (guessed from the name or columns if not
    given); ``mapping`` names source columns for canonical ones; naive dates and
    times are local times in ``tz`` (those a daylight saving change skips or
    repeats are read as PostgreSQL and DuckDB read them: see ``timestamps``).
    Bad rows are rejected with a reason, never dropped; problems with the source
    as a whole raise ``InputError`` (``SchemaError`` for its columns).

    >>> r = read_table("s.csv", mapping={"started_at": "start"})  # doctest: +SKIP
    >>> r.n_read == r.n_accepted + r.n_rejected  # doctest: +SKIP
    True
    """
    check_tz(tz)
    if table is not None:
        table_spec(table)
    raw = read_raw(source, table=table, query=query, source_table=source_table)
    if table is None:
        columns = [*raw.source_columns, *(mapping or {})]
        table = guess_table(raw.name_hint or source, columns)
    plan = plan_columns(raw.source_columns, table_spec(table), mapping, label=raw.label)
    con = duckdb.connect()
    try:
        typed = convert(con, raw, plan, tz)
        verdicts = check_rows(con, raw, typed, plan)
        rejected = quarantine(con, raw, verdicts)
    finally:
        con.close()
    accepted = typed.table.filter(pa.array(verdicts.accepted(raw.n_rows)))
    result = ReadResult(
        table=table,
        label=raw.label,
        accepted=accepted.drop_columns([LINE]),
        accepted_lines=accepted.column(LINE).combine_chunks(),
        rejected=rejected,
        n_read=raw.n_rows,
        content_hash=raw.content_hash(),
        mapping=plan.mapping,
    )
    if result.n_read != result.n_accepted + result.n_rejected:
        raise AssertionError(  # pragma: no cover - a bug, never the input's fault
            f"{raw.label}: read {result.n_read} != accepted {result.n_accepted} "
            f"+ rejected {result.n_rejected}"
        )
    return result
