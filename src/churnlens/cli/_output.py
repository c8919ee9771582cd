"""Render result tables as a terminal table, CSV, JSON or Parquet."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from churnlens.errors import ConfigError

__all__ = ["FORMATS", "json_value", "write_table"]

FORMATS = ("table", "csv", "json", "parquet")


def write_table(
    frame: pd.DataFrame,
    *,
    fmt: str,
    output: Path | None,
    title: str = "",
    percent: tuple[str, ...] = (),
) -> None:
    """Write ``frame`` to ``output`` (or stdout) in ``fmt``."""
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        if output is None:
            raise ConfigError(
                "Parquet is binary and cannot go to the terminal",
                hint="add --output FILE.parquet",
            )
        frame.to_parquet(output, index=False)
        return
    text = _render(
        frame, fmt=fmt, title=title, percent=percent, wide=output is not None
    )
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _render(
    frame: pd.DataFrame, *, fmt: str, title: str, percent: tuple[str, ...], wide: bool
) -> str:
    if fmt == "csv":
        return frame.to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        records = [
            {k: json_value(v) for k, v in row.items()}
            for row in frame.to_dict("records")
        ]
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    return _rich(frame, title=title, percent=percent, wide=wide)


def json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _rich(
    frame: pd.DataFrame, *, title: str, percent: tuple[str, ...], wide: bool
) -> str:
    frame, percent = _merge_intervals(frame, percent)
    table = Table(title=title or None, show_lines=False)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(
            *[_cell(v, c in percent) for c, v in zip(frame.columns, row, strict=True)]
        )
    buffer = io.StringIO()
    # Piped output has no terminal width to fit; do not squeeze it to 80 columns.
    width = None if sys.stdout.isatty() and not wide else 250
    Console(file=buffer, width=width, force_terminal=False).print(table)
    return buffer.getvalue()


def _merge_intervals(
    frame: pd.DataFrame, percent: tuple[str, ...]
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """On screen, each ``X_lower``/``X_upper`` pair becomes one "X 95% CI" column."""
    frame = frame.copy()
    for lower in [c for c in frame.columns if str(c).endswith("_lower")]:
        base = str(lower)[: -len("_lower")]
        upper = f"{base}_upper"
        if upper not in frame.columns:
            continue
        as_percent = lower in percent
        merged = [
            "–"
            if _missing(lo) or _missing(hi)
            else f"{_cell(lo, as_percent)} – {_cell(hi, as_percent)}"
            for lo, hi in zip(frame[lower], frame[upper], strict=True)
        ]
        at = list(frame.columns).index(lower)
        frame = frame.drop(columns=[lower, upper])
        frame.insert(at, f"{base} 95% CI", merged)
    return frame, percent


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _cell(value: Any, as_percent: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if as_percent:
        return f"{value:.2%}"
    if isinstance(value, float):
        # Money and lifetimes are read in full (12,042.76), small ratios to four
        # significant digits; scientific notation helps nobody in a terminal.
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:,.2f}"
        return f"{value:.4g}"
    return str(value)
