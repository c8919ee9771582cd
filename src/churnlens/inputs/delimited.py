"""CSV (and TSV, semicolon- or pipe-separated) files into ``RawData``.

The fast path parses with Arrow's multi-threaded reader and takes line numbers
from ``lines.index_records``; both must agree on every record (count and, when
quoted fields hold newlines, each record's line span), else the file is read again
by ``records.read_records`` (Python's ``csv`` module), which is exact but slower.
Rows with the wrong number of fields take the exact path, which keeps them as
malformed rows, and so do quotes that do not pair up: a quote opened by mistake
must not swallow the rows after it.

Lines may end in LF, CRLF or, from old Macs, CR alone; a first line ``sep=;``
(which Excel writes on request) declares the delimiter. Line numbers are always
physical lines of the file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from churnlens.errors import InputError
from churnlens.inputs.lines import RecordIndex, index_records
from churnlens.inputs.raw import (
    RawData,
    check_not_utf16,
    hash_file,
    raise_bad_utf8,
    unique_names,
    with_lines,
)
from churnlens.inputs.records import leaves_quote_open, looks_like_rows, read_records

__all__ = ["DELIMITERS", "read_delimited", "sniff_delimiter"]

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE = 1 << 16
_BLOCK = 1 << 24
_SEP_LINE = re.compile(r"sep=([^\"\r\n])[ \t]*(?:\r\n|\r|\n|$)", re.IGNORECASE)
_LINE_END = re.compile(r"\r\n|\r|\n")


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
    sample = head.decode("utf-8-sig", errors="replace")
    declared = _declared_delimiter(sample)
    delimiter = declared or sniff_delimiter(sample)
    newline = "\r" if "\r" in sample and "\n" not in sample else "\n"
    index = index_records(path, delimiter=delimiter, newline=newline)
    at = 1 if declared else 0  # the header's record
    header = _header(path, index, delimiter, at) if index.n > at else []
    if not header:
        raise InputError(
            "the file is empty: no header line with column names",
            path=path,
            hint="export the table again with a header row (e.g. "
            "customer_id,started_at,ended_at) followed by one row per record",
        )
    if index.n == at + 1:
        raise InputError(
            "the file has a header but no data rows",
            path=path,
            line=int(index.lines[at]),
            hint="check the export: only the column names were written",
        )
    table = None
    if _trusted(path, index, delimiter, len(header), at):
        table = _read_fast(path, delimiter, header, index, at)
    if table is None:
        table = read_records(path, delimiter, header, skip=at + 1)
    return RawData(table, str(path), "line", path.name, lambda: hash_file(path))


def _declared_delimiter(sample: str) -> str | None:
    """The delimiter a first line such as ``sep=;`` declares (Excel's way)."""
    found = _SEP_LINE.match(sample)
    if found is None or not found.group(1).isascii():
        return None
    return found.group(1)


def _header(path: Path, index: RecordIndex, delimiter: str, at: int) -> list[str]:
    """The column names, from the first line of record ``at``; none when it is
    blank but for a BOM."""
    with path.open("rb") as f:
        f.seek(int(index.starts[at]))
        raw = f.read(int(index.stops[at] - index.starts[at]))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise_bad_utf8(path)
    line = _LINE_END.split(text, maxsplit=1)[0]
    if not line.strip():
        return []
    if leaves_quote_open(line, delimiter):
        raise InputError(
            "unbalanced double quote in the header: a quoted column name is "
            "never closed",
            path=path,
            line=int(index.lines[at]),
            hint="close the quote or remove it; column names hold no line breaks",
        )
    names = next(csv.reader([line], delimiter=delimiter), [])
    return unique_names(path, [n.strip() for n in names])


def _trusted(
    path: Path, index: RecordIndex, delimiter: str, width: int, at: int
) -> bool:
    """Whether the quotes pair up so that Arrow may read the file: none is left
    open, each closing quote ends its field, the header is one line, and no
    quoted field holds lines that look like rows."""
    if index.open_at_end or index.bad_close or index.spans[at] > 1:
        return False
    if not index.quoted_newlines:
        return True
    long = np.flatnonzero(index.spans[at + 1 :] >= 4) + at + 1
    if long.size == 0:
        return True
    data = np.memmap(path, dtype=np.uint8, mode="r")
    for k in long:
        text = bytes(data[index.starts[k] : index.stops[k]]).decode(errors="replace")
        if looks_like_rows(_LINE_END.split(text), delimiter, width):
            return False
    return True


def _read_fast(
    path: Path, delimiter: str, header: list[str], index: RecordIndex, at: int
) -> pa.Table | None:
    invalid: list[int] = []

    def on_invalid(row: object) -> str:
        invalid.append(1)
        return "skip"

    try:
        with pa.OSFile(str(path)) as f:
            f.seek(int(index.starts[at + 1]))  # the first data record
            table = pcsv.read_csv(
                f,
                read_options=pcsv.ReadOptions(column_names=header, block_size=_BLOCK),
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
    if invalid or not _aligned(table, index, at):
        return None
    return with_lines(table, index.lines[at + 1 :])


def _aligned(table: pa.Table, index: RecordIndex, at: int) -> bool:
    if table.num_rows != index.n - at - 1:
        return False
    if not index.quoted_newlines:
        return True
    embedded = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        counts = pc.count_substring(column, index.newline)
        embedded += counts.to_numpy(zero_copy_only=False).astype(np.int64)
    return bool(np.array_equal(embedded + 1, index.spans[at + 1 :]))
