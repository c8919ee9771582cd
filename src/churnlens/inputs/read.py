"""``read_table``: read one source, map its columns, validate every row.

The steps, each over whole columns: a reader gives the raw rows (``readers``),
``columns`` matches them to a canonical table, ``convert`` types them, ``checks``
judges each row, and ``quarantine`` keeps the rejected ones whole. Nothing is
lost: every record read is either accepted or rejected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from churnlens.errors import ConfigError
from churnlens.inputs._preset_apply import prepare
from churnlens.inputs.checks import check_rows
from churnlens.inputs.columns import guess_table, plan_columns
from churnlens.inputs.convert import convert
from churnlens.inputs.presets import Preset, preset_named
from churnlens.inputs.quarantine import format_records, quarantine
from churnlens.inputs.raw import LINE, MALFORMED, RECORD, RawData
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
    # The source's rows as read (kept, not copied) and, when some were rejected,
    # the position there of each accepted row; the source's name of each column.
    _raw: pa.Table | None = field(default=None, repr=False, compare=False)
    _raw_rows: np.ndarray | None = field(default=None, repr=False, compare=False)
    _sources: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_accepted(self) -> int:
        return int(self.accepted.num_rows)

    @property
    def n_rejected(self) -> int:
        return int(self.rejected.num_rows)

    def raw_records(self, positions: np.ndarray) -> pa.Array:
        """The source rows of the accepted rows at ``positions`` (0-based), as
        JSON text in the format of ``rejected.record`` (source column name ->
        the source's text), for rows rejected after reading (by the store).

        >>> r.raw_records(np.array([0]))  # doctest: +SKIP
        ['{"ID":"s1","Account":"b","Start":"2024-02-01T10:00:00+02:00"}']
        """
        positions = np.asarray(positions, dtype=np.int64).reshape(-1)
        if positions.size and (
            positions.min() < 0 or positions.max() >= self.n_accepted
        ):
            raise IndexError(
                f"positions must lie in 0..{self.n_accepted - 1} (the accepted rows)"
            )
        if self._raw is None:
            raise ValueError("this result keeps no source rows")
        rows = positions if self._raw_rows is None else self._raw_rows[positions]
        taken = self._raw.take(rows)
        # __line orders the formatting query: number the rows as asked.
        taken = taken.set_column(
            taken.schema.get_field_index(LINE),
            LINE,
            pa.array(np.arange(rows.size, dtype=np.int64)),
        )
        columns = [c for c in taken.column_names if c != LINE]
        con = duckdb.connect()
        try:
            return format_records(con, taken, columns).combine_chunks()
        finally:
            con.close()

    def source_column(self, canonical: str) -> str:
        """The source's name for a column of ``accepted`` (``ID`` for a mapped
        subscription_id); the name itself when the source has no such column."""
        return self._sources.get(canonical, canonical)

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
    preset: str | Preset | None = None,
) -> ReadResult:
    """Read and validate one source: a CSV/TSV, Parquet or JSON Lines file, or a
    table (``source_table``) or ``query`` of a database URL.

    ``table`` is the canonical table (guessed from the name or columns if not
    given); ``mapping`` names source columns for canonical ones; naive dates and
    times are local times in ``tz`` (those a daylight saving change skips or
    repeats are read as PostgreSQL and DuckDB read them: see ``timestamps``).
    Bad rows are rejected with a reason, never dropped; problems with the source
    as a whole raise ``InputError`` (``SchemaError`` for its columns). ``preset``
    reads a helpdesk export ("zendesk", "freshdesk", "liveagent": see
    ``presets``) into the tickets table; ``mapping`` still overrides it.

    >>> r = read_table("s.csv", mapping={"started_at": "start"})  # doctest: +SKIP
    >>> r.n_read == r.n_accepted + r.n_rejected  # doctest: +SKIP
    True
    """
    check_tz(tz)
    chosen = None if preset is None else preset_named(preset)
    if chosen is not None:
        table = _preset_table(chosen, table)
    if table is not None:
        table_spec(table)
    raw = read_raw(source, table=table, query=query, source_table=source_table)
    if table is None:
        columns = [*raw.source_columns, *(mapping or {})]
        table = guess_table(raw.name_hint or source, columns)
    # A preset converts a copy of the rows; ``raw`` stays as read for the records.
    prepared = None if chosen is None else prepare(raw, chosen, mapping)
    work = raw if prepared is None else prepared.raw
    plan = plan_columns(
        work.source_columns,
        table_spec(table),
        mapping if prepared is None else prepared.mapping,
        label=raw.label,
    )
    con = duckdb.connect()
    try:
        typed = convert(con, work, plan, tz)
        if prepared is not None:
            typed = prepared.finish(typed)
        verdicts = check_rows(con, work, typed, plan)
        if prepared is not None:
            verdicts = prepared.judge(verdicts, raw.n_rows)
        rejected = quarantine(con, raw, verdicts)
    finally:
        con.close()
    keep = verdicts.accepted(raw.n_rows)
    accepted = typed.table.filter(pa.array(keep))
    result = ReadResult(
        table=table,
        label=raw.label,
        accepted=accepted.drop_columns([LINE]),
        accepted_lines=accepted.column(LINE).combine_chunks(),
        rejected=rejected,
        n_read=raw.n_rows,
        content_hash=raw.content_hash(),
        mapping=plan.mapping if prepared is None else prepared.described,
        _raw=_source_rows(raw),
        _raw_rows=None if verdicts.rows.size == 0 else np.flatnonzero(keep),
        _sources={**dict(plan.extras), **plan.mapping},
    )
    if result.n_read != result.n_accepted + result.n_rejected:
        raise AssertionError(  # pragma: no cover - a bug, never the input's fault
            f"{raw.label}: read {result.n_read} != accepted {result.n_accepted} "
            f"+ rejected {result.n_rejected}"
        )
    return result


def _preset_table(preset: Preset, table: str | None) -> str:
    if table is not None and table != preset.table:
        raise ConfigError(
            f"the preset '{preset.name}' reads {preset.table}, not {table}",
            hint=f"drop --table, or use --table {preset.table}",
        )
    return preset.table


def _source_rows(raw: RawData) -> pa.Table:
    """The source columns and ``__line`` of ``raw``, sharing its buffers."""
    return raw.arrow.drop_columns(
        [c for c in (MALFORMED, RECORD) if c in raw.arrow.column_names]
    )
