"""The embedded store: one DuckDB file holding the canonical tables.

Besides the four canonical tables (each row keeps ``_ingest_id`` and ``_line``, so
any value can be traced to the file and line it came from) the store keeps:

- ``spells``: the customers' spells, derived from ``subscriptions`` at ingest, so
  metrics scan a small sorted table instead of re-deriving it per query;
- ``_churnlens_ingests``: one row per ingested source (its content hash makes
  re-ingesting the same file a no-op);
- ``_churnlens_quarantine``: every rejected row with its file, line, column and
  reason.

Writers change the store only inside one transaction (see ``churnlens.ingest``),
so a failed or killed ingest leaves it as it was.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from churnlens.errors import EngineError, InputError, first_line
from churnlens.schema import TABLES
from churnlens.spells import spells as derive_spells

__all__ = [
    "DEFAULT_STORE",
    "INGESTS",
    "QUARANTINE",
    "SPELLS",
    "STORE_SUFFIXES",
    "Store",
]

DEFAULT_STORE = "churnlens.duckdb"
# File names taken for a store rather than a data file.
STORE_SUFFIXES = (".duckdb", ".db", ".ddb")
SPELLS = "spells"
INGESTS = "_churnlens_ingests"
QUARANTINE = "_churnlens_quarantine"
_META = "_churnlens_meta"
# Bumped when the layout changes, so an old file is recognised instead of misread.
_LAYOUT_VERSION = "2"

_BOOKKEEPING = f"""
CREATE TABLE IF NOT EXISTS {_META} (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS {INGESTS} (
    ingest_id BIGINT PRIMARY KEY,
    table_name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    settings VARCHAR NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    n_read BIGINT NOT NULL,
    n_accepted BIGINT NOT NULL,
    n_rejected BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS {QUARANTINE} (
    ingest_id BIGINT NOT NULL,
    table_name VARCHAR NOT NULL,
    source VARCHAR,
    line BIGINT,
    "column" VARCHAR,
    reason VARCHAR,
    value VARCHAR,
    record VARCHAR
);
"""


class Store:
    """A churnlens store file, opened read-only or for writing.

    >>> with Store.open("churnlens.duckdb", read_only=True) as store:  # doctest: +SKIP
    ...     store.table("subscriptions").count().execute()
    """

    def __init__(self, path: Path, backend: BaseBackend, *, read_only: bool) -> None:
        self.path = path
        self.backend = backend
        self.read_only = read_only

    @classmethod
    def open(
        cls, path: str | Path = DEFAULT_STORE, *, read_only: bool = False
    ) -> Store:
        """Open (for writing: create if needed) the store at ``path``."""
        path = Path(path)
        if path.is_dir():
            raise InputError(
                "this is a folder, not a churnlens store file",
                path=path,
                hint=f"name a file, e.g. --db {path / DEFAULT_STORE}",
            )
        if read_only and not path.is_file():
            raise InputError(
                "no churnlens store here",
                path=path,
                hint="create it with 'churnlens ingest FILE...' (or pass --db PATH "
                "to an existing store, or give the data file directly)",
            )
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            backend = ibis.duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as e:
            if "not a valid DuckDB database" in str(e):
                raise InputError(
                    "not a churnlens store (not a DuckDB database file)",
                    path=path,
                    hint="pass the path of a store made by 'churnlens ingest'",
                ) from e
            locked = "lock" in str(e).lower()
            raise EngineError(
                f"cannot open the store {path}: {first_line(e)}",
                hint="another churnlens process is using it; wait for it to "
                "finish, or use another --db"
                if locked
                else "check that the folder exists and that you may write there",
            ) from e
        except duckdb.Error as e:
            raise InputError(
                f"not a churnlens store (DuckDB cannot read it: {first_line(e)})",
                path=path,
                hint="pass the path of a store made by 'churnlens ingest'",
            ) from e
        store = cls(path, backend, read_only=read_only)
        if not read_only:
            store._ensure_layout()
        store._check_layout()
        return store

    # -- reading ---------------------------------------------------------------

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The underlying DuckDB connection (for bulk loads and transactions)."""
        return self.backend.con  # type: ignore[no-any-return]

    def has_table(self, name: str) -> bool:
        return name in self._tables()

    def table(self, name: str) -> ir.Table:
        if not self.has_table(name):
            raise InputError(
                f"the store has no '{name}' table yet",
                path=self.path,
                hint=f"ingest a {name} file first: churnlens ingest {name}.csv",
            )
        return self.backend.table(name)

    def count(self, name: str) -> int:
        if not self.has_table(name):
            return 0
        row = self.con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
        return int(row[0]) if row else 0

    def ingests(self) -> list[dict[str, Any]]:
        """The ingest history, oldest first."""
        cursor = self.con.execute(f"SELECT * FROM {INGESTS} ORDER BY ingest_id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def quarantine(self, table: str | None = None) -> ir.Table:
        """Rejected rows (all, or of one canonical table)."""
        rows = self.backend.table(QUARANTINE)
        return rows if table is None else rows.filter(rows.table_name == table)

    def _tables(self) -> set[str]:
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main'"
        ).fetchall()
        return {r[0] for r in rows}

    # -- layout ----------------------------------------------------------------

    def _ensure_layout(self) -> None:
        self.con.execute(_BOOKKEEPING)
        self.con.execute(
            f"INSERT INTO {_META} VALUES ('layout_version', ?) ON CONFLICT DO NOTHING",
            [_LAYOUT_VERSION],
        )

    def _check_layout(self) -> None:
        tables = self._tables()
        if _META not in tables:
            if tables & set(TABLES):
                return  # a plain DuckDB file with canonical tables: usable as is
            if self.read_only:
                raise InputError(
                    "not a churnlens store (it has no churnlens tables)",
                    path=self.path,
                    hint="create a store with 'churnlens ingest FILE... --db PATH'",
                )
            return
        row = self.con.execute(
            f"SELECT value FROM {_META} WHERE key = 'layout_version'"
        ).fetchone()
        if row and row[0] != _LAYOUT_VERSION:
            raise InputError(
                f"the store was written by another churnlens version "
                f"(layout {row[0]}, this version reads {_LAYOUT_VERSION})",
                path=self.path,
                hint="re-ingest the source files into a new store",
            )

    # -- derived tables ----------------------------------------------------------

    def refresh_derived(self) -> None:
        """Rebuild ``spells`` from ``subscriptions`` (inside the caller's
        transaction when there is one)."""
        if not self.has_table("subscriptions"):
            self.con.execute(f"DROP TABLE IF EXISTS {SPELLS}")
            return
        sql = self.backend.compile(derive_spells(self.backend.table("subscriptions")))
        # Sorted by customer so per-customer work reads neighbouring rows.
        self.con.execute(
            f"CREATE OR REPLACE TABLE {SPELLS} AS {sql} "
            "ORDER BY customer_id, spell_start"
        )

    # -- lifetime --------------------------------------------------------------

    def close(self) -> None:
        self.backend.disconnect()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"Store({str(self.path)!r}, {mode})"
