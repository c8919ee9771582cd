"""Helpdesk presets on hand-written exports (columns from the vendors' docs)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlens.cli.ingest import ingest as ingest_command
from churnlens.errors import ConfigError, SchemaError
from churnlens.inputs.load import ingest
from churnlens.inputs.presets import Duration, Labels, Preset
from churnlens.inputs.read import read_table
from churnlens.store import Store

HELPDESK = Path(__file__).parent / "data" / "helpdesk"


def rows(result, *columns):
    return [tuple(r[c] for c in columns) for r in result.accepted.to_pylist()]


def test_zendesk_export_maps_every_column():
    r = read_table(HELPDESK / "zendesk_tickets.csv", preset="zendesk")
    assert (r.table, r.n_read, r.n_rejected) == ("tickets", 5, 0)
    got = {x["ticket_id"]: x for x in r.accepted.to_pylist()}
    first = got["101"]
    assert first["customer_id"] == "ann@acme.test"
    assert first["created_at"] == datetime(2024, 3, 1, 9)
    # created at + 90 "First reply time in minutes"
    assert first["first_response_at"] == datetime(2024, 3, 1, 10, 30)
    assert first["resolved_at"] == datetime(2024, 3, 2, 10, 30)
    assert (first["status"], first["channel"], first["satisfaction"]) == (
        "closed",
        "email",
        5.0,
    )
    assert got["103"]["satisfaction"] == 1.0  # Bad
    assert got["102"]["satisfaction"] is None  # Offered, not answered
    assert got["104"]["channel"] == "phone"
    assert got["105"]["channel"] == "api"
    assert [got[k]["reopens"] for k in sorted(got)] == [0, 1, 0, 0, 2]
    assert r.mapping["first_response_at"] == "Created at + First reply time in minutes"
    # unmapped export columns stay, under their own names
    assert "Priority" in r.accepted.column_names


def test_freshdesk_export():
    r = read_table(HELPDESK / "freshdesk_tickets.csv", preset="freshdesk")
    assert r.n_rejected == 0
    assert rows(r, "ticket_id", "first_response_at", "channel", "satisfaction") == [
        ("1", datetime(2024, 2, 1, 10, 45), "email", 5.0),
        ("2", None, "web", None),
        ("3", datetime(2024, 2, 10, 9), "phone", 1.0),
        ("4", datetime(2024, 2, 15, 13, 2), "chat", 3.0),
    ]
    assert rows(r, "customer_id")[0] == ("ann@acme.test",)


def test_liveagent_export_decodes_one_letter_codes():
    r = read_table(HELPDESK / "liveagent_tickets.csv", preset="LiveAgent")
    assert r.n_rejected == 0
    assert rows(r, "ticket_id", "status", "channel") == [
        ("ABC-DEF-001", "resolved", "email"),
        ("ABC-DEF-002", "closed", "chat"),
        ("ABC-DEF-003", "new", "phone"),
        ("ABC-DEF-004", "open", "social"),
    ]


def test_bad_values_are_quarantined_with_line_column_and_record():
    r = read_table(HELPDESK / "zendesk_messy.csv", preset="zendesk")
    assert r.n_read == r.n_accepted + r.n_rejected == 7
    rejected = {x["line"]: x for x in r.rejected.to_pylist()}
    assert sorted(rejected) == [2, 3, 4, 5, 6, 8]
    assert rejected[2]["column"] == "Satisfaction Score"
    assert "'Great' is not a value zendesk exports" in rejected[2]["reason"]
    assert "good" in rejected[2]["reason"]
    assert rejected[3]["column"] == "First reply time in minutes"
    assert "'-5' is not a number of minutes" in rejected[3]["reason"]
    assert rejected[4]["column"] == "Reopens"
    # every problem of a row is named, the preset's first
    assert "'1h'" in rejected[5]["reason"]
    assert "customer_id) is missing" in rejected[5]["reason"]
    assert rejected[6]["column"] == "Created at"
    assert "is before" in rejected[8]["reason"]
    # the record is the export's own text, not the converted one
    assert json.loads(rejected[2]["record"])["Satisfaction Score"] == "Great"
    # the duplicate id 201 on line 7 is kept: line 2, its first, was rejected
    assert rows(r, "ticket_id", "satisfaction") == [("201", 5.0)]


def test_missing_optional_columns_stay_empty_and_offsets_are_read():
    r = read_table(HELPDESK / "zendesk_minimal.csv", preset="zendesk")
    assert rows(r, "ticket_id", "created_at", "first_response_at", "status") == [
        ("301", datetime(2024, 5, 1, 7), None, None),
        ("302", datetime(2024, 5, 2, 16), None, None),
    ]


def test_a_missing_customer_column_is_a_schema_error_with_a_hint():
    with pytest.raises(SchemaError) as e:
        read_table(HELPDESK / "zendesk_no_requester.csv", preset="zendesk")
    assert "customer_id" in str(e.value) and "--map customer_id=" in str(e.value)


def test_a_mapping_overrides_the_preset():
    r = read_table(
        HELPDESK / "zendesk_tickets.csv",
        preset="zendesk",
        mapping={"customer_id": "Organization"},
    )
    assert rows(r, "customer_id")[:2] == [("Acme",), ("Beta",)]


def test_unknown_preset_and_wrong_table():
    with pytest.raises(ConfigError, match="unknown preset"):
        read_table(HELPDESK / "zendesk_tickets.csv", preset="helpscout")
    with pytest.raises(ConfigError, match="reads tickets"):
        read_table(HELPDESK / "zendesk_tickets.csv", preset="zendesk", table="activity")


def test_a_preset_of_ones_own(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "key,who,opened,wait_h,score\n"
        "k1,c1,2024-01-01 10:00,1.5,top\n"
        "k2,c2,2024-01-02 10:00,,meh\n"
    )
    mine = Preset(
        "mine",
        columns={
            "ticket_id": ("key",),
            "customer_id": ("who",),
            "created_at": ("opened",),
            "satisfaction": ("score",),
        },
        durations={"first_response_at": (Duration(("wait_h",), 3600),)},
        labels={"satisfaction": Labels({"top": "5", "meh": "3"}, other="reject")},
    )
    r = read_table(path, preset=mine)
    assert rows(r, "first_response_at", "satisfaction") == [
        (datetime(2024, 1, 1, 11, 30), 5.0),
        (None, 3.0),
    ]


def _customers(folder: Path) -> Path:
    path = folder / "customers.csv"
    path.write_text("customer_id\nann@acme.test\nbob@beta.test\ncid@gamma.test\n")
    return path


def test_ingest_with_a_preset_loads_the_store_and_quarantine(tmp_path):
    db = tmp_path / "store.duckdb"
    ingest(_customers(tmp_path), db)
    report = ingest(HELPDESK / "zendesk_messy.csv", db, preset="zendesk")
    assert (report.n_read, report.n_accepted, report.n_rejected) == (7, 1, 6)
    with Store.open(db, read_only=True) as store:
        stored = store.table("tickets").to_pyarrow().to_pylist()
        assert [t["ticket_id"] for t in stored] == ["201"]
        assert stored[0]["reopens"] == 0
        quarantined = store.quarantine("tickets").to_pyarrow().to_pylist()
        assert sorted(q["line"] for q in quarantined) == [2, 3, 4, 5, 6, 8]
    again = ingest(HELPDESK / "zendesk_messy.csv", db, preset="zendesk")
    assert again.sources[0].skipped


def test_cli_ingest_preset(tmp_path):
    db = tmp_path / "store.duckdb"
    ingest(_customers(tmp_path), db)
    result = CliRunner().invoke(
        ingest_command,
        [
            str(HELPDESK / "freshdesk_tickets.csv"),
            "--preset",
            "freshdesk",
            "--db",
            str(db),
            "--config",
            str(tmp_path / "churnlens.toml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "read 4, accepted 4, rejected 0" in result.output


def test_a_parquet_export_with_typed_columns(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "zendesk_export.parquet"
    table = pa.table(
        {
            "Id": pa.array([1, 2], pa.int64()),
            "Requester email": ["ann@acme.test", "bob@beta.test"],
            "Created at": pa.array(
                [datetime(2024, 3, 1, 9), datetime(2024, 3, 2, 9)], pa.timestamp("s")
            ),
            "First reply time in minutes": pa.array([90.0, None]),
            "Satisfaction Score": ["good", "unoffered"],
            "Reopens": pa.array([0, 3], pa.int64()),
        }
    )
    pq.write_table(table, path)
    r = read_table(path, preset="zendesk")
    assert rows(r, "ticket_id", "first_response_at", "satisfaction", "reopens") == [
        ("1", datetime(2024, 3, 1, 10, 30), 5.0, 0),
        ("2", None, None, 3),
    ]


def test_rows_the_store_rejects_keep_the_export_record(tmp_path):
    db = tmp_path / "store.duckdb"
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id\nann@acme.test\nbob@beta.test\n")
    ingest(customers, db)
    report = ingest(HELPDESK / "zendesk_tickets.csv", db, preset="zendesk")
    assert (report.n_accepted, report.n_rejected) == (4, 1)
    with Store.open(db, read_only=True) as store:
        (row,) = store.quarantine("tickets").to_pyarrow().to_pylist()
    assert row["line"] == 5 and row["column"] == "Requester email"
    record = json.loads(row["record"])
    assert record["Via"] == "Phone call (incoming)"
    assert record["Satisfaction Score"] == "Not Offered"


@settings(max_examples=30, deadline=None)
@given(
    minutes=st.lists(
        st.one_of(
            st.integers(-5, 10_000).map(str),
            st.floats(0, 1e4, allow_nan=False).map(lambda x: f"{x:.3f}"),
            st.sampled_from(["", "NULL", "1h", "abc", " 7 "]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_reply_minutes_give_the_response_instant_or_a_rejection(minutes):
    import tempfile

    lines = ["Id,Requester email,Created at,First reply time in minutes"]
    lines += [f"{i},c{i},2024-01-01 00:00:00,{m}" for i, m in enumerate(minutes)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_text("\n".join(lines) + "\n")
        r = read_table(path, preset="zendesk")
    assert r.n_read == r.n_accepted + r.n_rejected == len(minutes)
    accepted = {int(x["ticket_id"]): x for x in r.accepted.to_pylist()}
    for i, text in enumerate(minutes):
        value = text.strip()
        if value in ("", "NULL"):
            assert accepted[i]["first_response_at"] is None
            continue
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is None or number < 0:
            assert i not in accepted
            continue
        expected = datetime(2024, 1, 1) + timedelta(minutes=number)
        got = accepted[i]["first_response_at"]
        assert abs((got - expected).total_seconds()) < 1e-3
