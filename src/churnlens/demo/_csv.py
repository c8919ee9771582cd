"""CSV output: pandas for the text tables, a plain fast path for the big one.

The activity table has over a million rows but only a few distinct values per
column (customer ids, week starts, event names), held as categoricals. Such a table
needs no quoting, so its lines are joined directly, several times faster than
``DataFrame.to_csv`` and byte-identical to it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

_NEEDS_QUOTES = re.compile(r'[",\r\n]')


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    if _is_plain(frame):
        _write_joined(frame, path)
    else:
        frame.to_csv(
            path,
            index=False,
            lineterminator="\n",
            float_format="%.2f",
            encoding="utf-8",
        )


def _is_plain(frame: pd.DataFrame) -> bool:
    """Only categorical columns of quote-free text and integer columns, no gaps."""
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            labels = column.cat.categories
            if any(_NEEDS_QUOTES.search(str(v)) for v in labels):
                return False
            if (column.cat.codes < 0).any():
                return False
        elif not pd.api.types.is_integer_dtype(column.dtype) or column.isna().any():
            return False
    return not any(_NEEDS_QUOTES.search(str(name)) for name in frame.columns)


def _text(column: pd.Series) -> list[str]:
    if isinstance(column.dtype, pd.CategoricalDtype):
        labels = column.cat.categories.astype(str).to_numpy(dtype=object)
        return labels[column.cat.codes.to_numpy()].tolist()
    return column.to_numpy().astype(str).tolist()


def _write_joined(frame: pd.DataFrame, path: Path, chunk: int = 200_000) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(frame.columns) + "\n")
        for first in range(0, len(frame), chunk):
            part = frame.iloc[first : first + chunk]
            columns = [_text(part[name]) for name in part.columns]
            out.write(
                "".join(
                    f"{line}\n" for line in map(",".join, zip(*columns, strict=True))
                )
            )
