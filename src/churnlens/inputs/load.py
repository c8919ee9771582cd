"""Load validated sources into the store, all or nothing.

``read_table`` validates each source on its own; this module adds the checks that
need the store (a key already stored, a ticket of an unknown customer), writes
accepted rows and the quarantine in one DuckDB transaction, and rebuilds the
derived spells. A source whose content was ingested before is skipped, so running
the same ingest twice adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from churnlens.errors import ConfigError, InputError, RejectedRowsError, SchemaError
from churnlens.inputs import (
    QUARANTINE_SCHEMA,
    ReadResult,
    read_table,
    rejected_by_column,
)
from churnlens.inputs._sql import ident, lit, unique_name
from churnlens.inputs.presets import Preset, preset_named
from churnlens.schema import TABLES, table_spec
from churnlens.store import DEFAULT_STORE, INGESTS, QUARANTINE, Store

__all__ = ["IngestReport", "SourceReport", "ingest"]

# Customers and subscriptions first: tickets and activity are checked against them.
_LOAD_ORDER = ("customers", "subscriptions", "tickets", "activity")
_INGEST_ID, _LINE = "_ingest_id", "_line"
# Each incoming row's position among the accepted rows: finds its raw record.
_POS = "_churnlens_position"


@dataclass(frozen=True)
class SourceReport:
    """What happened to one source."""

    source: str
    table: str
    n_read: int
    n_accepted: int
    n_rejected: int
    skipped: bool = False
    quarantine: Path | None = None
    # rejected rows per column at fault ("row" when no single column is)
    rejected_by_column: Mapping[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.skipped:
            return (
                f"{self.source} ({self.table}): already ingested with the same "
                "content; nothing added"
            )
        text = (
            f"{self.source} ({self.table}): read {self.n_read:,}, accepted "
            f"{self.n_accepted:,}, rejected {self.n_rejected:,}"
        )
        if self.n_rejected:
            parts = ", ".join(f"{c} {n:,}" for c, n in self.rejected_by_column.items())
            text += f" ({parts}); rejected rows: {self.quarantine}"
        return text


@dataclass(frozen=True)
class IngestReport:
    """The outcome of one ``ingest`` call; read = accepted + rejected."""

    store: Path
    sources: tuple[SourceReport, ...]

    @property
    def n_read(self) -> int:
        return sum(s.n_read for s in self.sources if not s.skipped)

    @property
    def n_accepted(self) -> int:
        return sum(s.n_accepted for s in self.sources if not s.skipped)

    @property
    def n_rejected(self) -> int:
        return sum(s.n_rejected for s in self.sources if not s.skipped)

    def __str__(self) -> str:
        lines = [str(s) for s in self.sources]
        lines.append(
            f"Total: read {self.n_read:,} = accepted {self.n_accepted:,} + "
            f"rejected {self.n_rejected:,}; store {self.store}"
        )
        return "\n".join(lines)


def ingest(
    sources: str | Path | Iterable[str | Path],
    db: str | Path = DEFAULT_STORE,
    *,
    table: str | None = None,
    mapping: Mapping[str, str] | Mapping[str, Mapping[str, str]] | None = None,
    tz: str = "UTC",
    strict: bool = False,
    replace: bool = False,
    quarantine_dir: str | Path | None = None,
    query: str | None = None,
    source_table: str | None = None,
    preset: str | Preset | None = None,
) -> IngestReport:
    """Validate ``sources`` and load them into the store ``db`` in one transaction.

    ``mapping`` maps canonical column names to the source's names, either for all
    sources (``{"started_at": "start_date"}``) or per table
    (``{"subscriptions": {"started_at": "start_date"}}``). With ``replace`` the
    tables the sources feed are emptied first (their earlier rows and history go);
    otherwise rows are added and a key already in the store is rejected. With
    ``strict`` any rejected row aborts the whole ingest and the store is unchanged.
    Rejected rows are written to ``quarantine_dir`` (default: a ``quarantine``
    folder next to the store), one CSV per source, and kept in the store.
    ``preset`` reads helpdesk ticket exports ("zendesk", "freshdesk",
    "liveagent") with no mapping by hand.
    """
    paths = [sources] if isinstance(sources, str | Path) else list(sources)
    if not paths:
        raise ConfigError("no source to ingest", hint="name one or more files")
    if table is not None:
        table_spec(table)
    results = [
        read_table(
            p,
            table=table,
            mapping=_mapping_for(
                mapping, p, table or (preset_named(preset).table if preset else None)
            ),
            tz=tz,
            query=query,
            source_table=source_table,
            preset=preset,
        )
        for p in paths
    ]
    results.sort(key=lambda r: _LOAD_ORDER.index(r.table))
    db = Path(db)
    quarantine_dir = (
        Path(quarantine_dir) if quarantine_dir else db.parent / "quarantine"
    )

    _check_writable(quarantine_dir)

    created = not db.exists()
    store = Store.open(db)
    try:
        con = store.con
        con.begin()
        try:
            loader = _Loader(
                store,
                strict=strict,
                replace=replace,
                quarantine_dir=quarantine_dir,
                settings=_settings(tz),
            )
            reports = [loader.add(r) for r in results]
            if loader.changed_subscriptions:
                store.refresh_derived()
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except BaseException:
        store.close()
        if created:  # a failed first ingest leaves no empty store behind
            for leftover in (db, db.with_name(db.name + ".wal")):
                leftover.unlink(missing_ok=True)
        raise
    store.close()
    # Written after the commit: a quarantine file never describes rows of an
    # ingest that did not happen. The store keeps the same rows in any case.
    for report, rejected in zip(reports, loader.rejected, strict=True):
        if report.quarantine is not None and rejected is not None:
            _write_quarantine(report.quarantine, rejected)
    return IngestReport(db, tuple(reports))


class _Loader:
    """Adds results to the store inside the caller's transaction."""

    def __init__(
        self,
        store: Store,
        *,
        strict: bool,
        replace: bool,
        quarantine_dir: Path,
        settings: dict[str, Any],
    ) -> None:
        self.store = store
        self.quarantine_dir = quarantine_dir
        self.settings = settings
        self.strict = strict
        self.replace = replace
        self.replaced: set[str] = set()
        self.changed_subscriptions = False
        self.rejected: list[pa.Table | None] = []

    def add(self, result: ReadResult) -> SourceReport:
        con = self.store.con
        name = result.table
        if self.replace and name not in self.replaced:
            self._empty(name)
        elif self._seen(result):
            self.rejected.append(None)
            return SourceReport(result.label, name, result.n_read, 0, 0, skipped=True)

        _check_reserved(result)
        incoming = result.accepted.append_column(
            _LINE, result.accepted_lines
        ).append_column(_POS, pa.array(np.arange(result.n_accepted, dtype=np.int64)))
        view = unique_name("incoming")
        con.register(view, incoming)
        try:
            extra = self._store_rejections(result, view)
            rejected = _concat_rejected(result.rejected, extra)
            n_accepted = result.n_accepted - extra.num_rows
            if n_accepted + rejected.num_rows != result.n_read:
                raise AssertionError(  # pragma: no cover - a bug, never user input
                    f"{result.label}: read {result.n_read} != accepted {n_accepted} "
                    f"+ rejected {rejected.num_rows}"
                )
            if self.strict and rejected.num_rows:
                raise _strict_error(result, rejected)
            ingest_id = self._record(result, n_accepted, rejected.num_rows)
            bad_lines = pa.array(extra.column("line"), type=pa.int64())
            columns = [*result.accepted.column_names, _LINE]
            self._insert(name, view, columns, ingest_id, bad_lines)
            self._quarantine(ingest_id, name, rejected)
        finally:
            con.unregister(view)
        if name == "subscriptions":
            self.changed_subscriptions = True
        self.rejected.append(rejected)
        return SourceReport(
            result.label,
            name,
            result.n_read,
            n_accepted,
            rejected.num_rows,
            quarantine=(
                self.quarantine_dir / _quarantine_name(ingest_id, result.label)
                if rejected.num_rows
                else None
            ),
            rejected_by_column=rejected_by_column(rejected),
        )

    # -- checks against the store ------------------------------------------------

    def _seen(self, result: ReadResult) -> bool:
        """Whether this content was ingested before, with the same settings."""
        row = self.store.con.execute(
            f"SELECT settings, source FROM {INGESTS} "
            "WHERE table_name = ? AND content_hash = ? ORDER BY ingest_id DESC",
            [result.table, result.content_hash],
        ).fetchone()
        if row is None:
            return False
        now = self._settings_of(result)
        if row[0] == now:
            return True
        raise InputError(
            f"this content was ingested before (as {row[1]}) with another column "
            f"mapping or time zone ({_describe(row[0])}; now {_describe(now)}); "
            "loading it again would add its rows twice",
            path=result.label,
            hint="to reload the table with the new settings, ingest all its files "
            "again with --replace",
        )

    def _settings_of(self, result: ReadResult) -> str:
        """How the content was read: the same bytes read otherwise are new data."""
        return json.dumps(
            {**self.settings, "mapping": dict(sorted(result.mapping.items()))},
            sort_keys=True,
        )

    def _store_rejections(self, result: ReadResult, view: str) -> pa.Table:
        """Rows the store refuses: a key it already holds, an unknown customer."""
        spec = TABLES[result.table]
        parts = []
        if spec.key and self.store.has_table(spec.name):
            parts.append(self._duplicate_keys(result, view, spec.key))
        if spec.references_customers:
            parts.append(self._unknown_customers(result, view))
        found = [p for p in parts if p.num_rows]
        if not found:
            return QUARANTINE_SCHEMA.empty_table()
        merged = pa.concat_tables(found).sort_by([("line", "ascending")])
        # A row with both problems is one rejected record: keep its first reason.
        lines = merged.column("line").to_numpy()
        first = np.ones(len(lines), dtype=bool)
        first[1:] = lines[1:] != lines[:-1]
        return merged.filter(pa.array(first))

    def _duplicate_keys(self, result: ReadResult, view: str, key: str) -> pa.Table:
        k, table = ident(key), ident(result.table)
        return self._rejections(
            result,
            view,
            key,
            f"'duplicate {key} ''' || i.{k} || ''': already in the store (from ' "
            f"|| g.source || ' line ' || s.{_LINE} || ')'",
            f"JOIN {table} s ON s.{k} = i.{k} JOIN {INGESTS} g "
            f"ON g.ingest_id = s.{_INGEST_ID}",
            value=f"i.{k}",
        )

    def _unknown_customers(self, result: ReadResult, view: str) -> pa.Table:
        known = [t for t in ("customers", "subscriptions") if self.store.has_table(t)]
        if not known:
            raise InputError(
                f"{result.table} rows name customers, but the store has no "
                "customers or subscriptions yet to check them against",
                path=result.label,
                column="customer_id",
                hint="ingest customers.csv or subscriptions.csv first, or in the "
                "same command",
            )
        ids = " UNION ".join(f"SELECT customer_id FROM {ident(t)}" for t in known)
        return self._rejections(
            result,
            view,
            "customer_id",
            "'unknown customer ''' || i.customer_id || ''': not in the stored "
            f"{' or '.join(known)}'",
            f"ANTI JOIN ({ids}) k ON k.customer_id = i.customer_id",
            value="i.customer_id",
        )

    def _rejections(
        self,
        result: ReadResult,
        view: str,
        column: str,
        reason: str,
        join: str,
        *,
        value: str,
    ) -> pa.Table:
        sql = (
            f"SELECT {lit(result.label)} AS source, i.{_LINE} AS line, "
            f"{reason} AS reason, CAST({value} AS VARCHAR) AS value, "
            f"i.{_POS} AS position FROM {view} i {join} ORDER BY i.{_LINE}"
        )
        found = self.store.con.execute(sql).arrow()
        if isinstance(found, pa.RecordBatchReader):  # DuckDB >= 1.4 streams
            found = found.read_all()
        # The quarantine speaks the user's language: their column name and row.
        positions = found.column("position").to_numpy()
        name = result.source_column(column)
        return pa.table(
            {
                "source": found.column("source"),
                "line": found.column("line"),
                "column": pa.array([name] * found.num_rows, pa.string()),
                "reason": found.column("reason"),
                "value": found.column("value"),
                "record": result.raw_records(positions),
            }
        ).cast(QUARANTINE_SCHEMA)

    # -- writes ------------------------------------------------------------------

    def _empty(self, name: str) -> None:
        con = self.store.con
        if self.store.has_table(name):
            con.execute(f"DROP TABLE {ident(name)}")
        con.execute(f"DELETE FROM {QUARANTINE} WHERE table_name = ?", [name])
        con.execute(f"DELETE FROM {INGESTS} WHERE table_name = ?", [name])
        self.replaced.add(name)
        if name == "subscriptions":
            self.changed_subscriptions = True

    def _record(self, result: ReadResult, n_accepted: int, n_rejected: int) -> int:
        con = self.store.con
        row = con.execute(f"SELECT coalesce(max(ingest_id), 0) + 1 FROM {INGESTS}")
        ingest_id = int(row.fetchone()[0])  # type: ignore[index]
        con.execute(
            f"INSERT INTO {INGESTS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                ingest_id,
                result.table,
                result.label,
                result.content_hash,
                self._settings_of(result),
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                result.n_read,
                n_accepted,
                n_rejected,
            ],
        )
        return ingest_id

    def _insert(
        self,
        name: str,
        view: str,
        columns: list[str],
        ingest_id: int,
        bad_lines: pa.Array,
    ) -> None:
        con = self.store.con
        select = ", ".join(ident(c) for c in columns)
        if not self.store.has_table(name):
            con.execute(
                f"CREATE TABLE {ident(name)} AS SELECT {select}, "
                f"CAST(NULL AS BIGINT) AS {_INGEST_ID} FROM {view} LIMIT 0"
            )
        else:
            self._add_missing_columns(name, view)
        skip = ""
        if len(bad_lines):
            bad = unique_name("bad_lines")
            con.register(bad, pa.table({"line": bad_lines}))
            skip = f"WHERE {_LINE} NOT IN (SELECT line FROM {bad})"
        con.execute(
            f"INSERT INTO {ident(name)} BY NAME SELECT {select}, "
            f"CAST({ingest_id} AS BIGINT) AS {_INGEST_ID} FROM {view} {skip}"
        )
        if len(bad_lines):
            con.unregister(bad)

    def _add_missing_columns(self, name: str, view: str) -> None:
        """A later file may bring new attribute columns; older rows get nulls."""
        con = self.store.con
        have = {
            c.lower() for c in con.sql(f"SELECT * FROM {ident(name)} LIMIT 0").columns
        }
        described = con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
        for column, kind, *_ in described:
            if column.lower() not in have and column != _POS:
                con.execute(
                    f"ALTER TABLE {ident(name)} ADD COLUMN {ident(column)} {kind}"
                )

    def _quarantine(self, ingest_id: int, name: str, rejected: pa.Table) -> None:
        if not rejected.num_rows:
            return
        con = self.store.con
        view = unique_name("rejected")
        con.register(view, rejected)
        try:
            con.execute(
                f"INSERT INTO {QUARANTINE} SELECT {ingest_id}, {lit(name)}, source, "
                f'line, "column", reason, value, record FROM {view}'
            )
        finally:
            con.unregister(view)


