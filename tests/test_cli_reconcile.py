"""``churnlens reconcile``: figures per convention and the customers behind them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from churnlens.cli.reconcile import reconcile

SUBSCRIPTIONS = """customer_id,started_at,ended_at
a,2024-01-05,
b,2024-01-10,2024-03-01
c,2024-02-01,
d,2024-03-05,2024-03-20
e,2023-12-01,2024-03-10
e,2024-03-15,
f,2023-11-01,2024-03-25
"""


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "subscriptions.csv"
    path.write_text(SUBSCRIPTIONS, encoding="utf-8")
    return path


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(reconcile, list(args), catch_exceptions=False)


def test_screen_shows_figures_and_customers(source: Path) -> None:
    result = _run(str(source), "--at", "2024-03-10")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Churn 2024-03-01 to 2024-04-01 by convention" in out
    for name in ("standard", "snapshot", "stripe", "baremetrics", "profitwell"):
        assert name in out
    assert "ended_on_boundary (1): b" in out
    assert "joined_and_left (1): d" in out
    assert "left_and_came_back (1): e" in out
    assert "recurly - standard: churned +2, base +0 from 2 customers" in out


def test_limit_shortens_the_lists(source: Path) -> None:
    result = _run(str(source), "--at", "2024-03-10", "--limit", "0")
    assert "joined_and_left (1):  (+1 more; --format csv lists all)" in result.stdout


def test_csv_lists_every_customer_and_figures_on_request(source: Path) -> None:
    result = _run(str(source), "--at", "2024-03-10", "--format", "csv")
    table = pd.read_csv(io.StringIO(result.stdout))
    assert table["customer_id"].tolist() == ["b", "d", "e"]
    assert {"reason", "reasons", "churned_stripe", "base_stripe"} <= set(table.columns)
    figures = _run(str(source), "--at", "2024-03-10", "--format", "csv", "--figures")
    table = pd.read_csv(io.StringIO(figures.stdout)).set_index("convention")
    assert (
        table.loc["recurly", "churned"] == 4
        and table.loc["snapshot", "churn_base"] == 4
    )


def test_json_has_both(source: Path) -> None:
    result = _run(
        str(source),
        "--at",
        "2024-03-10",
        "--format",
        "json",
        "--convention",
        "standard",
        "--convention",
        "stripe",
    )
    payload = json.loads(result.stdout)
    assert payload["period_start"] == "2024-03-01"
    assert [f["convention"] for f in payload["figures"]] == ["standard", "stripe"]
    assert {c["customer_id"] for c in payload["customers"]} == {"b", "d", "e"}


def test_activity_file(tmp_path: Path) -> None:
    events = tmp_path / "activity.csv"
    events.write_text(
        "customer_id,occurred_at\na,2024-01-10\na,2024-02-05\nb,2024-01-20\n"
        "b,2024-03-10\nc,2024-02-15\nd,2024-03-31\n",
        encoding="utf-8",
    )
    result = _run(
        "--activity",
        str(events),
        "--inactive-days",
        "30",
        "--at",
        "2024-03-01",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    figures = {f["convention"]: f for f in json.loads(result.stdout)["figures"]}
    assert (figures["standard"]["churned"], figures["standard"]["churn_base"]) == (2, 2)
    missing = CliRunner().invoke(
        reconcile, ["--activity", str(events), "--at", "2024-03-01"]
    )
    assert (
        missing.exit_code == 2 and "--activity needs --inactive-days" in missing.output
    )
