"""Parquet files into ``RawData``, keeping each column's own type.

Typed values (dates, timestamps, numbers) are validated like text ones, only
without parsing; rows are numbered from 1 in file order.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from churnlens.errors import InputError
from churnlens.inputs.raw import RawData, hash_file, unique_names, with_lines

__all__ = ["read_parquet"]


def read_parquet(path: Path) -> RawData:
    """Read a Parquet file; values keep their Parquet types."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as e:
        raise InputError(
            f"cannot read the file as Parquet: {e}",
            path=path,
            hint="check that the file is complete and really Parquet (not a CSV "
            "renamed to .parquet); write it again from its source",
        ) from e
    if table.num_rows == 0:
        raise InputError(
            "the file has no rows (its columns are: "
            f"{', '.join(table.column_names) or 'none'})",
            path=path,
            hint="check the export: it wrote the schema but no data",
        )
    table = table.rename_columns(unique_names(path, table.column_names))
    return RawData(
        with_lines(table), str(path), "row", path.name, lambda: hash_file(path)
    )
