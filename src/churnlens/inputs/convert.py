"""Validation, step one: the source's values in canonical types.

Every value is first taken as text, trimmed, with the usual spellings of "no
value" in date and number columns made missing. Typed source values (Parquet,
databases) are taken in their exact text form, so they meet the same rules as CSV
text. Text work is Arrow compute; the casts that must not fail on bad input
(``TRY_CAST``) are one DuckDB query for all columns. A value that cannot be read
becomes missing, and a ``Problem`` that names it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from churnlens.errors import SchemaError
from churnlens.inputs._sql import ident, select_in_order
from churnlens.inputs.columns import ColumnPlan
from churnlens.inputs.problems import Problem, said
from churnlens.inputs.raw import LINE, RawData
from churnlens.inputs.timestamps import EARLIEST, LATEST, LOCAL, localize, zoned_parts
from churnlens.schema import Column

__all__ = ["ARROW_TYPES", "Typed", "convert", "mask"]

ARROW_TYPES = {
    "string": pa.string(),
    "timestamp": pa.timestamp("us"),
    "number": pa.float64(),
    "integer": pa.int64(),
}

# Text that means "no value" in a date or number column (exports from SQL, pandas
# and spreadsheets); in a text column only the empty string does ("NA" is Namibia).
_MISSING = ("null", "none", "na", "n/a", "nan", "nat")
MISSING_MARKERS = pa.array(
    sorted({f(m) for m in _MISSING for f in (str.lower, str.upper, str.capitalize)})
    + ["NaN", "NaT"]
)
_NOT_A_DATE = (
    "' is not a date (expected ISO 8601 such as 2024-03-01 or "
    "2024-03-01T10:00:00+02:00)"
)
_IMPLAUSIBLE = (
    f"' is outside the years {EARLIEST.year}-{LATEST.year - 1} "
    "(a placeholder date? leave it empty)"
)


@dataclass(frozen=True)
class Typed:
    """The rows in canonical types: ``table`` holds ``__line``, each canonical
    column and the extras (under their output names); ``texts`` the source text
    of each mapped canonical column, for messages; ``unreadable`` the values that
    could not be read, per canonical column."""

    table: pa.Table
    texts: dict[str, pa.ChunkedArray]
    unreadable: dict[str, list[Problem]]


@dataclass(frozen=True)
class _Pending:
    """A typed column between its casts: what to cast, then how to finish."""

    column: Column
    source: str
    shown: str
    text: pa.ChunkedArray  # trimmed source text
    given: pa.ChunkedArray  # text with the "no value" markers made missing
    inputs: dict[str, tuple[pa.ChunkedArray, str]]  # cast name -> (text, SQL type)
    offset: pa.ChunkedArray | None = None  # UTC offsets of zoned timestamps


def convert(
    con: duckdb.DuckDBPyConnection, raw: RawData, plan: ColumnPlan, tz: str
) -> Typed:
    """Type every canonical column of ``raw`` as ``plan`` maps it."""
    lines = raw.arrow.column(LINE)
    texts: dict[str, pa.ChunkedArray] = {}
    values: dict[str, pa.ChunkedArray | pa.Array] = {}
    pending: list[_Pending] = []
    for column in plan.spec.columns:
        source = plan.sources[column.name]
        if source is None:
            values[column.name] = pa.nulls(raw.n_rows, ARROW_TYPES[column.kind])
            continue
        _check_type(column, source, raw.arrow.schema.field(source).type, raw.label)
        text = _blank_is_null(pc.utf8_trim_whitespace(_as_text(raw.arrow[source])))
        texts[column.name] = values[column.name] = text
        if column.kind != "string":
            shown = plan.shown(column.name)
            pending.append(_prepare(column, source, shown, text))
    parsed = _try_casts(con, lines, pending)
    unreadable = {}
    for item in pending:
        finish = (
            _finish_timestamps if item.column.kind == "timestamp" else _finish_numbers
        )
        values[item.column.name], unreadable[item.column.name] = finish(
            item, parsed, tz
        )
    table = pa.table(
        [lines, *(values[c.name].cast(ARROW_TYPES[c.kind]) for c in plan.spec.columns)],
        names=[LINE, *plan.spec.column_names],
    )
    for name, source in plan.extras:
        table = table.append_column(name, _blank_is_null(_as_text(raw.arrow[source])))
    return Typed(table, texts, unreadable)


def mask(condition: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A boolean condition as a numpy mask; null counts as false."""
    return np.asarray(pc.fill_null(condition, False).to_numpy(zero_copy_only=False))


def _prepare(
    column: Column, source: str, shown: str, text: pa.ChunkedArray
) -> _Pending:
    given = pc.if_else(pc.is_in(text, MISSING_MARKERS), None, text)
    name = column.name
    if column.kind == "number":
        return _Pending(column, source, shown, text, given, {name: (given, "DOUBLE")})
    if column.kind == "integer":
        whole = pc.match_substring_regex(given, r"^[+-]?[0-9]+$")
        inputs = {
            name: (given, "DOUBLE"),
            f"{name}__whole": (pc.if_else(whole, given, None), "BIGINT"),
        }
        return _Pending(column, source, shown, text, given, inputs)
    is_local = pc.fill_null(pc.match_substring_regex(given, LOCAL), False)
    others = pc.and_(pc.is_valid(given), pc.invert(is_local))
    if not pc.any(others).as_py():  # the usual case: no offsets, nothing bad
        return _Pending(
            column, source, shown, text, given, {name: (given, "TIMESTAMP")}
        )
    zoned, offset = zoned_parts(pc.if_else(others, given, None))
    inputs = {
        name: (pc.if_else(is_local, given, None), "TIMESTAMP"),
        f"{name}__zoned": (zoned, "TIMESTAMP"),
    }
    return _Pending(column, source, shown, text, given, inputs, offset)