def _mapping_for(
    mapping: Mapping[str, str] | Mapping[str, Mapping[str, str]] | None,
    source: str | Path,
    table: str | None,
) -> Mapping[str, str] | None:
    """The canonical -> source mapping that applies to ``source``."""
    if not mapping:
        return None
    if all(isinstance(v, str) for v in mapping.values()):
        return mapping  # type: ignore[return-value]
    per_table: Mapping[str, Mapping[str, str]] = mapping  # type: ignore[assignment]
    for name in per_table:
        table_spec(name)
    if table is not None:
        return per_table.get(table)
    from churnlens.inputs import guess_table

    try:
        guessed = guess_table(source, ())
    except ConfigError:
        return None
    return per_table.get(guessed)


def _concat_rejected(own: pa.Table, extra: pa.Table) -> pa.Table:
    own = own.cast(QUARANTINE_SCHEMA)
    if not extra.num_rows:
        return own
    joined = pa.concat_tables([own, extra.cast(QUARANTINE_SCHEMA)])
    return joined.sort_by([("line", "ascending")])


def _strict_error(result: ReadResult, rejected: pa.Table) -> RejectedRowsError:
    first = rejected.slice(0, 1).to_pylist()[0]
    more = rejected.num_rows - 1
    return RejectedRowsError(
        f"{first['reason']}"
        + (f" (and {more:,} more rejected rows)" if more else "")
        + "; --strict makes any rejected row fatal, so nothing was ingested",
        path=result.label,
        line=first["line"],
        column=first["column"],
        hint="fix the file, or ingest without --strict to keep the good rows and "
        "quarantine the rest",
    )


