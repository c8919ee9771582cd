"""JSON Lines files (one JSON object per line) into ``RawData``.

Lines are cut with ``lines.index_lines`` straight from the bytes (a newline always
ends a JSON Lines record) and parsed by DuckDB, all at once. A line that is not a
JSON object becomes a malformed row; values are kept as text (nested values as
their JSON text), so every reader hands validation the same kind of input.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from churnlens.errors import InputError, SchemaError
from churnlens.inputs._sql import ident, lit
from churnlens.inputs.lines import RecordIndex, index_lines
from churnlens.inputs.raw import (
    LINE,
    MALFORMED,
    RECORD,
    RawData,
    check_not_utf16,
    hash_file,
    raise_bad_utf8,
    unique_names,
)

__all__ = ["read_json_lines"]

# Each line's text runs to the next record, so it ends with newlines (and blank lines).
_LINE_END = " \t\r\n"


def read_json_lines(path: Path) -> RawData:
    """Read a JSON Lines file; every value becomes text."""
    with path.open("rb") as f:
        check_not_utf16(path, f.read(64))
    index = index_lines(path)
    if index.n == 0:
        raise InputError(
            "the file is empty: no JSON objects",
            path=path,
            hint="write one JSON object per line, e.g. "
            '{"customer_id": "C1", "started_at": "2024-03-01"}',
        )
    lines = _line_array(path, index)
    con = duckdb.connect()
    try:
        con.register("lines", pa.table({LINE: pa.array(index.lines), "t": lines}))
        con.execute(
            "CREATE TEMP TABLE j AS SELECT *, CASE WHEN json_valid(t) "
            "THEN json_type(t) = 'OBJECT' ELSE false END AS ok FROM lines"
        )
        _check_json_lines(con, path)
        keys = unique_names(path, _keys(con, path))
        table = con.sql(_extract_sql(keys)).to_arrow_table()
    finally:
        con.close()
    return RawData(table, str(path), "line", path.name, lambda: hash_file(path))


def _line_array(path: Path, index: RecordIndex) -> pa.Array:
    data = np.memmap(path, dtype=np.uint8, mode="r")
    offsets = np.append(index.starts, data.size).astype(np.int64)
    if index.starts[0] == 0 and bytes(data[:3]) == codecs.BOM_UTF8:
        offsets[0] = 3
    array = pa.LargeStringArray.from_buffers(
        index.n, pa.py_buffer(offsets), pa.py_buffer(data)
    )
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:
        raise_bad_utf8(path)
    return array


def _check_json_lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A file with no JSON object on a line of its own, or one whose first line
    opens a JSON document spread over lines (a JSON array, pretty-printed JSON),
    is not JSON Lines; rejecting each of its lines would only hide that."""
    found = con.execute(
        f"SELECT count(*) FILTER (WHERE ok), arg_min({LINE}, {LINE}), "
        f"arg_min(trim(t, {lit(_LINE_END)}), {LINE}), arg_min(json_valid(t), {LINE}) "
        "FROM j"
    ).fetchone()
    assert found is not None  # an aggregate always has a row
    n_objects, first, text, valid = found
    spread = not valid and (text == "{" or text.startswith("["))
    if n_objects and not spread:
        return
    if text.startswith("["):
        what = "starts a JSON array"
    elif spread:
        what = "starts a JSON object spread over several lines"
    else:
        what = f"is not a JSON object: {text[:60]}"
    raise InputError(
        f"the file is not JSON Lines (one JSON object per line): its first line {what}",
        path=path,
        line=first,
        hint="write one JSON object per line, e.g. "
        '{"customer_id": "C1", "started_at": "2024-03-01"}; a JSON array '
        "converts with: jq -c '.[]' data.json > data.jsonl",
    )


def _keys(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    rows = con.execute(
        "SELECT k FROM (SELECT __line, unnest(json_keys(t)) AS k, "
        "generate_subscripts(json_keys(t), 1) AS i FROM j WHERE ok) "
        "GROUP BY k ORDER BY min(__line), min(i)"
    ).fetchall()
    keys = [r[0] for r in rows]
    for key in keys:
        if '"' in key or not key:
            raise SchemaError(
                f"the key {key!r} cannot be a column name",
                path=path,
                hint="rename the key (no double quotes, not empty)",
            )
    return keys


def _extract_sql(keys: list[str]) -> str:
    paths = ", ".join(lit(f'$."{k}"') for k in keys)
    values = [
        f"CASE WHEN ok THEN v[{i}] END AS {ident(k)}" for i, k in enumerate(keys, 1)
    ]
    text = f"rtrim(t, {lit(_LINE_END)})"
    malformed = (
        "CASE WHEN NOT ok THEN 'the line is not a JSON object: ' || "
        f"left(trim({text}), 60) END AS {MALFORMED}"
    )
    # The line itself, so the quarantine loses nothing of it.
    record = f"CASE WHEN NOT ok THEN json_object('line_text', {text}) END AS {RECORD}"
    extract = f"json_extract_string(t, [{paths}])" if keys else "NULL"
    return (
        f"SELECT {', '.join([*values, LINE, malformed, record])} FROM "
        f"(SELECT *, CASE WHEN ok THEN {extract} END AS v FROM j) ORDER BY {LINE}"
    )
