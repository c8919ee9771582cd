"""Raw input as read from a source, before mapping, typing and validation.

Every reader returns a ``RawData``: an Arrow table with the source's own column
names (values as the source holds them; text for CSV and JSON Lines), a ``__line``
column (the physical line for text files, the 1-based row number otherwise) and, when
the reader met rows it could not split into columns, a ``__malformed`` column with
the reason and, where the columns cannot hold such a row (too many fields, a line
that is not a JSON object), a ``__record`` column with its JSON text, so the
quarantine keeps every byte of it.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import numpy as np
import pyarrow as pa

from churnlens.errors import InputError, SchemaError

__all__ = [
    "INTERNAL",
    "LINE",
    "MALFORMED",
    "RECORD",
    "RawData",
    "check_not_utf16",
    "hash_arrow",
    "hash_file",
    "raise_bad_utf8",
    "unique_names",
    "with_lines",
]

LINE = "__line"
MALFORMED = "__malformed"
RECORD = "__record"
INTERNAL = (LINE, MALFORMED, RECORD)
_HASH_BLOCK = 1 << 24


@dataclass
class RawData:
    """One source's rows; ``label`` names it in messages, ``line_word`` is
    "line" for text files and "row" for tables."""

    arrow: pa.Table
    label: str
    line_word: str = "line"
    name_hint: str | None = None  # what the table kind is guessed from
    hasher: Callable[[], str] = field(default=lambda: "", repr=False)
    _hash: str | None = field(default=None, repr=False)

    @property
    def source_columns(self) -> list[str]:
        return [c for c in self.arrow.column_names if c not in INTERNAL]

    @property
    def n_rows(self) -> int:
        return int(self.arrow.num_rows)

    def content_hash(self) -> str:
        """SHA-256 of the content: the same data ingested twice is recognised."""
        if self._hash is None:
            self._hash = self.hasher()
        return self._hash


def with_lines(table: pa.Table, lines: np.ndarray | None = None) -> pa.Table:
    """``table`` with a ``__line`` column (1-based row numbers unless given).

    Columns of Arrow's null type (all values missing, no type known) become text:
    DuckDB would read them as integers and a date column would seem mistyped.
    """
    for i, column in enumerate(table.schema):
        if pa.types.is_null(column.type):
            table = table.set_column(
                i, column.name, pa.nulls(table.num_rows, pa.string())
            )
    if lines is None:
        lines = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return table.append_column(LINE, pa.array(lines, type=pa.int64()))


def unique_names(path: str | Path | None, names: list[str]) -> list[str]:
    """Header names with blanks named by position; a repeated name is an error
    (the store compares names ignoring case, as SQL does)."""
    named = [n or f"unnamed_{i}" for i, n in enumerate(names, start=1)]
    seen: dict[str, int] = {}
    for i, name in enumerate(named, start=1):
        key = name.lower()
        if key in INTERNAL:
            raise SchemaError(
                f"the column name '{name}' is reserved for churnlens' own use",
                path=path,
                column=name,
                hint="rename the column",
            )
        if key in seen:
            raise SchemaError(
                f"the column '{name}' appears twice (columns {seen[key]} and {i}; "
                "names are compared ignoring case)",
                path=path,
                column=name,
                hint="rename one of them",
            )
        seen[key] = i
    return named


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def hash_arrow(table: pa.Table) -> str:
    """SHA-256 of the data; one chunk, so the same rows always hash the same."""
    table = table.combine_chunks()
    digest = hashlib.sha256()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    digest.update(sink.getvalue())
    return digest.hexdigest()


def check_not_utf16(path: Path, head: bytes) -> None:
    """Spreadsheets save "Unicode text" as UTF-16, which no fast reader takes."""
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if utf16 or (len(head) > 8 and head[:64].count(0) > len(head[:64]) // 4):
        raise InputError(
            "the file is UTF-16 (or another wide encoding), not UTF-8 text",
            path=path,
            line=1,
            hint="re-save it as UTF-8 (in Excel: 'CSV UTF-8'), e.g. "
            f"iconv -f UTF-16 -t UTF-8 '{path.name}' > fixed.csv",
        )


def raise_bad_utf8(path: Path) -> NoReturn:
    """Find the first byte that is not UTF-8 and raise an error naming its line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, newlines = 0, 0
    with path.open("rb") as f:
        while block := f.read(_HASH_BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as e:
                bad = offset + e.start
                line = newlines + block.count(b"\n", 0, e.start) + 1
                byte = block[e.start]
                raise InputError(
                    f"the file is not UTF-8 text: byte 0x{byte:02X} at byte offset "
                    f"{bad} cannot be decoded (it looks like {_guess(block, e)})",
                    path=path,
                    line=line,
                    hint="re-save the file as UTF-8 (in Excel: 'CSV UTF-8'), e.g. "
                    f"iconv -f WINDOWS-1252 -t UTF-8 '{path.name}' > fixed.csv",
                ) from None
            offset += len(block)
            newlines += block.count(b"\n")
    raise InputError(  # pragma: no cover - only when the reader lied about UTF-8
        "the file is not valid UTF-8 text", path=path, hint="re-save it as UTF-8"
    )


def _guess(block: bytes, e: UnicodeDecodeError) -> str:
    """The text around the bad byte, on its own line, as a legacy encoding."""
    start = max(block.rfind(b"\n", 0, e.start) + 1, e.start - 12)
    stop = block.find(b"\n", e.start)
    stop = e.start + 12 if stop == -1 else min(stop, e.start + 12)
    excerpt = block[start:stop]
    try:
        return f"Windows-1252 or Latin-1: '{excerpt.decode('cp1252').strip()}'"
    except UnicodeDecodeError:
        return "a legacy 8-bit encoding"
