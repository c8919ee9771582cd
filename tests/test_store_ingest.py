"""Loading sources into the store: all or nothing, idempotent, nothing lost."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import churnlens
from churnlens import InputError, RejectedRowsError, Store

SUBSCRIPTIONS = """\
subscription_id,customer_id,started_at,ended_at,mrr,plan
s1,alice,2024-01-10,,49,team
s2,bob,2023-11-05,2024-02-01,29,starter
s3,carol,2023-12-01,2024-01-20,29,starter
"""

CUSTOMERS = """\
customer_id,country,owner
alice,PL,Ola
bob,DK,Mads
carol,LT,Rūta
"""

TICKETS = """\
ticket_id,customer_id,created_at,first_response_at,status
t1,alice,2024-01-11T09:00:00Z,2024-01-11T10:00:00Z,resolved
t2,zoe,2024-01-12T09:00:00Z,,open
t3,bob,2024-01-13T09:00:00Z,,open
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(db: Path) -> dict[str, int]:
    with Store.open(db, read_only=True) as store:
        return {t: store.count(t) for t in churnlens.TABLES}


def test_ingest_loads_tables_and_spells(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    report = churnlens.ingest(
        [
            write(tmp_path, "subscriptions.csv", SUBSCRIPTIONS),
            write(tmp_path, "customers.csv", CUSTOMERS),
        ],
        db,
    )
    # customers load first: other tables are checked against them
    assert [s.table for s in report.sources] == ["customers", "subscriptions"]
    assert (report.n_read, report.n_accepted, report.n_rejected) == (6, 6, 0)
    assert counts(db)["subscriptions"] == 3
    with Store.open(db, read_only=True) as store:
        spells = store.table("spells").to_pandas()
        subs = store.table("subscriptions").to_pandas()
    assert sorted(spells.customer_id) == ["alice", "bob", "carol"]
    # every stored row can be traced back to its file and line
    assert sorted(subs["_line"]) == [2, 3, 4]
    assert "Total: read 6 = accepted 6 + rejected 0" in str(report)


def test_the_same_file_twice_adds_nothing(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    subs = write(tmp_path, "subscriptions.csv", SUBSCRIPTIONS)
    churnlens.ingest(subs, db)
    again = churnlens.ingest(subs, db)
    assert again.sources[0].skipped
    assert "already ingested" in str(again.sources[0])
    assert counts(db)["subscriptions"] == 3


def test_a_key_already_stored_is_rejected_with_its_origin(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    churnlens.ingest(write(tmp_path, "subscriptions.csv", SUBSCRIPTIONS), db)
    later = write(
        tmp_path,
        "subscriptions-2.csv",
        "subscription_id,customer_id,started_at\ns9,dan,2024-02-01\ns2,bob,2024-03-01\n",
    )
    report = churnlens.ingest(later, db)
    source = report.sources[0]
    assert (source.n_read, source.n_accepted, source.n_rejected) == (2, 1, 1)
    quarantine = pd.read_csv(source.quarantine)
    row = quarantine.iloc[0]
    assert row.line == 3 and row.column == "subscription_id"
    assert "duplicate subscription_id 's2': already in the store" in row.reason
    assert "subscriptions.csv line 3" in row.reason
    assert counts(db)["subscriptions"] == 4


def test_tickets_of_unknown_customers_are_rejected(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    report = churnlens.ingest(
        [
            write(tmp_path, "tickets.csv", TICKETS),
            write(tmp_path, "customers.csv", CUSTOMERS),
        ],
        db,
    )
    tickets = report.sources[1]
    assert (tickets.n_read, tickets.n_accepted, tickets.n_rejected) == (3, 2, 1)
    with Store.open(db, read_only=True) as store:
        rejected = store.quarantine("tickets").to_pandas()
    assert rejected.line.tolist() == [3]
    assert "unknown customer 'zoe'" in rejected.reason.iloc[0]


def test_tickets_need_customers_or_subscriptions(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no customers or subscriptions"):
        churnlens.ingest(write(tmp_path, "tickets.csv", TICKETS), tmp_path / "s.duckdb")


def test_strict_aborts_everything_and_leaves_the_store_unchanged(
    tmp_path: Path,
) -> None:
    db = tmp_path / "store.duckdb"
    churnlens.ingest(write(tmp_path, "customers.csv", CUSTOMERS), db)
    before = counts(db)
    bad = write(
        tmp_path,
        "subscriptions.csv",
        SUBSCRIPTIONS + "s4,dan,2024-02-01,2024-01-01,10,team\n",
    )
    with pytest.raises(RejectedRowsError) as caught:
        churnlens.ingest(
            [bad, write(tmp_path, "more-customers.csv", "customer_id\ndan\n")],
            db,
            table=None,
            strict=True,
        )
    assert caught.value.line == 5 and caught.value.column == "ended_at"
    assert "nothing was ingested" in str(caught.value)
    assert counts(db) == before


def test_replace_empties_the_table_first(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    churnlens.ingest(write(tmp_path, "subscriptions.csv", SUBSCRIPTIONS), db)
    newer = write(
        tmp_path, "subscriptions-new.csv", "customer_id,started_at\nalice,2024-01-10\n"
    )
    churnlens.ingest(newer, db, replace=True)
    assert counts(db)["subscriptions"] == 1
    with Store.open(db, read_only=True) as store:
        assert [i["source"] for i in store.ingests()] == [str(newer)]
        assert store.table("spells").count().execute() == 1


def test_later_files_may_bring_new_attribute_columns(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    churnlens.ingest(write(tmp_path, "customers.csv", CUSTOMERS), db)
    churnlens.ingest(
        write(tmp_path, "customers-2.csv", "customer_id,tier\ndan,gold\n"), db
    )
    with Store.open(db, read_only=True) as store:
        frame = store.table("customers").to_pandas().set_index("customer_id")
    assert frame.loc["dan", "tier"] == "gold"
    assert pd.isna(frame.loc["alice", "tier"])
    assert frame.loc["carol", "owner"] == "Rūta"


def test_churn_from_the_store_equals_churn_from_the_file(tmp_path: Path) -> None:
    example = Path(__file__).parents[1] / "examples" / "subscriptions.csv"
    db = tmp_path / "store.duckdb"
    churnlens.ingest(example, db)
    with Store.open(db, read_only=True) as store:
        from_store = churnlens.churn_rate(store, period="month", end="2024-03-31")
    from_file = churnlens.churn_rate(example, period="month", end="2024-03-31")
    pd.testing.assert_frame_equal(from_store, from_file)
    march = from_file[from_file.period_start == dt.date(2024, 3, 1)].iloc[0]
    assert (march.customers_start, march.churned, march.reactivated) == (2, 0, 1)


def test_opening_a_missing_store_read_only_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no churnlens store") as caught:
        Store.open(tmp_path / "none.duckdb", read_only=True)
    assert "churnlens ingest" in str(caught.value)


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    junk = write(tmp_path, "junk.duckdb", "hello")
    with pytest.raises(InputError, match="not a churnlens store"):
        Store.open(junk, read_only=True)


@pytest.mark.slow
def test_a_killed_ingest_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    churnlens.ingest(write(tmp_path, "customers.csv", CUSTOMERS), db)
    big = tmp_path / "subscriptions.csv"
    n = 400_000
    frame = pd.DataFrame(
        {
            "subscription_id": [f"s{i}" for i in range(n)],
            "customer_id": [f"c{i % 50_000}" for i in range(n)],
            "started_at": "2024-01-01",
            "ended_at": "2024-06-01",
        }
    )
    frame.to_csv(big, index=False)
    script = textwrap.dedent(
        f"""
        import churnlens
        churnlens.ingest({str(big)!r}, {str(db)!r})
        """
    )
    for delay in (0.5, 1.5, 3.0):
        child = subprocess.Popen([sys.executable, "-c", script])
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        n_subs = counts(db)["subscriptions"]
        assert n_subs in (0, n)
        if n_subs == n:
            break
    assert counts(db)["customers"] == 3
