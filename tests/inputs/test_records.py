"""Quotes opened by mistake: the line is rejected, the rows after it are read."""

from __future__ import annotations

import csv
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlens.inputs import delimited, read_table
from inputs._helpers import rejections, values

HEADER = "subscription_id,customer_id,started_at,notes"
UNBALANCED = "unbalanced double quote: the quoted field opened on this line"


def _rows(n: int, broken: dict[int, str]) -> str:
    """``n`` rows, row i on line i + 1, with the notes of some replaced."""
    rows = [HEADER]
    for i in range(1, n + 1):
        rows.append(f"s{i},c{i},2024-01-01,{broken.get(i, 'ok')}")
    return "\n".join(rows) + "\n"


def test_a_quote_never_closed_rejects_its_line_only(write):
    result = read_table(write("subscriptions.csv", _rows(1000, {10: '"oops'})))
    assert (result.n_read, result.n_accepted, result.n_rejected) == (1000, 999, 1)
    assert rejections(result) == [
        (
            11,
            None,
            f"{UNBALANCED} is never closed (it would swallow the rest of the file)",
        )
    ]
    (record,) = result.rejected.column("record").to_pylist()
    assert json.loads(record) == {
        "subscription_id": "s10",
        "customer_id": "c10",
        "started_at": "2024-01-01",
        "notes": '"oops',  # the line as it is: its fields joined give it back
    }
    assert values(result, "subscription_id")[9:11] == ["s11", "s12"]
    assert result.accepted_lines.to_pylist()[9] == 12


def test_a_quote_closed_by_another_fields_quote_rejects_its_line_only(write):
    # The next quote in the file opens a field of line 6: read as the stray one's
    # close, text follows it, which no quoted field has.
    text = _rows(8, {3: '"oops', 5: '"fine, quoted"'})
    result = read_table(write("subscriptions.csv", text))
    assert result.n_read == 8
    assert rejections(result) == [
        (
            4,
            None,
            f"{UNBALANCED} would end on line 6 with text right after its closing "
            "quote, where a delimiter or the end of the line belongs",
        )
    ]
    assert values(result, "notes")[3] == "fine, quoted"


def test_a_quote_closed_cleanly_rows_later_rejects_its_line_only(write):
    # 5" (inches) ends a field as a closing quote would: the lines between are
    # rows of the file, not text of one value.
    text = _rows(8, {2: '"oops', 6: '5"'})
    result = read_table(write("subscriptions.csv", text))
    assert result.n_read == 8
    assert rejections(result) == [
        (
            3,
            None,
            f"{UNBALANCED} would take in lines 4-6, which look like rows of their own",
        )
    ]
    assert values(result, "notes")[4] == '5"'


def test_a_quote_not_closed_within_the_field_limit(write):
    limit = csv.field_size_limit(500)
    try:
        result = read_table(write("subscriptions.csv", _rows(200, {5: '"oops'})))
    finally:
        csv.field_size_limit(limit)
    assert result.n_read == 200
    assert rejections(result) == [
        (6, None, f"{UNBALANCED} is not closed within 500 characters")
    ]


def test_quoted_fields_with_line_breaks_stay_on_the_fast_path(write, monkeypatch):
    def no_exact_reader(*args, **kwargs):
        raise AssertionError("the exact reader was used")

    monkeypatch.setattr(delimited, "read_records", no_exact_reader)
    note = '"Dear team,\nthe plan, as agreed, is fine.\nA ""quote"", here\n\nBye"'
    result = read_table(write("subscriptions.csv", _rows(4, {2: note})))
    assert result.n_accepted == 4
    assert values(result, "notes")[1] == note[1:-1].replace('""', '"')
    assert result.accepted_lines.to_pylist() == [2, 3, 8, 9]


def test_a_legitimate_multi_line_field_with_a_malformed_row(write):
    # A row with an extra field sends the file to the exact reader, which must
    # keep a quoted field of many lines (not rows) whole.
    note = '"one\ntwo\nthree\nfour"'
    text = _rows(3, {1: note, 2: "x,extra"})
    result = read_table(write("subscriptions.csv", text))
    assert values(result, "notes") == ["one\ntwo\nthree\nfour", "ok"]
    assert result.accepted_lines.to_pylist() == [2, 7]
    assert [r[0] for r in rejections(result)] == [6]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    n=st.integers(min_value=3, max_value=30),
    strays=st.lists(
        st.tuples(st.integers(0, 29), st.integers(0, 3), st.sampled_from(["a", "x y"])),
        max_size=4,
    ),
)
def test_stray_quotes_lose_no_row(tmp_path_factory, n, strays):
    """Quotes opened by mistake (each followed by text) cost their lines only."""
    rows = [[f"s{i}", f"c{i}", "2024-01-01", "ok"] for i in range(1, n + 1)]
    for row, column, text in strays:
        if row < n:
            rows[row][column] = f'"{text}'
    broken = {i + 2 for i, r in enumerate(rows) if any('"' in v for v in r)}
    path = tmp_path_factory.mktemp("strays") / "subscriptions.csv"
    path.write_text(HEADER + "\n" + "".join(",".join(r) + "\n" for r in rows))
    result = read_table(path)
    assert result.n_read == n
    assert {r[0] for r in rejections(result)} == broken
    assert set(result.accepted_lines.to_pylist()) == set(range(2, n + 2)) - broken


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_line_numbers_after_a_stray_quote(write, line_end):
    text = _rows(5, {2: '"oops', 4: "x,extra"}).replace("\n", line_end)
    result = read_table(write("subscriptions.csv", text))
    assert [r[0] for r in rejections(result)] == [3, 5]
    assert result.accepted_lines.to_pylist() == [2, 4, 6]
