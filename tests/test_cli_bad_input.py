"""The installed ``churnlens`` command against the messy files real analysts have.

Every test runs ``.venv/bin/churnlens`` in a subprocess, in its own folder, and
checks what the product promises for bad input: exit code 2 and one paragraph on
stderr naming the file, line and column with a hint, never a traceback; nothing lost
silently (read = accepted + rejected, and the quarantine CSV holds every rejected
row); --strict and failed ingests leave the store as it was; the same file twice adds
nothing; ``--map`` is saved in churnlens.toml and reused.
"""

from __future__ import annotations

import codecs
import csv
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from _datasets import dataset, needs_datasets

_BIN = Path(sys.executable).parent / "churnlens"
CHURNLENS = str(_BIN) if _BIN.exists() else (shutil.which("churnlens") or "churnlens")
RAVENSTACK = dataset("ravenstack_saas_synthetic")

SUBSCRIPTIONS = """\
subscription_id,customer_id,started_at,ended_at,mrr,plan
s1,alice,2024-01-10,,49,team
s2,bob,2023-11-05,2024-02-01,29,starter
s3,carol,2023-12-01,2024-01-20,29,starter
s4,carol,2024-03-03,,29,starter
"""


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return (
            f"churnlens {' '.join(self.args)} -> exit {self.code}\n"
            f"--- stdout\n{self.out}\n--- stderr\n{self.err}"
        )


