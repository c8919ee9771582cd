"""``churnlens revenue``: rates, movements and drill-down from a file or a store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from churnlens.cli.revenue import revenue
from churnlens.errors import ConfigError

SUBSCRIPTIONS = """customer_id,started_at,ended_at,amount,billing_period,currency
a,2024-01-05,2024-05-01,1200,annual,EUR
a,2024-05-01,,150,monthly,EUR
b,2024-02-01,2024-04-20,50,monthly,USD
c,2024-03-01,,240,quarterly,USD
"""
FX = """currency,date,rate
EUR,2023-01-01,1.25
EUR,2024-06-01,1.5
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    subs, fx = tmp_path / "subscriptions.csv", tmp_path / "fx.csv"
    subs.write_text(SUBSCRIPTIONS)
    fx.write_text(FX)
    return subs, fx


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(revenue, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_movements_as_json_in_the_reporting_currency(files: tuple[Path, Path]) -> None:
    subs, fx = files
    code, out, _ = run(
        str(subs),
        "--fx",
        str(fx),
        "--currency",
        "USD",
        "--movements",
        "--from",
        "2024-05-01",
        "--to",
        "2024-05-01",
        "--format",
        "json",
    )
    assert code == 0
    (row,) = json.loads(out)
    # At 2024-05-01: a 100 EUR (1200/12) at 1.25, c 80 (240/3); b left in April.
    assert row["mrr_start"] == pytest.approx(125 + 80)
    assert row["expansion"] == pytest.approx(50 * 1.25)  # 100 -> 150 EUR
    assert row["churn"] == 0
    # EUR is worth 1.5 USD from June 1st, the end of May.
    assert row["fx"] == pytest.approx(150 * (1.5 - 1.25))
    assert row["mrr_end"] == pytest.approx(150 * 1.5 + 80)


def test_rates_table_and_csv_file(files: tuple[Path, Path], tmp_path: Path) -> None:
    subs, fx = files
    out_file = tmp_path / "out" / "rates.csv"
    code, _, _ = run(
        str(subs),
        "--fx",
        str(fx),
        "--currency",
        "USD",
        "--from",
        "2024-04-01",
        "--to",
        "2024-06-01",
        "--format",
        "csv",
        "--output",
        str(out_file),
    )
    assert code == 0
    header = out_file.read_text().splitlines()[0].split(",")
    assert {"nrr", "nrr_lower", "grr", "quick_ratio", "arpa"} <= set(header)
    code, out, _ = run(
        str(subs),
        "--fx",
        str(fx),
        "--currency",
        "USD",
        "--from",
        "2024-04-01",
        "--to",
        "2024-06-01",
    )
    assert code == 0 and "Revenue churn per month" in out


def test_customers_behind_a_movement(files: tuple[Path, Path]) -> None:
    subs, fx = files
    code, out, _ = run(
        str(subs),
        "--fx",
        str(fx),
        "--currency",
        "USD",
        "--customers-of",
        "2024-04",
        "--movement",
        "churn",
        "--format",
        "json",
    )
    assert code == 0
    assert [r["customer_id"] for r in json.loads(out)] == ["b"]


def test_several_currencies_without_fx_is_a_config_error(
    files: tuple[Path, Path],
) -> None:
    """The churnlens group turns it into a one-paragraph message and exit 2."""
    subs, _ = files
    result = CliRunner().invoke(revenue, [str(subs), "--movements"])
    assert isinstance(result.exception, ConfigError)
    assert "several currencies (EUR, USD)" in str(result.exception)
    assert "--fx" in str(result.exception)


def test_movement_needs_customers_of(files: tuple[Path, Path]) -> None:
    subs, _ = files
    code, _, err = run(str(subs), "--movement", "churn")
    assert code == 2 and "--customers-of" in err