def _quarantine_name(ingest_id: int, source: str) -> str:
    name = Path(source.split("?")[0]).name or "source"
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    # Numbered by ingest: two files of the same name never share one quarantine.
    return f"{ingest_id:04d}-{safe}.rejected.csv"


def _write_quarantine(path: Path | None, rejected: pa.Table) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(QUARANTINE_SCHEMA.names)
        for row in rejected.to_pylist():
            writer.writerow(
                ["" if row[c] is None else row[c] for c in QUARANTINE_SCHEMA.names]
            )
    tmp.replace(path)


def _settings(tz: str) -> dict[str, Any]:
    return {"tz": tz}


def _describe(settings: str) -> str:
    values = json.loads(settings)
    mapping = ", ".join(f"{k}={v}" for k, v in values.get("mapping", {}).items())
    return f"tz {values.get('tz')}, mapping {mapping or 'none'}"


def _check_reserved(result: ReadResult) -> None:
    for name in result.accepted.column_names:
        if name.lower() in (_INGEST_ID, _LINE):
            raise SchemaError(
                f"the column '{name}' has a name the store uses for each row's origin",
                path=result.label,
                column=name,
                hint="rename it, or (reading a table) select the other columns "
                "with --query",
            )


def _check_writable(folder: Path) -> None:
    """Fail before storing anything if rejected rows could not be written (the
    folder itself is only made when there are some)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(
            f"the quarantine folder {folder} cannot be made: {existing} is a file",
            hint="give --quarantine a folder (it is created if missing)",
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(
            f"cannot write to the quarantine folder {folder}",
            hint="give --quarantine a folder you can write to",
        )
