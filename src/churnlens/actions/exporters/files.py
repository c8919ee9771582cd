"""The contact list as a file for the people who call: CSV, XLSX or JSON.

Customers in the holdout are left out unless asked for: the file is the work
list, and a held-out customer who gets called spoils the measurement.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churnlens.errors import ConfigError, InputError

__all__ = [
    "CONTACT_LIST_SCHEMA",
    "contact_records",
    "to_work_list",
    "write_contact_list",
]

_FORMATS = (".csv", ".xlsx", ".json")
# JSON Schema (2020-12) of one exported row; extra columns are allowed.
CONTACT_LIST_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "churnlens contact list row",
    "type": "object",
    "required": ["customer_id"],
    "properties": {
        "customer_id": {"type": "string", "minLength": 1},
        "owner": {"type": ["string", "null"]},
        "churn_probability": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "mrr": {"type": ["number", "null"]},
        "mrr_at_risk": {"type": ["number", "null"]},
        "expected_value_saved": {"type": ["number", "null"]},
        "reasons": {"type": ["string", "null"]},
        "suggested_action": {"type": ["string", "null"]},
        "status": {"type": ["string", "null"]},
        "holdout": {"type": "boolean"},
    },
}


def to_work_list(table: pd.DataFrame, *, include_holdout: bool = False) -> pd.DataFrame:
    """The rows to act on: without the holdout (unless asked), reasons as text."""
    if "customer_id" not in table.columns:
        raise InputError(
            "the contact list has no 'customer_id' column",
            column="customer_id",
            hint="pass the table that contact_list(...) returns",
        )
    out = table
    if "holdout" in table.columns and not include_holdout:
        out = table[~table["holdout"].fillna(False).astype(bool)]
    out = out.copy()
    out["customer_id"] = out["customer_id"].astype(str)
    if "reasons" in out.columns:
        out["reasons"] = [_joined(v) for v in out["reasons"]]
    out.attrs.update(table.attrs)
    return out.reset_index(drop=True)


def contact_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN -> None, times -> ISO 8601, numpy -> Python)."""
    return [
        {str(k): json_value(v) for k, v in row.items()}
        for row in table.to_dict("records")
    ]


def write_contact_list(
    table: pd.DataFrame, path: str | Path, *, include_holdout: bool = False
) -> Path:
    """Write the contact list to ``path``, the format chosen by its suffix.

    ``.csv`` (UTF-8), ``.xlsx`` (one sheet, header frozen, probabilities as
    percentages) or ``.json`` (an array of rows, ``CONTACT_LIST_SCHEMA``). The
    file is replaced in one step, so a reader never sees half of it.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise ConfigError(
            f"cannot tell the format from the file name {path.name!r}",
            hint=f"name the file with one of: {', '.join(_FORMATS)}",
        )
    rows = to_work_list(table, include_holdout=include_holdout)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=suffix)
    os.close(handle)
    try:
        if suffix == ".csv":
            rows.to_csv(temporary, index=False, encoding="utf-8", lineterminator="\n")
        elif suffix == ".json":
            text = json.dumps(contact_records(rows), ensure_ascii=False, indent=2)
            Path(temporary).write_text(text + "\n", encoding="utf-8")
        else:
            _write_xlsx(rows, Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _write_xlsx(rows: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Contact list"
    columns = [str(c) for c in rows.columns]
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in rows.to_dict("records"):
        sheet.append([_xlsx_value(record[c]) for c in columns])
    formats = {"churn_probability": "0.0%"} | dict.fromkeys(
        ("mrr", "mrr_at_risk", "expected_value_saved"), "#,##0.00"
    )
    for j, name in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=j).column_letter
        width = max([len(name), *(len(str(v)) for v in rows[name].head(200))])
        sheet.column_dimensions[letter].width = min(60, width + 2)
        if name in formats:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = formats[name]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.save(path)


def _xlsx_value(value: Any) -> Any:
    # Dates stay dates in a spreadsheet (sortable, filterable), without a zone.
    if isinstance(value, pd.Timestamp) and not pd.isna(value):
        return (
            value.tz_localize(None).to_pydatetime()
            if value.tzinfo
            else value.to_pydatetime()
        )
    return json_value(value)


def _joined(value: object) -> str | None:
    if isinstance(value, list | tuple | np.ndarray):
        parts = [str(v) for v in value if not _missing(v)]
        return "; ".join(parts) or None
    return None if _missing(value) else str(value)


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def json_value(value: Any) -> Any:
    if isinstance(value, list | tuple | np.ndarray):
        return [json_value(v) for v in value]
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
