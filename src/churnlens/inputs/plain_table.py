"""Tables read as they come, for data that is no canonical table: a public churn
dataset with one row per customer, or an export of churn events.

The file is read by the same readers as ``read_table`` (CSV delimiter and BOM
detected, Parquet, JSON Lines), but nothing is mapped or validated up front:
each column is parsed when it is asked for, as a 0/1 flag, a number, text or an
instant, and a value that cannot be read stops with the file, line and column.

>>> table = read_plain_table("Customer Churn.csv")  # doctest: +SKIP
>>> table.flags("Churn").mean()  # doctest: +SKIP
0.157
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from churnlens.errors import InputError, SchemaError
from churnlens.inputs.raw import LINE, MALFORMED, RECORD
from churnlens.inputs.readers import read_raw
from churnlens.inputs.timestamps import check_tz, localize

__all__ = ["FLAG_VALUES", "MISSING", "PlainTable", "read_plain_table"]

# Spellings of a yes/no outcome (compared trimmed and lowercased).
FLAG_VALUES = {
    **dict.fromkeys(("1", "1.0", "yes", "y", "true", "t"), 1),
    **dict.fromkeys(("0", "0.0", "no", "n", "false", "f"), 0),
}
# Spellings of "no value" in exported text.
MISSING = ("", "na", "n/a", "nan", "null", "none")
_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_OFFSET = re.compile(r"(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)$", re.IGNORECASE)


@dataclass
class PlainTable:
    """The rows of one source: ``frame`` with its own column names, and where
    each row came from (``lines``, the file's line or the row number)."""

    frame: pd.DataFrame
    lines: np.ndarray
    label: str | None
    line_word: str = "line"

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def find(self, name: str) -> str:
        """The column called ``name``: exactly, else ignoring case, else ignoring
        spaces and punctuation (``Subscription Length`` for the UCI file's
        ``Subscription  Length``) when just one column fits."""
        if name in self.frame.columns:
            return name
        for squeeze in (str.lower, _squeezed):
            fits = [c for c in self.columns if squeeze(c) == squeeze(name)]
            if len(fits) == 1:
                return fits[0]
        close = difflib.get_close_matches(name, self.columns, n=1, cutoff=0.6)
        guess = f"did you mean '{close[0]}'? " if close else ""
        raise SchemaError(
            f"there is no column '{name}'",
            path=self.label,
            column=name,
            hint=f"{guess}columns: {_listed(self.columns)}",
        )

    def text(self, name: str) -> pd.Series:
        """The column as trimmed text; missing values (empty, NA, null) are None."""
        return self.frame[self.find(name)].astype("object").map(_clean)

    def is_numeric(self, name: str) -> bool:
        """Whether every value present reads as a number."""
        return bool(self.text(name).dropna().map(_is_number).all())

    def numbers(
        self,
        name: str,
        *,
        purpose: str = "",
        hint: str = "clean the column, or choose a numeric column",
    ) -> pd.Series:
        """The column as numbers; missing values are NaN. ``purpose`` says in
        an error why a number is needed ("the duration must be one")."""
        column = self.find(name)
        text = self.text(column)
        bad = text.notna() & ~text.map(_is_number)
        if bad.any():
            why = f"; {purpose}" if purpose else ""
            raise self.error_at(column, bad, f"is not a number{why}", hint=hint)
        return pd.to_numeric(text, errors="coerce").astype("float64")

    def flags(self, name: str, *, value: str | None = None) -> np.ndarray:
        """The column as 0/1: 1/0, yes/no, true/false (any case), or 1 where it
        equals ``value`` (ignoring case) and 0 elsewhere."""
        column = self.find(name)
        text = self.text(column)
        lowered = text.map(lambda v: None if v is None else v.lower())
        if value is not None:
            return (lowered == value.strip().lower()).to_numpy("int64")
        flag = lowered.map(lambda v: None if v is None else FLAG_VALUES.get(v))
        bad = flag.isna()
        if bad.any():
            seen = ", ".join(repr(v) for v in text[bad].dropna().unique()[:3])
            raise self.error_at(
                column,
                bad,
                "is not a churn outcome: it must be 1/0, yes/no or true/false in "
                "every row" + (f" (values seen: {seen})" if seen else ""),
                hint=f"name the value that means churned: '{column}=VALUE' "
                "(every other value is then not churned), or drop the rows "
                "without an outcome",
            )
        return flag.to_numpy("int64")

    def instants(self, name: str, *, tz: str = "UTC") -> pd.Series:
        """The column as naive UTC instants: ISO dates and times, local in ``tz``
        unless they carry an offset. Missing values are NaT."""
        check_tz(tz)
        column = self.find(name)
        text = self.text(column)
        with_offset = text.map(lambda v: v is not None and bool(_OFFSET.search(v)))
        naive = pd.to_datetime(
            text.where(~with_offset), format="ISO8601", errors="coerce"
        )
        local = pa.chunked_array([pa.array(naive.to_numpy("datetime64[us]"))])
        out = pd.Series(
            localize(local, tz).to_numpy(), index=text.index, dtype="datetime64[us]"
        )
        if with_offset.any():
            exact = pd.to_datetime(
                text.where(with_offset), format="ISO8601", errors="coerce", utc=True
            )
            out = out.where(~with_offset, exact.dt.tz_localize(None))
        bad = text.notna() & out.isna()
        if bad.any():
            raise self.error_at(
                column,
                bad,
                "is not a date (expected ISO 8601, e.g. 2024-03-01 or "
                "2024-03-01T14:30:00Z)",
                hint="export the dates as ISO 8601",
            )
        return out

    def error_at(
        self, column: str, bad: pd.Series, problem: str, *, hint: str
    ) -> InputError:
        """An error at the first bad row, counting the others."""
        at = int(np.flatnonzero(bad.to_numpy())[0])
        value = self.frame[column].iloc[at]
        shown = "an empty value" if _clean(value) is None else f"'{value}'"
        more = int(bad.sum()) - 1
        also = f" ({more:,} more {self.line_word}s like it)" if more else ""
        where = "" if self.line_word == "line" else f"row {self.lines[at]}: "
        return InputError(
            f"{where}{shown} {problem}{also}",
            path=self.label,
            line=int(self.lines[at]) if self.line_word == "line" else None,
            column=column,
            hint=hint,
        )


def read_plain_table(source: Any, *, label: str | None = None) -> PlainTable:
    """A file (CSV, Parquet, JSON Lines) or an in-memory table (pandas, Arrow)
    as a ``PlainTable``; a row the file cannot split into columns is an error."""
    if isinstance(source, PlainTable):
        return source
    if isinstance(source, str | Path):
        raw = read_raw(source)
        arrow = raw.arrow
        if MALFORMED in arrow.column_names:
            _check_malformed(arrow, raw.label)
        lines = arrow.column(LINE).to_numpy()
        kept = [c for c in arrow.column_names if c not in (LINE, MALFORMED, RECORD)]
        frame = arrow.select(kept).to_pandas()
        return PlainTable(frame, lines, label or raw.label, raw.line_word)
    if isinstance(source, pa.Table):
        source = source.to_pandas()
    if not isinstance(source, pd.DataFrame):
        raise TypeError(f"expected a file or a table, got {type(source).__name__}")
    frame = source.reset_index(drop=True)
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    return PlainTable(frame, lines, label, "row")


def _check_malformed(arrow: pa.Table, label: str) -> None:
    reasons = arrow.column(MALFORMED).to_pylist()
    for line, reason in zip(arrow.column(LINE).to_pylist(), reasons, strict=True):
        if reason is not None:
            raise InputError(
                reason,
                path=label,
                line=int(line),
                hint="fix or remove that line (a quote opened and not closed, or "
                "a different number of fields than the header)",
            )


def _clean(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return None if text.lower() in MISSING else text


def _is_number(value: str | None) -> bool:
    return value is not None and _NUMBER.match(value) is not None


def _squeezed(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _listed(columns: list[str]) -> str:
    shown = ", ".join(columns[:30])
    more = f" and {len(columns) - 30} more" if len(columns) > 30 else ""
    return (shown + more) or "none"
