"""The exact CSV reader: Python's ``csv`` module, one record at a time.

It is the slow path of ``delimited``, taken when the fast one cannot be trusted. It
keeps rows with the wrong number of fields as malformed rows, and it never lets a
quote opened by mistake (``s10,c10,"oops``) swallow the lines after it. A record
that spans lines is read as a quoted field with line breaks only if its quotes
pair up as RFC 4180 has them and the lines inside do not look like rows of their
own; otherwise its first line is rejected and reading goes on with the next line,
as DuckDB's and Go's CSV readers do with a quote that is never closed.
"""

from __future__ import annotations

import csv
import io
import json
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from churnlens.inputs.raw import LINE, MALFORMED, RECORD, raise_bad_utf8

__all__ = ["leaves_quote_open", "looks_like_rows", "read_records"]

_BATCH = 1 << 16
_UNBALANCED = "unbalanced double quote: the quoted field opened on this line"


def read_records(
    path: Path, delimiter: str, header: list[str], *, skip: int
) -> pa.Table:
    """The rows after the first ``skip`` records (the header, and a ``sep=`` line
    before it), each with the physical line it starts on."""
    rows = _Rows(header)
    seen = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row, lines, problem in _split(f, delimiter, len(header)):
                if seen < skip:
                    seen += 1
                elif problem is None:
                    rows.add(row, lines[0][0])
                else:
                    rows.add_broken(lines[0], delimiter, problem)
    except UnicodeDecodeError:
        raise_bad_utf8(path)
    return rows.table()


_Line = tuple[int, str]  # physical line number, text with its line end


def _split(
    lines: Iterator[str], delimiter: str, width: int
) -> Iterator[tuple[list[str], list[_Line], str | None]]:
    """Non-blank records: fields, the lines they came from, and why they cannot
    be trusted (None if they can); an untrusted record's lines after its first
    are read again."""
    feed = _Feed(lines)
    reader = csv.reader(feed, delimiter=delimiter)
    while True:
        error: csv.Error | None = None
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            row, error = [], e
            reader = csv.reader(feed, delimiter=delimiter)
        taken = feed.take()
        if not taken:  # pragma: no cover - csv fails only on a line it has read
            raise AssertionError(f"csv gave up before reading a line: {error}")
        problem = None
        if error is not None:
            problem = _error_reason(error, taken[0][1], delimiter)
        elif len(taken) > 1:
            problem = _span_problem(taken, delimiter, width)
        if problem is not None:
            feed.put_back(taken[1:])
        if row or problem is not None:
            yield row, taken, problem


class _Feed:
    """The file's lines, numbered, with a way to hand some back to be read again."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._back: deque[_Line] = deque()
        self._n = 0
        self._taken: list[_Line] = []

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if self._back:
            item = self._back.popleft()
        else:
            text = next(self._lines)
            self._n += 1
            item = (self._n, text)
        self._taken.append(item)
        return item[1]

    def take(self) -> list[_Line]:
        """The lines read since the last call."""
        taken, self._taken = self._taken, []
        return taken

    def put_back(self, lines: list[_Line]) -> None:
        self._back.extendleft(reversed(lines))


def _error_reason(e: csv.Error, first: str, delimiter: str) -> str:
    if "field limit" not in str(e):
        return f"the line cannot be split into fields: {e}"
    limit = csv.field_size_limit()
    if leaves_quote_open(first, delimiter):
        return f"{_UNBALANCED} is not closed within {limit:,} characters"
    return f"a value on this line is longer than {limit:,} characters"


def _span_problem(taken: list[_Line], delimiter: str, width: int) -> str | None:
    """Why a record spanning lines is not one quoted field with line breaks."""
    text = "".join(t for _, t in taken)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error as e:
        if "unexpected end of data" in str(e):
            return (
                f"{_UNBALANCED} is never closed (it would swallow the rest of the file)"
            )
        end = taken[0][0] + reader.line_num - 1
        return (
            f"{_UNBALANCED} would end on line {end} with text right after its "
            "closing quote, where a delimiter or the end of the line belongs"
        )
    if looks_like_rows([t for _, t in taken], delimiter, width):
        return (
            f"{_UNBALANCED} would take in lines {taken[1][0]}-{taken[-2][0]}, "
            "which look like rows of their own"
        )
    return None


def looks_like_rows(lines: Sequence[str], delimiter: str, width: int) -> bool:
    """Whether the lines inside a quoted field (all but its first and last) are
    rows of the file: two or more, each with the header's number of fields and
    no quotes. Text in a field rarely is, rows after a stray quote always are."""
    inner = lines[1:-1]
    return (
        width >= 3
        and len(inner) >= 2
        and all(s.count(delimiter) == width - 1 and '"' not in s for s in inner)
    )


def leaves_quote_open(line: str, delimiter: str) -> bool:
    """Whether ``line`` ends inside a quoted field (as Python's csv reads it)."""
    reader = csv.reader([line], delimiter=delimiter, strict=True)
    try:
        next(reader, None)
    except csv.Error as e:
        return "unexpected end of data" in str(e)
    return False


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
        if len(row) == width:
            self._append(list(row), line, None, None)
        else:
            reason = (
                f"the row has {len(row)} fields where the header has {width} "
                "(a delimiter or quote inside an unquoted value?)"
            )
            self._append(_fit(row, width), line, reason, _record(self.header, row))

    def add_broken(self, line: _Line, delimiter: str, reason: str) -> None:
        """A line that could not be read as a record, kept as it is: split at
        every delimiter, so joining its fields gives the line back."""
        fields = line[1].rstrip("\r\n").split(delimiter)
        none: list[str | None] = [None] * len(self.header)
        self._append(none, line[0], reason, _record(self.header, fields))

    def _append(
        self,
        values: list[str | None],
        line: int,
        malformed: str | None,
        record: str | None,
    ) -> None:
        self.values.append(values)
        self.lines.append(line)
        self.malformed.append(malformed)
        self.records.append(record)
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
