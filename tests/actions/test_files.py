"""Contact-list files: CSV, XLSX (read back with openpyxl) and JSON (schema)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

import churnlens
from churnlens.actions.exporters import CONTACT_LIST_SCHEMA, write_contact_list

_TYPES = {"string": str, "number": (int, float), "boolean": bool, "null": type(None)}


def _check_schema(row: dict, schema: dict) -> None:
    """The subset of JSON Schema the contact-list schema uses, checked by hand."""
    for name in schema["required"]:
        assert name in row
    for name, rule in schema["properties"].items():
        if name not in row:
            continue
        kinds = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
        value = row[name]
        assert any(
            isinstance(value, _TYPES[k])
            and not (k == "number" and isinstance(value, bool))
            for k in kinds
        ), (name, value)
        if isinstance(value, float):
            assert rule.get("minimum", value) <= value <= rule.get("maximum", value)
        if isinstance(value, str):
            assert len(value) >= rule.get("minLength", 0)


def test_json_rows_follow_the_schema(tmp_path, contact_table) -> None:
    path = write_contact_list(contact_table, tmp_path / "list.json")
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert [r["customer_id"] for r in rows] == ["C00001", "C00002", "C00004"]
    for row in rows:
        _check_schema(row, CONTACT_LIST_SCHEMA)
    assert rows[0]["reasons"] == "3 tickets open for over 5 days; usage down 60%"
    assert rows[0]["churn_probability"] == 0.81 and rows[1]["owner"] == "Bo Chen"


def test_json_keeps_the_holdout_when_asked(tmp_path, contact_table) -> None:
    path = write_contact_list(
        contact_table, tmp_path / "all.json", include_holdout=True
    )
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert len(rows) == 4 and rows[2]["owner"] is None and rows[2]["holdout"] is True


def test_csv_round_trip(tmp_path, contact_table) -> None:
    path = write_contact_list(contact_table, tmp_path / "out" / "list.csv")
    back = pd.read_csv(path)
    assert list(back["customer_id"]) == ["C00001", "C00002", "C00004"]
    assert list(back.columns) == list(contact_table.columns)
    assert back.loc[1, "mrr_at_risk"] == pytest.approx(50.61)


def test_xlsx_is_readable_back(tmp_path, contact_table) -> None:
    table = contact_table.assign(as_of=pd.Timestamp("2026-06-30"))
    path = write_contact_list(table, tmp_path / "list.xlsx")
    sheet = load_workbook(path).active
    values = list(sheet.values)
    assert list(values[0]) == list(table.columns)
    assert values[1][-1] == dt.datetime(2026, 6, 30)
    assert values[1][0] == "C00001" and values[1][2] == pytest.approx(0.81)
    assert values[2][6] == "price complaints"
    assert len(values) == 4
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(row=2, column=3).number_format == "0.0%"


def test_unknown_suffix_is_refused(tmp_path, contact_table) -> None:
    with pytest.raises(churnlens.ConfigError, match="cannot tell the format"):
        write_contact_list(contact_table, tmp_path / "list.txt")
    assert not list(tmp_path.iterdir())
