"""CSV (and TSV, semicolon- or pipe-separated) files into ``RawData``.

The fast path parses with Arrow's multi-threaded reader and takes line numbers
from ``lines.index_records``; both must agree on every record (count and, when
quoted fields hold newlines, each record's line span), else the file is read again
with Python's ``csv`` module, which is exact but slower. Rows with the wrong number
of fields also take the exact path, which keeps them as malformed rows.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from churnlens.errors import InputError
from churnlens.inputs.lines import RecordIndex, index_records
from churnlens.inputs.raw import (
    LINE,
    MALFORMED,
    RECORD,
    RawData,
    check_not_utf16,
    hash_file,
    raise_bad_utf8,
    unique_names,
    with_lines,
)

__all__ = ["DELIMITERS", "read_delimited", "sniff_delimiter"]

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE = 1 << 16
_BATCH = 1 << 16
_BLOCK = 1 << 24


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the sample's first rows most consistently."""
    lines = sample.splitlines(keepends=True)
    if len(sample) >= _SAMPLE and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    text = "".join(lines[:200])
    best, best_score = ",", (False, 0.0, 0)
    for delimiter in DELIMITERS:
        rows = _sample_rows(text, delimiter)
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (width > 1, consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _sample_rows(text: str, delimiter: str) -> list[list[str]]:
    """The sample's rows, up to any that cannot be split (the sample may end
    inside a quoted field)."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    with contextlib.suppress(csv.Error):
        rows.extend(r for r in reader if r)
    return rows


def read_delimited(path: Path) -> RawData:
    """Read a delimited text file; every value stays text."""
    with path.open("rb") as f:
        head = f.read(_SAMPLE)
    check_not_utf16(path, head)
    delimiter = sniff_delimiter(head.decode("utf-8-sig", errors="replace"))
    index = index_records(path)
    header = _header(path, index, delimiter) if index.n else []
    if not header:
        raise InputError(
            "the file is empty: no header line with column names",
            path=path,
            hint="export the table again with a header row (e.g. "
            "customer_id,started_at,ended_at) followed by one row per record",
        )
    if index.n == 1:
        raise InputError(
            "the file has a header but no data rows",
            path=path,
            line=int(index.lines[0]),
            hint="check the export: only the column names were written",
        )
    table = _read_fast(path, delimiter, header, index)
    if table is None:
        table = _read_exact(path, delimiter, header)
    return RawData(table, str(path), "line", path.name, lambda: hash_file(path))


def _header(path: Path, index: RecordIndex, delimiter: str) -> list[str]:
    """The column names; none when the first line is blank but for a BOM."""
    with path.open("rb") as f:
        f.seek(int(index.starts[0]))
        raw = f.read(int(index.stops[0] - index.starts[0]))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise_bad_utf8(path)
    if not text.strip():
        return []
    names = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    return unique_names(path, [n.strip() for n in names])


def _read_fast(
    path: Path, delimiter: str, header: list[str], index: RecordIndex
) -> pa.Table | None:
    invalid: list[int] = []

    def on_invalid(row: object) -> str:
        invalid.append(1)
        return "skip"

    try:
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(
                column_names=header, skip_rows=1, block_size=_BLOCK
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=index.quoted_newlines,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as e:
        if "utf8" in str(e).lower() or "utf-8" in str(e).lower():
            raise_bad_utf8(path)
        return None  # the exact reader reports the problem with its line
    if invalid or not _aligned(table, index):
        return None
    return with_lines(table, index.lines[1:])


def _aligned(table: pa.Table, index: RecordIndex) -> bool:
    if table.num_rows != index.n - 1:
        return False
    if not index.quoted_newlines:
        return True
    embedded = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        counts = pc.count_substring(column, "\n").to_numpy(zero_copy_only=False)
        embedded += counts.astype(np.int64)
    return bool(np.array_equal(embedded + 1, index.spans[1:]))


def _read_exact(path: Path, delimiter: str, header: list[str]) -> pa.Table:
    rows = _Rows(header)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, delimiter=delimiter)
            before, seen_header = 0, False
            for row in reader:
                start, before = before + 1, reader.line_num
                if not row:
                    continue
                if not seen_header:
                    seen_header = True
                    continue
                rows.add(row, start)
    except UnicodeDecodeError:
        raise_bad_utf8(path)
    except csv.Error as e:
        raise InputError(
            f"cannot split the file into fields: {e}",
            path=path,
            line=reader.line_num,
            hint="check the quoting around that line",
        ) from e
    return rows.table()


class _Rows:
    """Rows of the exact reader, gathered into Arrow batches of bounded size."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.batches: list[pa.RecordBatch] = []
        self._clear()

    def _clear(self) -> None:
        self.values: list[list[str | None]] = []
        self.lines: list[int] = []
        self.malformed: list[str | None] = []
        self.records: list[str | None] = []

    def add(self, row: list[str], line: int) -> None:
        width = len(self.header)
        self.lines.append(line)
        if len(row) == width:
            self.values.append(list(row))
            self.malformed.append(None)
            self.records.append(None)
        else:
            self.values.append(_fit(row, width))
            self.malformed.append(
                f"the row has {len(row)} fields where the header has {width} "
                "(a delimiter or quote inside an unquoted value?)"
            )
            self.records.append(_record(self.header, row))
        if len(self.values) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        width = len(self.header)
        columns = [
            pa.array([r[i] for r in self.values], type=pa.string())
            for i in range(width)
        ]
        arrays = [
            *columns,
            pa.array(self.lines, type=pa.int64()),
            pa.array(self.malformed, type=pa.string()),
            pa.array(self.records, type=pa.string()),
        ]
        names = [*self.header, LINE, MALFORMED, RECORD]
        self.batches.append(pa.RecordBatch.from_arrays(arrays, names=names))
        self._clear()

    def table(self) -> pa.Table:
        self._flush()
        return pa.Table.from_batches(self.batches)


def _fit(row: list[str], width: int) -> list[str | None]:
    fitted: list[str | None] = list(row[:width])
    fitted.extend([None] * (width - len(fitted)))
    return fitted


def _record(header: list[str], row: list[str]) -> str:
    """The whole row as JSON; fields past the header are named by position."""
    record: dict[str, str | None] = dict.fromkeys(header)
    for i, value in enumerate(row):
        name = header[i] if i < len(header) else f"field_{i + 1}"
        record[name] = value
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