def churnlens(cwd: Path, *args: str, timeout: float = 120) -> Run:
    done = subprocess.run(
        [CHURNLENS, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(tuple(args), done.returncode, done.stdout, done.stderr)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def assert_user_error(run: Run, *needles: str) -> None:
    """Exit 2 and, last on stderr, one paragraph 'Error: ...' with a hint, naming
    ``needles`` (``rate FILE`` may first say on stderr what it read)."""
    assert run.code == 2, run
    assert "Traceback" not in run.out + run.err, run
    assert "internal error" not in run.err, run
    assert "Error: " in run.err, run
    message = run.err[run.err.index("Error: ") :].strip()
    assert "\n\n" not in message, run
    assert "\nHint: " in message, run
    for needle in needles:
        assert needle in message, f"{needle!r} not in the message\n{run}"


def assert_no_crash(run: Run) -> None:
    assert "Traceback" not in run.out + run.err, run
    assert "internal error" not in run.err, run
    assert run.code in (0, 2), run


def quarantined(folder: Path) -> list[dict[str, str]]:
    """Every row of every quarantine CSV under ``folder``."""
    rows: list[dict[str, str]] = []
    for path in sorted(folder.rglob("*.rejected.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows.extend(csv.DictReader(f))
    return rows


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """All rows of every table of the store, for before/after comparisons."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables ORDER BY 1"
            ).fetchall()
        ]
        return {
            n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"').fetchall()))
            for n in names
        }
    finally:
        con.close()


# -- file-level and option errors: exit 2, located, with a hint ----------------------
#
# Each case is (setup writing files into its folder, arguments, words the message
# must contain). They are independent, so they run a few at a time.

Setup = Callable[[Path], object]


def _subs(folder: Path) -> None:
    write(folder, "subscriptions.csv", SUBSCRIPTIONS)


def _parquet(folder: Path) -> None:
    table = pa.table({"customer_id": ["a", "b"], "started_at": [20240101, 20240102]})
    pq.write_table(table, folder / "subscriptions.parquet")


def _mapped(folder: Path) -> None:
    write(folder, "subs.csv", "Account,Start\na,2024-01-01\n")


def _corrupt_store(folder: Path) -> None:
    _subs(folder)
    write(folder, "broken.duckdb", b"this is not a database\n" * 100)


ERROR_CASES: dict[str, tuple[Setup, tuple[str, ...], tuple[str, ...]]] = {
    "a folder, not a file": (
        lambda d: (d / "exports").mkdir(),
        ("ingest", "exports"),
        ("exports", "folder"),
    ),
    "excel workbook": (
        lambda d: write(d, "subscriptions.xlsx", b"PK\x03\x04junk"),
        ("ingest", "subscriptions.xlsx"),
        ("subscriptions.xlsx", "CSV UTF-8"),
    ),
    "header only, CRLF, trailing blank lines": (
        lambda d: write(d, "subscriptions.csv", "customer_id,started_at\r\n\r\n\r\n"),
        ("ingest", "subscriptions.csv"),
        ("subscriptions.csv", "line 1", "no data rows"),
    ),
    "excel 'unicode text' (UTF-16)": (
        lambda d: write(
            d, "customers.csv", "customer_id\tname\nc1\tZoë\n".encode("utf-16")
        ),
        ("ingest", "customers.csv"),
        ("customers.csv", "UTF-16", "UTF-8"),
    ),
    "windows-1252 bytes on line 3": (
        lambda d: write(
            d, "customers.csv", b"customer_id,name\nc1,Ann\nc2,Caf\xe9 M\xfcller\n"
        ),
        ("ingest", "customers.csv"),
        ("customers.csv", "line 3", "0xE9", "iconv"),
    ),
    "parquet dates stored as integers": (
        _parquet,
        ("ingest", "subscriptions.parquet"),
        ("subscriptions.parquet", "column 'started_at'", "int64"),
    ),
    "a corrupt store": (
        _corrupt_store,
        ("ingest", "subscriptions.csv", "--db", "broken.duckdb"),
        ("broken.duckdb", "not a churnlens store"),
    ),
    "invalid --tz": (
        _subs,
        ("rate", "subscriptions.csv", "--tz", "Mars/Olympus"),
        ("Mars/Olympus", "Europe/Warsaw"),
    ),
    "--from after --to": (
        _subs,
        ("rate", "subscriptions.csv", "--from", "2024-05-01", "--to", "2024-01-01"),
        ("2024-05-01", "--from"),
    ),
    "unknown --by column": (
        _subs,
        ("rate", "subscriptions.csv", "--by", "contry"),
        ("contry", "customer_id"),
    ),
    "unreachable PostgreSQL": (
        _subs,
        (
            "rate",
            "subscriptions.csv",
            "--engine",
            "postgresql://u:s3cret@127.0.0.1:1/x",
        ),
        ("127.0.0.1", "check the URL"),
    ),
    "--map to a source column with a typo": (
        _mapped,
        ("ingest", "subs.csv", "--table", "subscriptions")
        + ("--map", "customer_id=Acount", "--map", "started_at=Start"),
        ("subs.csv", "'Acount'", "Account"),
    ),
}


def test_bad_files_and_options_are_located_errors_with_a_hint(tmp_path: Path) -> None:
    def attempt(item: tuple[str, tuple[Setup, tuple[str, ...], tuple[str, ...]]]):
        name, (setup, args, _) = item
        folder = tmp_path / "".join(c if c.isalnum() else "_" for c in name)
        folder.mkdir()
        setup(folder)
        return name, folder, churnlens(folder, *args)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(attempt, ERROR_CASES.items()))
    failures = []
    for name, folder, run in results:
        try:
            assert_user_error(run, *ERROR_CASES[name][2])
            if name == "unreachable PostgreSQL":
                assert "s3cret" not in run.err, "the password is shown"
            if name.startswith("--map"):
                assert not (folder / "churnlens.toml").exists(), "bad mapping saved"
        except AssertionError as e:
            failures.append(f"[{name}] {e}")
    assert not failures, "\n\n".join(failures)


# -- row-level problems: rejected with file, line, column; nothing lost ---------------


def test_excel_semicolon_export_with_bom_crlf_and_decimal_commas(
    tmp_path: Path,
) -> None:
    rows = [
        "subscription_id;customer_id;started_at;ended_at;mrr;cancel_feedback",
        "s1;a;2024-01-01;;49.90;",
        's2;b;2024-01-02;2024-02-01;"49,90";',
        's3;c;2024-01-03;2024-03-01;10;"too\r\nexpensive"',
        "s4;d;03/04/2024;;10;",
        "s5;e;2024-01-05;;1 234;",
        "",
        "",
    ]
    data = codecs.BOM_UTF8 + "\r\n".join(rows).encode("utf-8")
    write(tmp_path, "subscriptions.csv", data)
    run = churnlens(tmp_path, "ingest", "subscriptions.csv")
    assert run.code == 0, run
    assert "read 5 = accepted 2 + rejected 3" in run.out, run
    found = {int(r["line"]): r for r in quarantined(tmp_path / "quarantine")}
    # line numbers count physical lines: s3's quoted field spans lines 4 and 5
    assert sorted(found) == [3, 6, 7], found
    assert found[3]["column"] == "mrr" and "49,90" in found[3]["reason"]
    assert "dot" in found[3]["reason"]  # the hint for a decimal comma
    assert found[6]["column"] == "started_at" and "ISO 8601" in found[6]["reason"]
    assert json.loads(found[6]["record"])["started_at"] == "03/04/2024"
    assert found[7]["column"] == "mrr"
    stored = query(tmp_path / "churnlens.duckdb", "SELECT _line FROM subscriptions")
    assert sorted(r[0] for r in stored) == [2, 4]


def test_mixed_dates_offsets_and_money(tmp_path: Path) -> None:
    write(
        tmp_path,
        "subscriptions.csv",
        "subscription_id,customer_id,started_at,ended_at,mrr\n"
        "s1,a,2024-01-01T10:00:00Z,2024-02-01T00:00:00+02:00,10\n"  # 2 ok
        "s2,b,2024-13-01,,10\n"  # 3 month 13
        "s3,c,2024-03-01,2024-02-01,10\n"  # 4 ends before it starts
        "s4,d,2024-01-01,,-5\n"  # 5 negative
        "s5,e,2024-01-01,,€49\n"  # 6 currency sign
        "s6,f,2024-01-01 10:00:00+0530,,0\n"  # 7 ok
        "s7,g,2024-02-30,,1\n"  # 8 no such day
        "s8,h,2024-01-01,9999-12-31,1\n"  # 9 placeholder
        "s9,i,2024-01-05,,1\n",  # 10 ok, local midnight in Warsaw
    )
    run = churnlens(tmp_path, "ingest", "subscriptions.csv", "--tz", "Europe/Warsaw")
    assert run.code == 0, run
    assert "read 9 = accepted 3 + rejected 6" in run.out, run
    found = {int(r["line"]): r["column"] for r in quarantined(tmp_path / "quarantine")}
    assert found == {
        3: "started_at",
        4: "ended_at",
        5: "mrr",
        6: "mrr",
        8: "started_at",
        9: "ended_at",
    }
    stored = dict(
        (r[0], (str(r[1]), str(r[2])))
        for r in query(
            tmp_path / "churnlens.duckdb",
            "SELECT subscription_id, started_at, ended_at FROM subscriptions",
        )
    )
    assert stored == {
        "s1": ("2024-01-01 10:00:00", "2024-01-31 22:00:00"),
        "s6": ("2024-01-01 04:30:00", "None"),
        "s9": ("2024-01-04 23:00:00", "None"),
    }


def test_duplicates_unknown_customers_and_ingesting_twice(tmp_path: Path) -> None:
    write(tmp_path, "customers.csv", "customer_id,country\na,PL\nb,DE\na,FR\n")
    write(
        tmp_path,
        "subscriptions.csv",
        "subscription_id,customer_id,started_at\n"
        "s1,a,2024-01-01\ns2,b,2024-01-01\ns1,b,2024-02-01\n",
    )
    write(
        tmp_path,
        "subscriptions_2.csv",
        "subscription_id,customer_id,started_at\ns2,c,2024-01-01\ns3,c,2024-01-01\n",
    )
    write(
        tmp_path,
        "tickets.csv",
        "ticket_id,customer_id,created_at\n"
        "t1,a,2024-01-02\nt2,zoe,2024-01-03\nt3,c,2024-01-04\n",
    )
    files = ("tickets.csv", "subscriptions_2.csv", "customers.csv", "subscriptions.csv")
    first = churnlens(tmp_path, "ingest", *files)
    assert first.code == 0, first
    assert "Total: read 11 = accepted 7 + rejected 4" in first.out, first
    reasons = " | ".join(r["reason"] for r in quarantined(tmp_path / "quarantine"))
    assert "customer_id 'a' repeats line 2" in reasons, reasons
    assert "subscription_id 's1' repeats line 2" in reasons, reasons
    assert "duplicate subscription_id 's2': already in the store" in reasons, reasons
    assert "unknown customer 'zoe'" in reasons, reasons
    db = tmp_path / "churnlens.duckdb"
    before = snapshot(db)

    shutil.copy(tmp_path / "subscriptions.csv", tmp_path / "subscriptions_copy.csv")
    again = churnlens(tmp_path, "ingest", *files, "subscriptions_copy.csv")
    assert again.code == 0, again
    assert again.out.count("already ingested") == 5, again
    assert "read 0 = accepted 0 + rejected 0" in again.out, again
    assert snapshot(db) == before


def test_a_strict_ingest_that_fails_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions.csv", SUBSCRIPTIONS)
    assert churnlens(tmp_path, "ingest", "subscriptions.csv").code == 0
    db = tmp_path / "churnlens.duckdb"
    before = snapshot(db)

    write(tmp_path, "customers.csv", "customer_id,country\nalice,PL\n")
    write(
        tmp_path,
        "subscriptions_2.csv",
        "subscription_id,customer_id,started_at\ns9,dan,2024-01-01\ns2,erin,2024-01-01\n",
    )
    strict = churnlens(
        tmp_path, "ingest", "customers.csv", "subscriptions_2.csv", "--strict"
    )
    assert_user_error(
        strict, "subscriptions_2.csv", "line 3", "column 'subscription_id'", "--strict"
    )
    assert snapshot(db) == before
    assert not (tmp_path / "quarantine").exists()


def test_json_lines_with_lines_that_are_not_objects(tmp_path: Path) -> None:
    write(
        tmp_path,
        "subscriptions.jsonl",
        '{"customer_id": "a", "started_at": "2024-01-01"}\n'
        "[1, 2, 3]\n"
        '{"customer_id": "b", "started_at": "2024-01-02"\n'
        '"just text"\n'
        "\n"
        '{"customer_id": "c", "started_at": "2024-01-03", "meta": {"x": 1}}\n',
    )
    run = churnlens(tmp_path, "ingest", "subscriptions.jsonl")
    assert run.code == 0, run
    assert "read 5 = accepted 2 + rejected 3" in run.out, run
    rows = quarantined(tmp_path / "quarantine")
    assert [int(r["line"]) for r in rows] == [2, 3, 4]
    assert all("not a JSON object" in r["reason"] for r in rows)
    assert json.loads(rows[1]["record"])["line_text"].startswith('{"customer_id": "b"')


@needs_datasets
def test_ravenstack_with_a_saved_mapping(tmp_path: Path) -> None:
    full = RAVENSTACK / "ravenstack_subscriptions.csv"
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == 5001
    write(tmp_path, "ravenstack_subscriptions_h1.csv", "".join(lines[:2501]))
    first = churnlens(
        tmp_path,
        "ingest",
        "ravenstack_subscriptions_h1.csv",
        *("--map", "customer_id=account_id", "--map", "started_at=start_date"),
        *("--map", "ended_at=end_date", "--map", "mrr=mrr_amount"),
    )
    assert first.code == 0, first
    assert "read 2,500 = accepted 2,500 + rejected 0" in first.out, first
    config = (tmp_path / "churnlens.toml").read_text(encoding="utf-8")
    assert 'customer_id = "account_id"' in config and 'mrr = "mrr_amount"' in config

    # The full export, later: the saved mapping applies; the first half is known.
    second = churnlens(tmp_path, "ingest", str(full))
    assert second.code == 0, second
    assert "read 5,000 = accepted 2,500 + rejected 2,500" in second.out, second
    rows = quarantined(tmp_path / "quarantine")
    assert len(rows) == 2500
    assert {r["column"] for r in rows} == {"subscription_id"}
    db = tmp_path / "churnlens.duckdb"
    assert query(db, "SELECT count(*), count(ended_at) FROM subscriptions") == [
        (5000, 486)
    ]


# -- regressions: bugs found by reviewing the command with messy files ---------------


def test_a_stray_quote_does_not_swallow_the_rest_of_the_file(tmp_path: Path) -> None:
    rows = ["subscription_id,customer_id,started_at,notes"]
    for i in range(1, 1001):
        note = '"oops' if i == 10 else "ok"  # a quote opened, never closed
        rows.append(f"s{i},c{i},2024-01-01,{note}")
    write(tmp_path, "subscriptions.csv", "\n".join(rows) + "\n")
    run = churnlens(tmp_path, "ingest", "subscriptions.csv")
    assert_no_crash(run)
    if run.code == 2:
        assert_user_error(run, "subscriptions.csv", "line 11")
    else:  # every record accounted for, the broken one(s) quarantined
        assert "read 1,000 = " in run.out, run


def test_same_named_sources_keep_all_their_rejected_rows(tmp_path: Path) -> None:
    header = "subscription_id,customer_id,started_at\n"
    write(tmp_path, "jan/subscriptions.csv", header + "j1,a,2024-01-01\nj2,b,bad-jan\n")
    write(tmp_path, "feb/subscriptions.csv", header + "f1,c,2024-02-01\nf2,d,bad-feb\n")
    run = churnlens(
        tmp_path, "ingest", "jan/subscriptions.csv", "feb/subscriptions.csv"
    )
    assert run.code == 0, run
    assert "rejected 2" in run.out, run
    values = sorted(r["value"] for r in quarantined(tmp_path / "quarantine"))
    assert values == ["bad-feb", "bad-jan"]


def test_a_corrected_mapping_is_not_silently_ignored(tmp_path: Path) -> None:
    write(
        tmp_path,
        "subscriptions.csv",
        "customer_id,started_at,Cancelled\na,2024-01-01,2024-02-15\nb,2024-01-01,\n",
    )
    assert churnlens(tmp_path, "ingest", "subscriptions.csv").code == 0
    fixed = churnlens(
        tmp_path, "ingest", "subscriptions.csv", "--map", "ended_at=Cancelled"
    )
    assert_no_crash(fixed)
    ended = query(
        tmp_path / "churnlens.duckdb", "SELECT count(ended_at) FROM subscriptions"
    )[0][0]
    # Either the new mapping is applied, or the user is told how to apply it.
    assert ended == 1 or "--replace" in fixed.out + fixed.err, fixed


def test_an_unwritable_quarantine_folder_fails_before_storing(tmp_path: Path) -> None:
    write(
        tmp_path, "subscriptions.csv", "customer_id,started_at\na,2024-01-01\nb,bad\n"
    )
    write(tmp_path, "rejected", "a file where the folder should be\n")
    run = churnlens(tmp_path, "ingest", "subscriptions.csv", "--quarantine", "rejected")
    assert_user_error(run, "rejected")
    db = tmp_path / "churnlens.duckdb"
    assert not db.exists() or "subscriptions" not in snapshot(db)


def test_source_columns_named_like_store_internals(tmp_path: Path) -> None:
    write(
        tmp_path,
        "subscriptions.csv",
        "customer_id,started_at,_line,_ingest_id\na,2024-01-01,7,1\n",
    )
    run = churnlens(tmp_path, "ingest", "subscriptions.csv")
    assert_no_crash(run)
    if run.code == 2:
        assert_user_error(run, "subscriptions.csv", "_line")


def test_cr_only_line_endings(tmp_path: Path) -> None:
    write(
        tmp_path,
        "subscriptions.csv",
        b"customer_id,started_at\ra,2024-01-01\rb,2024-01-02\r",
    )
    run = churnlens(tmp_path, "ingest", "subscriptions.csv")
    assert_no_crash(run)
    if run.code == 2:
        assert_user_error(run, "subscriptions.csv")
    else:
        assert "read 2 = accepted 2 + rejected 0" in run.out, run


def test_store_rejections_keep_the_raw_source_row(tmp_path: Path) -> None:
    header = "ID,Account,Start\n"
    write(tmp_path, "subs1.csv", header + "s1,a,2024-01-01T10:00:00+02:00\n")
    write(tmp_path, "subs2.csv", header + "s1,b,2024-02-01T10:00:00+02:00\n")
    run = churnlens(
        tmp_path, "ingest", "subs1.csv", "subs2.csv", "--table", "subscriptions",
        "--map", "subscription_id=ID", "--map", "customer_id=Account",
        "--map", "started_at=Start",
    )  # fmt: skip
    assert run.code == 0, run
    (row,) = quarantined(tmp_path / "quarantine")
    assert "already in the store" in row["reason"]
    assert row["column"] == "ID"  # the user's column, as for every other rejection
    assert json.loads(row["record"]) == {
        "ID": "s1",
        "Account": "b",
        "Start": "2024-02-01T10:00:00+02:00",
    }


def test_a_failed_first_ingest_creates_no_store(tmp_path: Path) -> None:
    write(
        tmp_path, "subscriptions.csv", "customer_id,started_at\na,2024-01-01\nb,bad\n"
    )
    run = churnlens(tmp_path, "ingest", "subscriptions.csv", "--strict")
    assert_user_error(run, "subscriptions.csv", "line 3", "column 'started_at'")
    assert not (tmp_path / "churnlens.duckdb").exists()


def test_rate_output_into_a_missing_folder(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions.csv", SUBSCRIPTIONS)
    run = churnlens(
        tmp_path, "rate", "subscriptions.csv", "--format", "csv", "-o", "out/rate.csv"
    )
    if run.code == 0:
        assert (tmp_path / "out" / "rate.csv").is_file()
    else:
        assert_user_error(run, "out/rate.csv")


def test_rate_a_file_by_one_of_its_subscription_columns(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions.csv", SUBSCRIPTIONS)
    run = churnlens(
        tmp_path, "rate", "subscriptions.csv", "--by", "plan", "--format", "csv",
        "--from", "2024-01-01", "--to", "2024-01-31",
    )  # fmt: skip
    assert run.code == 0, run
    table = list(csv.DictReader(run.out.splitlines()))
    assert {r["plan"] for r in table} == {"starter", "team"}


@pytest.mark.spark
def test_rate_on_spark_from_an_ingested_store(
    tmp_path: Path, spark_backend: object
) -> None:
    # The CLI's own Spark takes ~10 s to start; this uses the suite's session.
    # Reproduce: churnlens ingest examples/subscriptions.csv; churnlens rate
    # --engine spark  ->  exit 1, "internal error: PySparkValueError".
    import churnlens as api

    write(tmp_path, "subscriptions.csv", SUBSCRIPTIONS)
    assert churnlens(tmp_path, "ingest", "subscriptions.csv").code == 0
    table = api.churn_rate(
        tmp_path / "churnlens.duckdb",
        engine=spark_backend,
        start="2024-01-01",
        end="2024-03-31",
    )
    counts = list(zip(table.customers_start, table.churned, strict=True))
    assert counts == [(2, 1), (2, 1), (1, 0)]
