"""The ``read_table`` contract: shapes, types, accounting, a real data set, and
the invariant read = accepted + rejected on random messy files."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _datasets import dataset, needs_datasets
from churnlens.inputs import QUARANTINE_SCHEMA, ReadResult, read_table
from churnlens.schema import SUBSCRIPTIONS, TABLES
from inputs._helpers import values

_TYPES = {
    "string": pa.string(),
    "timestamp": pa.timestamp("us"),
    "number": pa.float64(),
    "integer": pa.int64(),
}


def test_result_contract(write):
    text = (
        "customer_id,started_at,mrr,Region\n"
        "C1,2024-01-01,10,EU\n"
        "C2,bad,5,US\n"
        "C3,2024-01-03,,\n"
    )
    path = write("subscriptions.csv", text)
    result = read_table(path)
    assert isinstance(result, ReadResult)
    assert (result.table, result.label) == ("subscriptions", str(path))
    expected = [(c.name, _TYPES[c.kind]) for c in SUBSCRIPTIONS.columns]
    schema = result.accepted.schema
    assert list(zip(schema.names, schema.types, strict=True)) == [
        *expected,
        ("Region", pa.string()),
    ]
    assert result.accepted_lines.type == pa.int64()
    assert result.accepted_lines.to_pylist() == [2, 4]
    assert result.rejected.schema == QUARANTINE_SCHEMA
    assert (result.n_read, result.n_accepted, result.n_rejected) == (3, 2, 1)
    assert result.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.mapping == {
        "customer_id": "customer_id",
        "started_at": "started_at",
        "mrr": "mrr",
    }
    row = result.rejected.to_pylist()[0]
    assert row["source"] == str(path) and row["line"] == 3
    assert json.loads(row["record"]) == {
        "customer_id": "C2",
        "started_at": "bad",
        "mrr": "5",
        "Region": "US",
    }
    assert "read 3, accepted 2, rejected 1" in str(result)


def test_clean_file_has_an_empty_quarantine(write):
    result = read_table(write("customers.csv", "customer_id\nC1\nC2\n"))
    assert result.rejected.num_rows == 0
    assert result.rejected.schema == QUARANTINE_SCHEMA
    assert result.accepted.column_names == list(TABLES["customers"].column_names)


RAVENSTACK = dataset("ravenstack_saas_synthetic")


@needs_datasets
def test_ravenstack_subscriptions():
    # Synthetic B2B SaaS data (River @ Rivalytics, see SOURCE.md): 5,000
    # subscriptions, 486 of them ended, dates 2023-2024.
    result = read_table(
        RAVENSTACK / "ravenstack_subscriptions.csv",
        mapping={
            "customer_id": "account_id",
            "started_at": "start_date",
            "ended_at": "end_date",
            "mrr": "mrr_amount",
            "plan": "plan_tier",
            "billing_period": "billing_frequency",
        },
    )
    assert result.table == "subscriptions"
    assert (result.n_read, result.n_accepted, result.n_rejected) == (5000, 5000, 0)
    accepted = result.accepted
    assert accepted.column("ended_at").null_count == 5000 - 486
    assert accepted.column("customer_id").null_count == 0
    starts = accepted.column("started_at")
    assert min(starts.to_pylist()) >= dt.datetime(2023, 1, 1)
    assert max(starts.to_pylist()) < dt.datetime(2025, 1, 1)
    assert "seats" in accepted.column_names  # kept as an attribute


@needs_datasets
def test_ravenstack_support_tickets():
    result = read_table(
        RAVENSTACK / "ravenstack_support_tickets.csv",
        mapping={
            "customer_id": "account_id",
            "created_at": "submitted_at",
            "resolved_at": "closed_at",
            "satisfaction": "satisfaction_score",
        },
    )
    assert result.table == "tickets"
    assert (result.n_read, result.n_rejected) == (2000, 0)
    scores = [s for s in values(result, "satisfaction") if s is not None]
    assert scores and set(scores) <= {1.0, 2.0, 3.0, 4.0, 5.0}


# Fields chosen to hit every rule and every corner of the CSV reader.
_FIELDS = st.sampled_from(
    [
        "",
        "C1",
        "C2",
        "2024-01-01",
        "2024-02-30",
        "2024-01-01T10:00:00+02:00",
        "9999-12-31",
        "NULL",
        "-5",
        "12.5",
        "1,5",
        "x",
        '"',
        'a"b',
        "multi\nline",
        "semi;colon",
        " ",
        "\r",
        "ż",
    ]
)
_ROWS = st.lists(st.lists(_FIELDS, min_size=0, max_size=7), min_size=1, max_size=25)
_HEADER = "subscription_id,customer_id,started_at,ended_at,mrr\n"


def _records(text: str) -> int:
    """Non-blank data records, as Python's csv module splits them."""
    rows = csv.reader(io.StringIO(text, newline=""))
    return sum(1 for row in rows if row) - 1


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(rows=_ROWS, quote_all=st.booleans())
def test_nothing_is_lost_on_messy_files(rows, quote_all):
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(buffer, quoting=quoting, lineterminator="\n").writerows(rows)
    text = _HEADER + buffer.getvalue()
    if _records(text) < 1:
        return  # header only: a file-level error, tested elsewhere
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "subscriptions.csv"
        path.write_text(text, encoding="utf-8", newline="")
        result = read_table(path)
    assert result.n_read == result.n_accepted + result.n_rejected
    assert result.n_read == _records(text)
    lines = result.accepted_lines.to_pylist() + result.rejected["line"].to_pylist()
    assert len(set(lines)) == len(lines)  # each record is in exactly one place
    keys = [k for k in values(result, "subscription_id") if k is not None]
    assert len(keys) == len(set(keys))


