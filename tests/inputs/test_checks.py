"""One test per rejection reason: the line, the column and the exact reason."""

from __future__ import annotations

import json

import pytest

from churnlens.inputs import read_table
from inputs._helpers import rejections, values

SUBS = "subscription_id,customer_id,started_at,ended_at,mrr\n"


def _read(write, name: str, text: str, **options):
    return read_table(write(name, text), **options)


@pytest.mark.parametrize(
    ("table", "header", "row", "column"),
    [
        ("subscriptions", "customer_id,started_at", ",2024-01-01", "customer_id"),
        ("subscriptions", "customer_id,started_at", "C1,", "started_at"),
        ("customers", "customer_id,name", ",Acme", "customer_id"),
        ("tickets", "customer_id,created_at", "C1,", "created_at"),
        ("activity", "customer_id,occurred_at", "C1,  ", "occurred_at"),
        ("activity", "customer_id,occurred_at", "C1,NULL", "occurred_at"),
    ],
)
def test_missing_required_value(write, table, header, row, column):
    result = _read(write, f"{table}.csv", f"{header}\n{row}\nC9,2024-01-01\n")
    assert rejections(result) == [
        (2, column, f"{column} is missing (a value is required)")
    ]
    assert result.n_accepted == 1


def test_missing_value_names_the_users_column(write):
    text = "account,start\nA1,\n"
    result = _read(
        write,
        "subscriptions.csv",
        text,
        mapping={"customer_id": "account", "started_at": "start"},
    )
    assert rejections(result) == [
        (2, "start", "start (started_at) is missing (a value is required)")
    ]


def test_unparseable_date(write):
    result = _read(write, "subscriptions.csv", SUBS + "S1,C1,2024-01-01,31/12/2024,\n")
    assert rejections(result) == [
        (
            2,
            "ended_at",
            "ended_at '31/12/2024' is not a date (expected ISO 8601 such as "
            "2024-03-01 or 2024-03-01T10:00:00+02:00)",
        )
    ]
    assert result.rejected.column("value").to_pylist() == ["31/12/2024"]


def test_ended_before_started(write):
    text = SUBS + "S1,C1,2024-02-01,2024-01-31,\nS2,C2,2024-02-01,2024-02-01,\n"
    result = _read(write, "subscriptions.csv", text)
    assert rejections(result) == [
        (2, "ended_at", "ended_at '2024-01-31' is before started_at '2024-02-01'")
    ]
    assert values(result, "subscription_id") == ["S2"]  # zero-length is fine


def test_order_compares_instants_not_text(write):
    # 10:00 in New York is after 12:00 in Warsaw.
    text = SUBS + "S1,C1,2024-02-01T12:00+01:00,2024-02-01T10:00-05:00,\n"
    assert _read(write, "subscriptions.csv", text).n_accepted == 1


def test_negative_mrr(write):
    result = _read(write, "subscriptions.csv", SUBS + "S1,C1,2024-01-01,,-9.5\n")
    assert rejections(result) == [
        (2, "mrr", "mrr '-9.5' is negative (it must be 0 or more)")
    ]


@pytest.mark.parametrize(
    ("mrr", "reason"),
    [
        ("ten", "mrr 'ten' is not a number"),
        ("€10", "mrr '€10' is not a number"),
        (
            '"10,50"',
            "mrr '10,50' is not a number (write decimals with a dot, and no "
            "thousands separator)",
        ),
        ("inf", "mrr 'inf' is not a finite number"),
        ("1e999", "mrr '1e999' is not a finite number"),
    ],
)
def test_non_numeric_mrr(write, mrr, reason):
    result = _read(write, "subscriptions.csv", SUBS + f"S1,C1,2024-01-01,,{mrr}\n")
    assert rejections(result) == [(2, "mrr", reason)]


def test_number_forms_and_missing_markers(write):
    text = SUBS + "".join(
        f"S{i},C1,2024-01-01,,{v}\n"
        for i, v in enumerate(["0", " 12.5 ", "+3", "1e3", ".5", "", "NULL", "NaN"])
    )
    result = _read(write, "subscriptions.csv", text)
    assert values(result, "mrr") == [0.0, 12.5, 3.0, 1000.0, 0.5, None, None, None]


@pytest.mark.parametrize(
    ("table", "header", "column"),
    [
        ("tickets", "customer_id,created_at,satisfaction", "satisfaction"),
        ("activity", "customer_id,occurred_at,quantity", "quantity"),
    ],
)
def test_non_numeric_satisfaction_and_quantity(write, table, header, column):
    text = f"{header}\nC1,2024-01-01,great\nC1,2024-01-01,4\n"
    result = _read(write, f"{table}.csv", text)
    assert rejections(result) == [(2, column, f"{column} 'great' is not a number")]
    assert values(result, column) == [4.0]


