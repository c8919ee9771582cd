"""A table or a query of a database (a DuckDB file, PostgreSQL) into ``RawData``.

Values keep the database's types. Rows are numbered from 1 in the order the
database returns them (give ``query`` an ORDER BY to make that order stable). The
label names the table (``url#table``) so that two tables of one database are told
apart in messages and quarantine files; a password in the URL never shows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from churnlens.errors import ConfigError, InputError, first_line
from churnlens.inputs._sql import ident
from churnlens.inputs.raw import RawData, hash_arrow, unique_names, with_lines

__all__ = ["is_database", "read_database", "redact"]

_POSTGRES = ("postgresql://", "postgres://")
_DUCKDB = "duckdb://"
_SOURCE_HINT = (
    "name the table with source_table='subscriptions' (CLI: --source-table) or "
    "give a query with query='SELECT ...' (CLI: --query)"
)
_LIST_TABLES = (
    "SELECT table_schema, table_name FROM information_schema.tables "
    "WHERE table_schema NOT IN ('information_schema', 'pg_catalog') "
    "ORDER BY table_schema, table_name"
)


def is_database(source: str | Path) -> bool:
    text = str(source)
    return text.startswith((*_POSTGRES, _DUCKDB)) or text.lower().endswith(".duckdb")


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***``."""
    return re.sub(r"(://[^/:@]*:)[^@/]*@", r"\1***@", url)


class _Database(Protocol):
    def tables(self) -> list[tuple[str, str]]: ...
    def fetch(self, sql: str) -> pa.Table: ...
    def close(self) -> None: ...


def read_database(
    source: str | Path,
    *,
    table: str | None = None,
    source_table: str | None = None,
    query: str | None = None,
) -> RawData:
    """Read ``source_table`` (default: the canonical ``table``) or ``query``."""
    url = str(source)
    if query is not None and source_table is not None:
        raise ConfigError(
            "give either a query or a source table, not both", hint=_SOURCE_HINT
        )
    name = source_table or table
    if query is None and name is None:
        raise ConfigError(
            f"which table of {redact(url)} should be read?", hint=_SOURCE_HINT
        )
    label = f"{redact(url)}#{name if query is None else 'query'}"
    db = _connect(url)
    try:
        if query is None:
            assert name is not None
            query = f"SELECT * FROM {_find_table(db, name, label)}"
        arrow = db.fetch(query)
    except InputError:
        raise
    except Exception as e:  # the drivers raise many unrelated types
        raise InputError(
            f"the query failed: {first_line(e)}",
            path=label,
            hint="check the query in the database's own client first",
        ) from e
    finally:
        db.close()
    if arrow.num_rows == 0:
        raise InputError(
            "the table or query has no rows", path=label, hint=_SOURCE_HINT
        )
    arrow = arrow.rename_columns(unique_names(label, arrow.column_names))
    hint_name = source_table or (table if query is None else None)
    return RawData(
        with_lines(arrow), label, "row", hint_name, lambda: hash_arrow(arrow)
    )


def _find_table(db: _Database, name: str, label: str) -> str:
    """The quoted name of the table ``name`` (``schema.table`` or a bare name,
    matched ignoring case); an error listing the tables otherwise."""
    wanted = name.lower().split(".")
    found = db.tables()
    for schema, table in found:
        if [schema.lower(), table.lower()][-len(wanted) :] == wanted:
            return f"{ident(schema)}.{ident(table)}"
    listed = ", ".join(t if s in ("main", "public") else f"{s}.{t}" for s, t in found)
    raise InputError(
        f"the database has no table '{name}' (tables found: {listed or 'none'})",
        path=label,
        hint=_SOURCE_HINT,
    )


def _connect(url: str) -> _Database:
    if url.startswith(_POSTGRES):
        return _Postgres(url)
    path = Path(url[len(_DUCKDB) :] if url.startswith(_DUCKDB) else url)
    if not path.is_file():
        raise InputError(
            "the DuckDB database file does not exist",
            path=path,
            hint="check the path; duckdb:///absolute/path.duckdb or "
            "duckdb://relative/path.duckdb",
        )
    return _DuckDB(path)


class _DuckDB:
    def __init__(self, path: Path) -> None:
        import duckdb

        try:
            self.con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as e:
            raise InputError(
                f"cannot open the DuckDB database: {first_line(e)}",
                path=path,
                hint="check that it is a DuckDB file and that no other program "
                "has it open for writing",
            ) from e

    def tables(self) -> list[tuple[str, str]]:
        return [(s, t) for s, t in self.con.execute(_LIST_TABLES).fetchall()]

    def fetch(self, sql: str) -> pa.Table:
        relation = self.con.sql(sql)
        if relation is None:
            raise ValueError("the statement returns no rows (is it a SELECT?)")
        return relation.to_arrow_table()

    def close(self) -> None:
        self.con.close()


class _Postgres:
    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as e:
            raise ConfigError(
                "reading PostgreSQL needs the psycopg driver",
                hint="pip install 'churnlens[postgres]'",
            ) from e
        try:
            self.con = psycopg.connect(url, connect_timeout=10)
        except psycopg.Error as e:
            raise InputError(
                f"cannot connect to the database: {first_line(e)}",
                path=redact(url),
                hint="check the URL (postgresql://user:password@host:5432/db), "
                "that the server runs and that it accepts this user",
            ) from e

    def tables(self) -> list[tuple[str, str]]:
        with self.con.cursor() as cur:
            return [(s, t) for s, t in cur.execute(_LIST_TABLES).fetchall()]

    def fetch(self, sql: str) -> pa.Table:
        with self.con.cursor() as cur:
            # As bytes: psycopg's type hints take only literal strings for SQL text.
            cur.execute(sql.encode())
            if cur.description is None:
                raise ValueError("the statement returns no rows (is it a SELECT?)")
            names = [d.name for d in cur.description]
            rows = cur.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
        return pa.table([_to_arrow(list(c)) for c in columns], names=names)

    def close(self) -> None:
        self.con.close()


def _to_arrow(values: list[Any]) -> pa.Array:
    """One column; types Arrow does not know (UUID, NaN numerics) become text."""
    try:
        return pa.array(values)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return pa.array([None if v is None else str(v) for v in values], pa.string())
