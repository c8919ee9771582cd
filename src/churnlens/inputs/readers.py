"""Pick the reader for a source: a file by its extension, or a database URL.

File-level problems (no such file, a folder, an unknown kind) are found here,
before any reader runs, with a message that says how to fix them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from churnlens.errors import ConfigError, InputError
from churnlens.inputs.database import is_database, read_database
from churnlens.inputs.delimited import read_delimited
from churnlens.inputs.jsonlines import read_json_lines
from churnlens.inputs.parquet import read_parquet
from churnlens.inputs.raw import RawData

__all__ = ["SUFFIXES", "read_raw"]

_READERS: dict[str, Callable[[Path], RawData]] = {
    ".csv": read_delimited,
    ".tsv": read_delimited,
    ".txt": read_delimited,
    ".parquet": read_parquet,
    ".pq": read_parquet,
    ".jsonl": read_json_lines,
    ".ndjson": read_json_lines,
}
SUFFIXES = tuple(_READERS)

_ADVICE = {
    ".xlsx": "save the sheet as 'CSV UTF-8' and read that file",
    ".xls": "save the sheet as 'CSV UTF-8' and read that file",
    ".json": "write one JSON object per line and name the file .jsonl",
    ".gz": "decompress it first (gunzip)",
    ".zip": "unzip it first",
    ".bz2": "decompress it first (bunzip2)",
    ".zst": "decompress it first (unzstd)",
}


def read_raw(
    source: str | Path,
    *,
    table: str | None = None,
    query: str | None = None,
    source_table: str | None = None,
) -> RawData:
    """The rows of ``source`` as the source holds them."""
    if is_database(source):
        return read_database(
            source, table=table, source_table=source_table, query=query
        )
    if query is not None or source_table is not None:
        raise ConfigError(
            f"query and source_table apply to databases, and {source} is a file",
            hint="drop them, or give a database: postgresql://user@host/db or "
            "duckdb:///path/to/file.duckdb",
        )
    path = Path(source)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    _check_file(path)
    if reader is None:
        advice = _ADVICE.get(suffix, "convert it to one of those")
        raise InputError(
            f"cannot read files of type '{suffix or path.name}' (churnlens reads "
            f"{', '.join(SUFFIXES)}, .duckdb and database URLs)",
            path=path,
            hint=advice,
        )
    try:
        return reader(path)
    except PermissionError as e:
        raise InputError(
            "the file cannot be read (permission denied)",
            path=path,
            hint="check the file's permissions",
        ) from e


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise InputError(
            "this is a folder, not a file",
            path=path,
            hint=f"name the files inside it, e.g. {path / '*.csv'}",
        )
    if not path.exists():
        raise InputError(
            "the file does not exist",
            path=path,
            hint=f"check the name; relative paths start in {Path.cwd()}",
        )
    if path.stat().st_size == 0:
        raise InputError(
            "the file is empty (0 bytes)",
            path=path,
            hint="export the table again with a header row and one row per record",
        )
