"""Mapping source columns to canonical ones, and telling which table a source is."""

from __future__ import annotations

import re

import pytest

from churnlens.errors import ConfigError, SchemaError
from churnlens.inputs import guess_table, read_table
from churnlens.schema import SUBSCRIPTIONS
from inputs._helpers import values


def test_mapping_matches_source_names_ignoring_case(write):
    path = write("subs.csv", "Account_ID,START_DATE\nA1,2024-01-01\n")
    result = read_table(
        path,
        table="subscriptions",
        mapping={"customer_id": "account_id", "started_at": "Start_Date"},
    )
    assert result.mapping == {"customer_id": "Account_ID", "started_at": "START_DATE"}
    assert values(result, "customer_id") == ["A1"]
    assert "Account_ID" not in result.accepted.column_names


def test_canonical_names_match_ignoring_case_and_separators(write):
    path = write("subs.csv", "CustomerID,Started At,MRR\nC1,2024-01-01,5\n")
    result = read_table(path, table="subscriptions")
    assert result.mapping == {
        "customer_id": "CustomerID",
        "started_at": "Started At",
        "mrr": "MRR",
    }


def test_missing_mapped_column(write):
    path = write("subs.csv", "customer_id,start_date\nC1,2024-01-01\n")
    expected = (
        f"{path}, column 'begin': the column 'begin' mapped to started_at is not "
        "in the source (columns found: customer_id, start_date)"
    )
    with pytest.raises(SchemaError, match=re.escape(expected)):
        read_table(path, table="subscriptions", mapping={"started_at": "begin"})


def test_missing_required_column_suggests_a_mapping(write):
    path = write("subs.csv", "customer_id,start_date,end_date\nC1,2024-01-01,\n")
    with pytest.raises(SchemaError) as e:
        read_table(path, table="subscriptions")
    assert str(e.value) == (
        f"{path}, column 'started_at': the subscriptions table needs a column "
        "'started_at', and the source has none (columns found: customer_id, "
        "start_date, end_date)\nHint: name the column that holds it: --map "
        "started_at=start_date (Python: mapping={'started_at': 'start_date'})"
    )


def test_missing_required_column_without_a_likely_one(write):
    path = write("subs.csv", "who,when\nC1,2024-01-01\n")
    with pytest.raises(SchemaError, match="needs a column 'customer_id'") as e:
        read_table(path, table="subscriptions")
    assert "--map customer_id=<your column>" in str(e.value)


def test_mapping_an_unknown_canonical_column(write):
    path = write("subs.csv", "customer_id,start_date\nC1,2024-01-01\n")
    with pytest.raises(ConfigError, match="'start' is not a column of the subscr") as e:
        read_table(path, table="subscriptions", mapping={"start": "start_date"})
    assert e.value.hint == "map one of those: --map started_at=start_date"


def test_every_spec_column_then_extras(write):
    path = write(
        "subs.csv", "region,customer_id,started_at,Seats\nEU,C1,2024-01-01,3\n"
    )
    result = read_table(path, table="subscriptions")
    assert result.accepted.column_names == [
        *SUBSCRIPTIONS.column_names,
        "region",
        "Seats",
    ]
    assert values(result, "Seats") == ["3"]
    assert values(result, "mrr") == [None]


def test_extra_named_like_an_unused_canonical_column_is_renamed(write):
    path = write("subs.csv", "customer_id,started_at,start\nC1,oops,2024-01-01\n")
    result = read_table(path, table="subscriptions", mapping={"started_at": "start"})
    assert result.accepted.column_names[-1] == "started_at_unmapped"
    assert values(result, "started_at_unmapped") == ["oops"]


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("subscriptions.csv", "subscriptions"),
        ("exports/ravenstack_subscriptions.csv", "subscriptions"),
        ("Support_Tickets-2024.csv", "tickets"),
        ("accounts.parquet", "customers"),
        ("customer_subscriptions.csv", "subscriptions"),
        ("feature_usage.jsonl", "activity"),
        ("postgresql://u:***@h/db#customers", "customers"),
    ],
)
def test_guess_table_from_the_name(name, table):
    assert guess_table(name, []) == table


@pytest.mark.parametrize(
    ("columns", "table"),
    [
        (["customer_id", "started_at"], "subscriptions"),
        (["Customer_ID", "Created_At", "text"], "tickets"),
        (["customer_id", "occurred_at"], "activity"),
        (["customer_id", "name"], "customers"),
    ],
)
def test_guess_table_from_the_columns(columns, table):
    assert guess_table("export.csv", columns) == table


@pytest.mark.parametrize(
    "columns", [[], ["id"], ["customer_id", "started_at", "created_at"]]
)
def test_guess_table_asks_for_table_when_unclear(columns):
    with pytest.raises(ConfigError, match="cannot tell which table") as e:
        guess_table("export.csv", columns)
    assert "--table subscriptions" in str(e.value.hint)


def test_read_table_guesses_with_mapped_names(write):
    path = write("export.csv", "account,start\nA1,2024-01-01\n")
    result = read_table(path, mapping={"customer_id": "account", "started_at": "start"})
    assert result.table == "subscriptions"
