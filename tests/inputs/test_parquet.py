"""Parquet: values keep their types and meet the same rules as text."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from churnlens.errors import SchemaError
from churnlens.inputs import read_table
from inputs._helpers import rejections, values


@pytest.fixture
def subscriptions(tmp_path):
    path = tmp_path / "subscriptions.parquet"
    table = pa.table(
        {
            "Customer_ID": ["C1", "C2", None, "C4"],
            "start": pa.array(
                [
                    dt.datetime(2024, 1, 1, 10),
                    dt.datetime(2024, 7, 1),
                    dt.datetime(2024, 1, 1),
                    dt.datetime(2024, 1, 1),
                ],
                pa.timestamp("ns"),
            ),
            "end": pa.array([dt.date(2024, 2, 1), None, None, dt.date(2023, 1, 1)]),
            "cancelled": pa.array(
                [dt.datetime(2024, 1, 20, 12, tzinfo=dt.UTC)] * 4,
                pa.timestamp("us", tz="UTC"),
            ),
            "mrr": pa.array([decimal.Decimal("10.50"), None, None, None]),
            "seats": pa.array([1, 2, 3, 4], pa.int16()),
            "tier": pa.array(["a", "b", "a", "b"]).dictionary_encode(),
        }
    )
    pq.write_table(table, path)
    return path


def test_typed_values(subscriptions):
    result = read_table(
        subscriptions,
        mapping={"started_at": "start", "ended_at": "end", "canceled_at": "cancelled"},
        tz="Europe/Warsaw",
    )
    assert result.n_read == 4 and result.n_accepted == 2
    # naive timestamps and dates are local times; a zoned timestamp is an instant
    assert values(result, "started_at") == [
        dt.datetime(2024, 1, 1, 9),
        dt.datetime(2024, 6, 30, 22),
    ]
    assert values(result, "ended_at") == [dt.datetime(2024, 1, 31, 23), None]
    assert values(result, "canceled_at") == [dt.datetime(2024, 1, 20, 12)] * 2
    assert values(result, "mrr") == [10.5, None]
    assert values(result, "seats") == ["1", "2"]
    assert values(result, "tier") == ["a", "b"]
    assert result.accepted_lines.to_pylist() == [1, 2]  # row numbers
    assert rejections(result) == [
        (3, "Customer_ID", "customer_id is missing (a value is required)"),
        (
            4,
            "end",
            "end (ended_at) '2023-01-01' is before start (started_at) "
            "'2024-01-01 00:00:00'",
        ),
    ]


def test_wrong_kind_of_typed_column(tmp_path):
    path = tmp_path / "subscriptions.parquet"
    pq.write_table(pa.table({"customer_id": ["C1"], "started_at": [1704067200]}), path)
    with pytest.raises(SchemaError, match="'started_at' holds values of type int64"):
        read_table(path)


def test_numeric_nan_is_missing_and_infinity_rejected(tmp_path):
    path = tmp_path / "subscriptions.parquet"
    table = pa.table(
        {
            "customer_id": ["C1", "C2"],
            "started_at": [dt.date(2024, 1, 1)] * 2,
            "mrr": [float("nan"), float("inf")],
        }
    )
    pq.write_table(table, path)
    result = read_table(path)
    assert values(result, "mrr") == [None]
    assert rejections(result) == [(2, "mrr", "mrr 'inf' is not a finite number")]
