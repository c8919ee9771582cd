"""Delimited text: delimiters, BOM, quoting, line numbers and malformed rows."""

from __future__ import annotations

import codecs
import json

import pytest

from churnlens.errors import InputError
from churnlens.inputs import read_table
from inputs._helpers import rejections, values


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_detected(write, delimiter):
    rows = [
        ["customer_id", "started_at", "mrr", "plan"],
        ["C1", "2024-01-01", "10.5", '"basic, monthly; 1|2"'],
        ["C2", "2024-02-01", "20", "pro"],
    ]
    # A quoted value holding the other delimiters must not confuse the detection.
    text = "".join(delimiter.join(r) + "\n" for r in rows)
    result = read_table(write("subscriptions.csv", text))
    assert result.n_accepted == 2
    assert values(result, "mrr") == [10.5, 20.0]
    assert values(result, "plan") == ["basic, monthly; 1|2", "pro"]


@pytest.mark.parametrize("name", ["subscriptions.tsv", "subscriptions.txt"])
def test_tsv_and_txt(write, name):
    path = write(name, "customer_id\tstarted_at\nC1\t2024-01-01\n")
    assert values(read_table(path), "customer_id") == ["C1"]


def test_utf8_bom_is_not_part_of_the_first_name(write):
    text = "customer_id,started_at\nC1,2024-01-01\n"
    result = read_table(write("subscriptions.csv", codecs.BOM_UTF8 + text.encode()))
    assert result.mapping["customer_id"] == "customer_id"
    assert values(result, "customer_id") == ["C1"]


def test_crlf_and_blank_lines(write):
    text = "customer_id,started_at\r\n\r\nC1,2024-01-01\r\n\r\nC2,2024-01-02\r\n"
    result = read_table(write("subscriptions.csv", text))
    assert result.n_read == 2  # blank lines are not records
    assert result.accepted_lines.to_pylist() == [3, 5]
    assert values(result, "customer_id") == ["C1", "C2"]


def test_quoted_newlines_keep_line_numbers(write):
    text = (
        "customer_id,started_at,cancel_feedback\n"
        'C1,2024-01-01,"too\nexpensive"\n'
        'C2,2024-01-02,"a ""quoted""\n\nword"\n'
        "C3,2024-01-03,\n"
        "C4,not a date,\n"
    )
    result = read_table(write("subscriptions.csv", text))
    assert result.accepted_lines.to_pylist() == [2, 4, 7]
    assert values(result, "cancel_feedback") == [
        "too\nexpensive",
        'a "quoted"\n\nword',
        None,
    ]
    assert [r[0] for r in rejections(result)] == [8]


def test_quoted_newlines_with_a_malformed_row_keep_line_numbers(write):
    # A malformed row sends the file through the exact (Python) reader.
    text = (
        "customer_id,started_at,cancel_feedback\n"
        'C1,2024-01-01,"two\nlines"\n'
        "C2,2024-01-02,x,extra\n"
        'C3,2024-01-03,"three\nlines\nhere"\n'
        "C4,2024-01-04,y\n"
    )
    result = read_table(write("subscriptions.csv", text))
    assert result.accepted_lines.to_pylist() == [2, 5, 8]
    assert rejections(result) == [
        (
            4,
            None,
            "the row has 4 fields where the header has 3 (a delimiter or quote "
            "inside an unquoted value?)",
        )
    ]


def test_malformed_rows_keep_every_field_in_the_record(write):
    text = "customer_id,started_at\nC1,2024-01-01,oops,more\nC2\nC3,2024-01-03\n"
    result = read_table(write("subscriptions.csv", text))
    assert result.n_read == 3 and result.n_accepted == 1
    records = [json.loads(r) for r in result.rejected.column("record").to_pylist()]
    assert records == [
        {
            "customer_id": "C1",
            "started_at": "2024-01-01",
            "field_3": "oops",
            "field_4": "more",
        },
        {"customer_id": "C2", "started_at": None},
    ]
    assert rejections(result)[1][2].startswith("the row has 1 fields where")


def test_stray_quote_inside_a_value(write):
    text = 'customer_id,started_at,plan\nC1,2024-01-01,24" screen\nC2,2024-01-02,pro\n'
    result = read_table(write("subscriptions.csv", text))
    assert values(result, "plan") == ['24" screen', "pro"]
    assert result.accepted_lines.to_pylist() == [2, 3]


def test_names_are_trimmed_and_blank_names_numbered(write):
    text = " customer_id , started_at ,\nC1,2024-01-01,x\n"
    result = read_table(write("subscriptions.csv", text))
    assert result.accepted.column_names[-1] == "unnamed_3"
    assert values(result, "unnamed_3") == ["x"]


def test_repeated_column_name_is_an_error(write):
    text = "customer_id,started_at,Customer_ID\nC1,2024-01-01,C2\n"
    with pytest.raises(Exception, match="the column 'Customer_ID' appears twice"):
        read_table(write("subscriptions.csv", text))


def test_old_mac_line_endings(write):
    text = 'customer_id,started_at,note\rC1,2024-01-01,"a\rb"\r\rC2,2024-01-02,x\r'
    result = read_table(write("subscriptions.csv", text))
    assert result.accepted_lines.to_pylist() == [2, 5]
    assert values(result, "note") == ["a\rb", "x"]


def test_old_mac_line_endings_through_the_exact_reader(write):
    text = "customer_id,started_at\rC1,2024-01-01\rC2,2024-01-02,extra\rC3,2024-01-03\r"
    result = read_table(write("subscriptions.csv", text))
    assert result.accepted_lines.to_pylist() == [2, 4]
    assert [r[0] for r in rejections(result)] == [3]


@pytest.mark.parametrize("extra", ["", ",extra"])  # the fast reader, the exact one
def test_excel_sep_line_declares_the_delimiter(write, extra):
    text = (
        "sep=;\r\n"
        "customer_id;started_at;plan\r\n"
        "C1;2024-01-01;a,b\r\n"
        f"C2;2024-01-02;c{extra}\r\n"
        "C3;bad;d\r\n"
    )
    result = read_table(write("subscriptions.csv", codecs.BOM_UTF8 + text.encode()))
    assert result.mapping["customer_id"] == "customer_id"
    assert values(result, "plan")[0] == "a,b"
    assert result.accepted_lines.to_pylist() == [3, 4]
    assert [r[0] for r in rejections(result)] == [5]


def test_excel_sep_line_and_a_header_only(write):
    path = write("subscriptions.csv", "sep=|\ncustomer_id|started_at\n")
    with pytest.raises(InputError, match="no data rows") as e:
        read_table(path)
    assert e.value.line == 2


def test_an_unbalanced_quote_in_the_header_is_an_error(write):
    path = write("subscriptions.csv", 'customer_id,"started_at\nC1,2024-01-01\n')
    with pytest.raises(InputError, match="unbalanced double quote in the header"):
        read_table(path)