def test_raw_records_and_source_columns_of_accepted_rows(write):
    text = (
        "ID,Account,Start,subscription_id,Region\n"
        "s1,a,2024-01-01T10:00:00+02:00,x1,EU\n"
        "s2,b,not a date,x2,US\n"
        "s3,c,2024-02-01, ,\n"
    )
    mapping = {"subscription_id": "ID", "customer_id": "Account", "started_at": "Start"}
    result = read_table(write("subs.csv", text), table="subscriptions", mapping=mapping)
    assert result.n_accepted == 2
    records = result.raw_records(np.array([1, 0, 1])).to_pylist()
    # The format of the quarantine's records, the source's text untouched.
    assert result.rejected.column("record").to_pylist() == [
        '{"ID":"s2","Account":"b","Start":"not a date","subscription_id":"x2",'
        '"Region":"US"}'
    ]
    assert records == [
        '{"ID":"s3","Account":"c","Start":"2024-02-01","subscription_id":" ",'
        '"Region":""}',
        '{"ID":"s1","Account":"a","Start":"2024-01-01T10:00:00+02:00",'
        '"subscription_id":"x1","Region":"EU"}',
        records[0],
    ]
    assert result.raw_records(np.array([], dtype=np.int64)).to_pylist() == []
    with pytest.raises(IndexError, match=r"0\.\.1"):
        result.raw_records(np.array([2]))
    shown = {
        c: result.source_column(c)
        for c in ("subscription_id", "customer_id", "started_at", "ended_at")
    }
    assert shown == {
        "subscription_id": "ID",
        "customer_id": "Account",
        "started_at": "Start",
        "ended_at": "ended_at",
    }
    assert result.source_column("subscription_id_unmapped") == "subscription_id"
    assert result.source_column("Region") == "Region"


def test_raw_records_of_a_typed_source(tmp_path):
    table = pa.table(
        {"customer_id": [1, 2], "started_at": [dt.datetime(2024, 1, 1)] * 2}
    )
    path = tmp_path / "subscriptions.parquet"
    pq.write_table(table, path)
    result = read_table(path)
    assert json.loads(result.raw_records(np.array([1])).to_pylist()[0]) == {
        "customer_id": "2",
        "started_at": "2024-01-01 00:00:00",
    }
