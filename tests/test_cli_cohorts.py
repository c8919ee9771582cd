"""``churnlens cohorts``: the triangle on screen, long or wide tables in files,
clean errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from churnlens.cli import _Group
from churnlens.cli.cohorts import cohorts

EXAMPLE = Path(__file__).parents[1] / "examples" / "subscriptions.csv"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The command inside a group like ``churnlens``'s, which turns domain
    errors into exit code 2."""
    monkeypatch.chdir(tmp_path)
    group = _Group(commands={"cohorts": cohorts})

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(group, ["cohorts", *args], catch_exceptions=False)

    return invoke


def test_the_terminal_shows_the_triangle_in_percent(run) -> None:  # type: ignore[no-untyped-def]
    result = run(str(EXAMPLE))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Customers share retained by signup month" in lines[0]
    november = next(line for line in lines if "2023-11-01" in line)
    cells = [c.strip() for c in november.strip("│ ").split("│")]
    assert cells == ["2023-11-01", "1", "100.00%", "100.00%", "100.00%", "0.00%", "–"]
    february = next(line for line in lines if "2024-02-01" in line)
    assert "0.00%" in february and february.count("–") == 4


def test_counts_and_quarters(run) -> None:  # type: ignore[no-untyped-def]
    result = run(str(EXAMPLE), "--counts", "--period", "quarter")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "2023-10-01" in line)
    assert [c.strip() for c in row.strip("│ ").split("│")] == ["2023-10-01", "3", "3"]


def test_csv_is_the_long_table(run) -> None:  # type: ignore[no-untyped-def]
    result = run(str(EXAMPLE), "--format", "csv", "--from", "2023-12-05")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert list(table.columns) == [
        "cohort",
        "age",
        "period_start",
        "period_end",
        "cohort_size",
        "customers",
        "retention",
    ]
    assert table["cohort"].iloc[0] == "2023-12-01"
    assert table["customers"].tolist() == [1, 0, 0, 1, 1, 0]


def test_wide_json_and_revenue(run) -> None:  # type: ignore[no-untyped-def]
    result = run(str(EXAMPLE), "--kind", "revenue", "--format", "json", "--wide")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    october = rows[0]
    # erin: 29 until her upgrade to 99 on 2024-01-31, so 99/29 from age 3 on.
    assert october["cohort"] == "2023-10-01" and october["cohort_mrr"] == 29.0
    assert october["3"] == pytest.approx(99 / 29) and october["4"] == pytest.approx(
        99 / 29
    )
    assert rows[-1]["1"] is None


def test_parquet_to_a_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "cohorts.parquet"
    result = run(
        str(EXAMPLE), "--format", "parquet", "--output", str(out), "--by", "plan"
    )
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out)
    assert "plan" in table.columns and set(table["plan"]) == {
        "business",
        "starter",
        "team",
    }


def test_domain_errors_exit_2_with_a_hint(run) -> None:  # type: ignore[no-untyped-def]
    result = run(str(EXAMPLE), "--by", "colour")
    assert result.exit_code == 2
    assert "no column 'colour' to split by" in result.stderr
    assert "Traceback" not in result.output
    result = run(str(EXAMPLE), "--currency", "EUR")
    assert result.exit_code == 2
    assert "only apply to revenue cohorts" in result.stderr


def test_an_empty_table_says_why(run) -> None:  # type: ignore[no-untyped-def]
    # March 2024 ends after the data (2024-03-03): no age to report.
    result = run(str(EXAMPLE), "--from", "2024-03-01")
    assert result.exit_code == 0
    assert "No cohort with a full month" in result.stderr


def test_no_returning_counts_until_customers_first_leave(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "subs.csv"
    data.write_text(
        "customer_id,started_at,ended_at\n"
        "a,2024-01-05,2024-02-10\n"  # out at Mar 1
        "a,2024-03-15,\n"  # back at Apr 1
        "b,2024-01-07,\n"
        "c,2024-04-20,\n"  # the data end
    )
    again = run(str(data), "--format", "csv")
    never = run(str(data), "--format", "csv", "--no-returning")
    assert again.exit_code == never.exit_code == 0
    a = pd.read_csv(io.StringIO(again.stdout))
    n = pd.read_csv(io.StringIO(never.stdout))
    january = a["cohort"] == "2024-01-01"
    assert a.loc[january, "customers"].tolist() == [2, 1, 2]
    assert n.loc[january, "customers"].tolist() == [2, 1, 1]
    result = run(str(data), "--kind", "revenue", "--no-returning")
    assert result.exit_code == 2
    assert "customer cohorts only" in result.stderr
