"""The embedded store: one DuckDB file holding the canonical tables.

Besides the four canonical tables (each row keeps ``_ingest_id`` and ``_line``, so
any value can be traced to the file and line it came from) the store keeps:

- ``spells``: the customers' spells, derived from ``subscriptions`` at ingest, so
  metrics scan a small sorted table instead of re-deriving it per query;
- ``mrr_changes``: the instants where a customer's MRR changes
  (``churnlens.mrr_changes``), for the revenue metrics, likewise;
- ``_churnlens_ingests``: one row per ingested source (its content hash makes
  re-ingesting the same file a no-op);
- ``_churnlens_quarantine``: every rejected row with its file, line, column and
  reason;
- the action tables, created on first use by ``churnlens.actions``: saved contact
  lists (``_churnlens_contact_lists`` and their rows, each with its holdout flag),
  the outreach log (``_churnlens_outreach``) and the helpdesk tickets exported per
  list and customer (``_churnlens_exports``).

The action tables need no layout bump: they are new tables, never a change to an
existing one, so an older churnlens ignores them and this one reads a store without
them as "nothing logged yet". Changing their columns later needs a bump.

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

from churnlens.errors import ChurnlensError, EngineError, InputError, first_line
from churnlens.mrr_changes import MRR_CHANGES, mrr_changes
from churnlens.schema import TABLES
from churnlens.spells import spells as derive_spells

__all__ = [
    "CONTACT_LISTS",
    "CONTACT_LIST_ROWS",
    "DEFAULT_STORE",
    "EXPORTS",
    "INGESTS",
    "OUTREACH",
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
CONTACT_LISTS = "_churnlens_contact_lists"
CONTACT_LIST_ROWS = "_churnlens_contact_list_rows"
OUTREACH = "_churnlens_outreach"
EXPORTS = "_churnlens_exports"
# Bumped when the layout changes, so an old file is recognised instead of misread.
_LAYOUT_VERSION = "3"  # 3: mrr_changes

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

_ACTIONS = f"""
CREATE TABLE IF NOT EXISTS {CONTACT_LISTS} (
    list_id BIGINT PRIMARY KEY,
    as_of TIMESTAMP NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    content_hash VARCHAR NOT NULL,
    holdout_share DOUBLE,
    holdout_seed BIGINT,
    n_customers BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS {CONTACT_LIST_ROWS} (
    list_id BIGINT NOT NULL,
    rank BIGINT NOT NULL,
    customer_id VARCHAR NOT NULL,
    owner VARCHAR,
    churn_probability DOUBLE,
    mrr DOUBLE,
    currency VARCHAR,
    mrr_at_risk DOUBLE,
    expected_value_saved DOUBLE,
    reasons VARCHAR,
    suggested_action VARCHAR,
    status VARCHAR,
    holdout BOOLEAN NOT NULL,
    PRIMARY KEY (list_id, customer_id)
);
CREATE TABLE IF NOT EXISTS {OUTREACH} (
    outreach_id BIGINT PRIMARY KEY,
    customer_id VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    contacted_at TIMESTAMP NOT NULL,
    logged_at TIMESTAMP NOT NULL,
    list_id BIGINT,
    reason VARCHAR,
    reason_text VARCHAR,
    reason_confidence DOUBLE,
    offer VARCHAR,
    contacted_by VARCHAR,
    note VARCHAR
);
CREATE TABLE IF NOT EXISTS {EXPORTS} (
    list_id BIGINT NOT NULL,
    customer_id VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    external_id VARCHAR NOT NULL,
    exported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (list_id, customer_id, target)
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

    def ensure_action_tables(self) -> None:
        """Create the contact-list, outreach and export tables if missing."""
        if self.read_only:
            raise InputError(
                "the store is open read-only, so nothing can be recorded in it",
                path=self.path,
                hint="open it for writing: Store.open(path) without read_only=True",
            )
        self.con.execute(_ACTIONS)

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
        """Rebuild ``spells`` and ``mrr_changes`` from ``subscriptions`` (inside
        the caller's transaction when there is one)."""
        if not self.has_table("subscriptions"):
            self.con.execute(f"DROP TABLE IF EXISTS {SPELLS}")
            self.con.execute(f"DROP TABLE IF EXISTS {MRR_CHANGES}")
            return
        subscriptions = self.backend.table("subscriptions")
        sql = self.backend.compile(derive_spells(subscriptions))
        # Sorted by customer so per-customer work reads neighbouring rows.
        self.con.execute(
            f"CREATE OR REPLACE TABLE {SPELLS} AS {sql} "
            "ORDER BY customer_id, spell_start"
        )
        try:
            sql = self.backend.compile(mrr_changes(subscriptions))
        except ChurnlensError:
            # No mrr or amount, or a billing period nobody can read: revenue
            # metrics then say so themselves, and nothing stale is left behind.
            self.con.execute(f"DROP TABLE IF EXISTS {MRR_CHANGES}")
            return
        self.con.execute(
            f"CREATE OR REPLACE TABLE {MRR_CHANGES} AS {sql} "
            "ORDER BY customer_id, currency, changed_at"
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