def _try_casts(
    con: duckdb.DuckDBPyConnection, lines: pa.ChunkedArray, pending: list[_Pending]
) -> dict[str, pa.ChunkedArray]:
    """Every cast of every column in one DuckDB query: NULL where a text is not
    a valid value of the type (2024-02-30, 1.2.3), never an error."""
    inputs = {k: v for item in pending for k, v in item.inputs.items()}
    if not inputs:
        return {}
    table = pa.table({LINE: lines, **{k: text for k, (text, _) in inputs.items()}})
    items = [
        f"TRY_CAST({ident(k)} AS {t}) AS {ident(k)}" for k, (_, t) in inputs.items()
    ]
    found = select_in_order(con, table, items)
    return {k: found.column(k) for k in inputs}


def _finish_numbers(
    item: _Pending, parsed: dict[str, pa.ChunkedArray], tz: str
) -> tuple[pa.ChunkedArray, list[Problem]]:
    name = item.column.name
    number = parsed[name]
    finite = pc.is_finite(number)
    value = pc.if_else(finite, number, None)
    unparsed = mask(pc.and_(pc.is_valid(item.given), pc.is_null(number)))
    comma = mask(pc.match_substring(item.given, ","))
    problems = [
        _problem(item, unparsed & ~comma, "' is not a number"),
        _problem(
            item,
            unparsed & comma,
            "' is not a number (write decimals with a dot, and no thousands separator)",
        ),
        _problem(item, mask(pc.invert(finite)), "' is not a finite number"),
    ]
    if item.column.kind == "integer":
        whole = pc.and_(
            pc.equal(number, pc.floor(number)), pc.less(pc.abs(number), 1e15)
        )
        from_number = pc.if_else(pc.and_(finite, whole), number, None).cast(pa.int64())
        value = pc.coalesce(parsed[f"{name}__whole"], from_number)
        fraction = mask(pc.and_(finite, pc.is_null(value)))
        problems.append(_problem(item, fraction, "' is not a whole number"))
    return value, problems


def _finish_timestamps(
    item: _Pending, parsed: dict[str, pa.ChunkedArray], tz: str
) -> tuple[pa.ChunkedArray, list[Problem]]:
    name = item.column.name
    local = parsed[name]
    zoned = None
    if item.offset is not None:
        zoned = pc.subtract(parsed[f"{name}__zoned"], item.offset)
    found = local if zoned is None else pc.coalesce(zoned, local)
    implausible = pc.or_(
        pc.less(found, pa.scalar(EARLIEST, local.type)),
        pc.greater_equal(found, pa.scalar(LATEST, local.type)),
    )
    # Implausible values go before localizing: far-off years cannot be converted.
    local = pc.if_else(implausible, None, local)
    value = localize(local, tz)
    if zoned is not None:
        value = pc.coalesce(pc.if_else(implausible, None, zoned), value)
    unreadable = mask(pc.and_(pc.is_valid(item.given), pc.is_null(found)))
    problems = [
        _problem(item, unreadable, _NOT_A_DATE),
        _problem(item, mask(implausible), _IMPLAUSIBLE),
    ]
    return value, problems


def _problem(item: _Pending, rows: np.ndarray, what: str) -> Problem:
    describe = said(f"{item.shown} '", item.text, what)
    return Problem(item.source, rows, describe, item.text)


def _as_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Any column as text; typed values in their ISO or plain decimal form."""
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if pa.types.is_timestamp(values.type) and values.type.tz is not None:
        values = values.cast(pa.timestamp(values.type.unit, tz="UTC"))  # text ends Z
    try:
        text = values.cast(pa.string())
    except pa.ArrowNotImplementedError:  # nested values: as DuckDB prints them
        return _duckdb_text(values)
    if pa.types.is_timestamp(values.type):  # 10:00:00.000000 reads as 10:00:00
        text = pc.replace_substring_regex(text, r"\.0+(Z|[+-]\d+)?$", r"\1")
    return text


def _duckdb_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    con = duckdb.connect()
    try:
        lines = pa.array(np.arange(len(values), dtype=np.int64))
        table = pa.table({LINE: lines, "v": values})
        return select_in_order(con, table, ["CAST(v AS VARCHAR) AS v"])["v"]
    finally:
        con.close()


def _blank_is_null(text: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(pc.binary_length(text), 0), None, text)


def _check_type(column: Column, source: str, kind: pa.DataType, label: str) -> None:
    """Typed sources must hold the right kind of value; text always may."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    if column.kind == "string" or text or pa.types.is_null(kind):
        return
    if column.kind == "timestamp":
        ok = pa.types.is_timestamp(kind) or pa.types.is_date(kind)
        expected = "dates or timestamps"
    else:
        numeric = (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal)
        ok = any(is_kind(kind) for is_kind in numeric)
        expected = "numbers"
    if not ok:
        raise SchemaError(
            f"the column '{source}' holds values of type {kind}, but "
            f"{column.name} needs {expected}",
            path=label,
            column=source,
            hint=f"convert it to {expected} (or ISO 8601 text) in the source, or "
            f"map another column: --map {column.name}=<column>",
        )