@pytest.mark.parametrize("column", ["first_response_at", "resolved_at"])
def test_ticket_times_before_creation(write, column):
    text = (
        f"ticket_id,customer_id,created_at,{column}\n"
        "T1,C1,2024-01-02T10:00,2024-01-02T09:59\n"
        "T2,C1,2024-01-02T10:00,2024-01-02T10:00\n"
    )
    result = _read(write, "tickets.csv", text)
    assert rejections(result) == [
        (
            2,
            column,
            f"{column} '2024-01-02T09:59' is before created_at '2024-01-02T10:00'",
        )
    ]


@pytest.mark.parametrize(
    ("table", "header", "key"),
    [
        ("subscriptions", "subscription_id,customer_id,started_at", "subscription_id"),
        ("customers", "customer_id,name,segment", "customer_id"),
        ("tickets", "ticket_id,customer_id,created_at", "ticket_id"),
    ],
)
def test_duplicate_keys_name_the_first_line(write, table, header, key):
    rows = ["K1,K1,2024-01-01", "K2,K2,2024-01-01", "K1,K1,2024-01-02", "K1,K1,x"]
    text = header + "\n" + "\n".join(rows) + "\n"
    result = _read(write, f"{table}.csv", text)
    problems = rejections(result)
    assert problems[0] == (
        4,
        key,
        f"{key} 'K1' repeats line 2 (a duplicate key: the first is kept)",
    )
    assert [p[0] for p in problems] == [4, 5]
    assert values(result, key) == ["K1", "K2"]


def test_a_rejected_row_does_not_count_as_the_first_of_a_key(write):
    text = SUBS + "S1,C1,not a date,,\nS1,C1,2024-01-01,,\n"
    result = _read(write, "subscriptions.csv", text)
    assert [p[0] for p in rejections(result)] == [2]
    assert result.accepted_lines.to_pylist() == [3]


def test_keys_are_compared_after_trimming(write):
    text = SUBS + "S1,C1,2024-01-01,,\n S1 ,C1,2024-01-01,,\n"
    problems = rejections(_read(write, "subscriptions.csv", text))
    assert problems[0][2].startswith("subscription_id 'S1' repeats line 2")


def test_activity_may_repeat_rows(write):
    text = "customer_id,occurred_at,event\nC1,2024-01-01,login\nC1,2024-01-01,login\n"
    assert _read(write, "activity.csv", text).n_accepted == 2


def test_several_problems_are_joined_and_the_first_column_named(write):
    text = SUBS + "S1,,2024-13-01,,-1\n"
    result = _read(write, "subscriptions.csv", text)
    assert rejections(result) == [
        (
            2,
            "customer_id",
            "customer_id is missing (a value is required); started_at "
            "'2024-13-01' is not a date (expected ISO 8601 such as 2024-03-01 or "
            "2024-03-01T10:00:00+02:00); mrr '-1' is negative (it must be 0 or more)",
        )
    ]
    row = result.rejected.to_pylist()[0]
    assert row["value"] is None
    assert json.loads(row["record"]) == {
        "subscription_id": "S1",
        "customer_id": "",
        "started_at": "2024-13-01",
        "ended_at": "",
        "mrr": "-1",
    }


def test_malformed_row_has_only_its_own_reason(write):
    text = SUBS + "S1,C1,2024-01-01,,10,extra\nS2,C2\n"
    result = _read(write, "subscriptions.csv", text)
    assert rejections(result) == [
        (
            2,
            None,
            "the row has 6 fields where the header has 5 (a delimiter or quote "
            "inside an unquoted value?)",
        ),
        (
            3,
            None,
            "the row has 2 fields where the header has 5 (a delimiter or quote "
            "inside an unquoted value?)",
        ),
    ]


def test_long_values_are_cut_in_reasons(write):
    long = "x" * 100
    result = _read(write, "subscriptions.csv", SUBS + f"S1,C1,{long},,\n")
    reason = rejections(result)[0][2]
    assert f"started_at '{'x' * 57}...' is not a date" in reason
    assert result.rejected.column("value").to_pylist() == [long]


def test_text_is_trimmed_and_empty_text_is_missing(write):
    text = "customer_id,started_at,plan,country_code\n  C1 ,2024-01-01,  ,NA\n"
    result = _read(write, "subscriptions.csv", text)
    assert values(result, "customer_id") == ["C1"]
    assert values(result, "plan") == [None]
    assert values(result, "country_code") == ["NA"]  # Namibia, not missing
