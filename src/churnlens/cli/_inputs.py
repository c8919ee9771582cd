"""What every command reads: a data FILE or a store (``--db``).

Files are validated as ingest validates them; what was kept and rejected is said on
stderr, so a user never wonders where rows went.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
import pandas as pd

import churnlens
from churnlens.inputs import rejected_by_column
from churnlens.store import STORE_SUFFIXES

__all__ = ["DEFAULT_DB", "is_store", "open_data", "read_file", "read_files"]

DEFAULT_DB = "churnlens.duckdb"


def is_store(path: Path) -> bool:
    return path.suffix in STORE_SUFFIXES


def open_data(source: Path | None, db: Path | None, tz: str) -> object:
    """The store (``--db``, a store path, or ./churnlens.duckdb) or a
    subscriptions file read and validated."""
    if source is not None and db is not None:
        raise click.UsageError("give either a data FILE or --db, not both")
    if source is None:
        return churnlens.Store.open(db or DEFAULT_DB, read_only=True)
    if is_store(source):
        return churnlens.Store.open(source, read_only=True)
    return read_file(source, "subscriptions", tz)


def read_files(paths: Sequence[Path], tz: str) -> dict[str, pd.DataFrame]:
    """Several files read and validated, by the canonical table each holds (told
    from its name or columns): subscriptions, and any of customers, tickets and
    activity."""
    tables: dict[str, pd.DataFrame] = {}
    for path in paths:
        result = churnlens.read_table(path, tz=tz)
        _say_kept(path, result)
        if result.table in tables:
            raise click.UsageError(
                f"two files hold {result.table}; give one file per table "
                "(or ingest them into a store first)"
            )
        tables[result.table] = result.accepted.to_pandas()
    if "subscriptions" not in tables:
        raise click.UsageError(
            f"no subscriptions among {', '.join(str(p) for p in paths)}: name "
            "the subscriptions file too"
        )
    return tables


def read_file(path: Path, table: str, tz: str) -> object:
    """Read and validate a file, saying on stderr what was kept."""
    result = churnlens.read_table(path, table=table, tz=tz)
    _say_kept(path, result)
    return result.accepted


def _say_kept(path: Path, result: churnlens.ReadResult) -> None:
    message = (
        f"{path}: read {result.n_read}, accepted {result.n_accepted}, "
        f"rejected {result.n_rejected}"
    )
    if result.n_rejected:
        counts = rejected_by_column(result.rejected)
        reasons = ", ".join(f"{c} {n}" for c, n in counts.items())
        message += f" ({reasons}; 'churnlens ingest' keeps them in a quarantine file)"
    click.echo(message, err=True)
