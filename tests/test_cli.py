"""The command line: results on stdout, located errors with exit code 2, no traces."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from churnlens.cli import main

EXAMPLE = Path(__file__).parents[1] / "examples" / "subscriptions.csv"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_rate_from_a_file_as_csv(run) -> None:  # type: ignore[no-untyped-def]
    result = run("rate", str(EXAMPLE), "--format", "csv")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert list(table.columns[:3]) == ["period_start", "period_end", "customers_start"]
    assert table.iloc[0].period_start == "2023-10-01"
    jan = table[table.period_start == "2024-01-01"].iloc[0]
    assert (jan.customers_start, jan.churned, jan.customers_end) == (3, 1, 3)
    assert "read 7, accepted 7, rejected 0" in result.stderr


def test_ingest_then_rate_from_the_store(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "read 7, accepted 7, rejected 0" in result.stdout
    assert (tmp_path / "churnlens.duckdb").is_file()
    table = run("rate", "--format", "json", "--to", "2024-03-31")
    assert table.exit_code == 0, table.output
    assert '"period_start":"2024-03-01"' in table.stdout.replace(" ", "")


def test_map_is_saved_and_reused(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "subs.csv"
    source.write_text("Account,Start\na,2024-01-01\n", encoding="utf-8")
    first = run(
        "ingest",
        str(source),
        "--table",
        "subscriptions",
        "--map",
        "customer_id=Account",
        "--map",
        "started_at=Start",
    )
    assert first.exit_code == 0, first.output
    config = (tmp_path / "churnlens.toml").read_text(encoding="utf-8")
    assert 'started_at = "Start"' in config
    again = tmp_path / "subs-2.csv"
    again.write_text("Account,Start\nb,2024-02-01\n", encoding="utf-8")
    second = run("ingest", str(again), "--table", "subscriptions")
    assert second.exit_code == 0, second.output
    assert "accepted 1" in second.stdout


def test_missing_column_is_a_located_error_with_a_hint(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "subscriptions.csv"
    source.write_text("customer_id,start_date\na,2024-01-01\n", encoding="utf-8")
    result = run("ingest", str(source))
    assert result.exit_code == 2
    assert "started_at" in result.stderr and str(source) in result.stderr
    assert "--map" in result.stderr
    assert "Traceback" not in result.output


def test_strict_rejection_exits_2_naming_line_and_column(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "subscriptions.csv"
    source.write_text(
        "customer_id,started_at,mrr\na,2024-01-01,10\nb,2024-01-01,-5\n",
        encoding="utf-8",
    )
    result = run("ingest", str(source), "--strict")
    assert result.exit_code == 2
    assert "line 3" in result.stderr and "'mrr'" in result.stderr
    assert not (tmp_path / "quarantine").exists()


def test_calc_explains_net_change(run) -> None:  # type: ignore[no-untyped-def]
    churn = run("calc", "--start", "1000", "--lost", "200")
    assert churn.exit_code == 0 and "20.0%" in churn.stdout
    net = run("calc", "--start", "1000", "--end", "200")
    assert net.exit_code == 0 and "-80.0%" in net.stdout
    assert "not the churn rate" in net.stdout


def test_rate_without_a_store_says_how_to_make_one(run) -> None:  # type: ignore[no-untyped-def]
    result = run("rate")
    assert result.exit_code == 2
    assert "no churnlens store" in result.stderr and "churnlens ingest" in result.stderr


def test_the_installed_command_never_shows_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    done = subprocess.run(
        [sys.executable, "-m", "churnlens", "rate", str(missing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert str(missing) in done.stderr
    assert "Traceback" not in done.stderr


def test_demo_builds_ingests_and_prints_the_monthly_table(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("demo", "--customers", "300", "--output", str(tmp_path / "demo"))
    first = run(*args)
    assert first.exit_code == 0, first.output
    assert "rejected 0" in first.stderr
    assert "churn_rate 95% CI" in first.stdout
    # a rerun rebuilds the same store instead of piling rows on it
    second = run(*args)
    assert second.exit_code == 0, second.output
    assert second.stdout == first.stdout


def test_an_empty_table_says_why(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "subscriptions.csv"
    source.write_text("customer_id,started_at\na,2024-01-05\n", encoding="utf-8")
    result = run("rate", str(source), "--period", "year", "--to", "2024-06-30")
    assert result.exit_code == 0
    assert "No full period in the range" in result.stderr


def test_a_folder_as_store_is_named_as_such(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("rate", "--db", str(tmp_path))
    assert result.exit_code == 2
    assert "folder, not a churnlens store file" in result.stderr
    assert "Traceback" not in result.output


def test_a_stale_saved_mapping_is_named(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "churnlens.toml").write_text(
        '[mapping.subscriptions]\ncustomer_id = "Account"\n', encoding="utf-8"
    )
    source = tmp_path / "subscriptions.csv"
    source.write_text("customer_id,started_at\na,2024-01-05\n", encoding="utf-8")
    result = run("ingest", str(source))
    assert result.exit_code == 2
    assert "Account" in result.stderr
    assert "churnlens.toml" in result.stderr


def test_a_reader_that_stops_early_ends_the_command_quietly() -> None:
    """``churnlens ... | head``: the closed pipe is no internal error."""
    import subprocess
    import sys

    script = (
        "import click\n"
        "from churnlens.cli import main\n"
        "@main.command('flood')\n"
        "def flood():\n"
        "    for i in range(200_000):\n"
        "        click.echo(f'line {i}')\n"
        "main(['flood'])\n"
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdout is not None
    assert reader.stdout.readline() == b"line 0\n"
    reader.stdout.close()  # the reader goes away
    _, err = reader.communicate(timeout=60)
    assert reader.returncode == 1
    assert b"internal error" not in err and b"Traceback" not in err, err
