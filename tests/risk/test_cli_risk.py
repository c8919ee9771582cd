"""``churnlens risk``, ``risk train`` and ``risk backtest`` through click."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from churnlens.cli.risk import risk


def _train(runner: CliRunner, source: list[str], model: Path) -> None:
    """``risk train`` on a short history, without the backtest."""
    args = ["--model", str(model), "--history", "60", "--step", "60", "--no-backtest"]
    trained = runner.invoke(risk, [*source, "train", *args])
    assert trained.exit_code == 0, trained.output


def test_contact_list_csv_and_xlsx(demo_store, tmp_path) -> None:  # noqa: ANN001
    runner = CliRunner()
    model = tmp_path / "risk.joblib"
    _train(runner, ["--db", str(demo_store)], model)
    assert json.loads(model.with_suffix(".json").read_text())["trained_as_of"]
    out = runner.invoke(
        risk,
        [
            "--db",
            str(demo_store),
            "--as-of",
            "2026-06-01",
            "--top",
            "4",
            "--model",
            str(model),
            "--format",
            "csv",
        ],
    )
    assert out.exit_code == 0, out.output
    table = pd.read_csv(io.StringIO(out.output))
    assert len(table) == 4 and table["rank"].tolist() == [1, 2, 3, 4]
    xlsx = tmp_path / "list.xlsx"
    done = runner.invoke(
        risk,
        [
            "--db",
            str(demo_store),
            "--as-of",
            "2026-06-01",
            "--top",
            "3",
            "--model",
            str(model),
            "--format",
            "xlsx",
            "--output",
            str(xlsx),
        ],
    )
    assert done.exit_code == 0, done.output
    assert pd.read_excel(xlsx).customer_id.tolist() == table.customer_id[:3].tolist()


def test_backtest_json(demo_store) -> None:  # noqa: ANN001
    out = CliRunner().invoke(
        risk,
        [
            "backtest",
            "--db",
            str(demo_store),
            "--tests",
            "1",
            "--history",
            "60",
            "--step",
            "60",
            "--format",
            "json",
        ],
    )
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert {r["scorer"] for r in rows} == {"model", "logistic", "rule"}


def test_needs_as_of(demo_store) -> None:  # noqa: ANN001
    out = CliRunner().invoke(risk, ["--db", str(demo_store)])
    assert out.exit_code == 2 and "--as-of" in out.output


def test_the_contact_list_from_files_equals_the_one_from_the_store(
    demo_store, tmp_path
) -> None:  # noqa: ANN001
    """--file reads the demo's CSV files (tables told from their names) instead
    of the store they were ingested into: the same model scores the same list."""
    runner = CliRunner()
    model = tmp_path / "risk.joblib"
    folder = demo_store.parent / "demo"
    files = []
    for name in ("subscriptions", "customers", "tickets", "activity"):
        files += ["--file", str(folder / f"{name}.csv")]
    _train(runner, files, model)
    common = ["--as-of", "2026-06-01", "--model", str(model), "--format", "csv"]
    from_files = runner.invoke(risk, [*files, *common])
    from_store = runner.invoke(risk, ["--db", str(demo_store), *common])
    assert from_files.exit_code == 0 and from_store.exit_code == 0, from_files.output
    assert "subscriptions.csv: read" in from_files.stderr
    ours = pd.read_csv(io.StringIO(from_files.stdout))
    theirs = pd.read_csv(io.StringIO(from_store.stdout))
    assert len(ours) > 100
    assert ours["customer_id"].tolist() == theirs["customer_id"].tolist()
    assert ours["churn_probability"].to_numpy() == pytest.approx(
        theirs["churn_probability"].to_numpy(), abs=1e-9
    )
    assert ours["reasons"].tolist() == theirs["reasons"].tolist()


def test_files_cannot_record_and_need_the_subscriptions(demo_store) -> None:  # noqa: ANN001
    folder = demo_store.parent / "demo"
    subs, tickets = str(folder / "subscriptions.csv"), str(folder / "tickets.csv")
    runner = CliRunner()
    saving = runner.invoke(risk, ["--file", subs, "--as-of", "2026-06-01", "--save"])
    assert saving.exit_code == 2 and "ingest the files first" in saving.output
    no_subs = runner.invoke(risk, ["--file", tickets, "--as-of", "2026-06-01"])
    assert no_subs.exit_code == 2 and "no subscriptions among" in no_subs.output
    twice = runner.invoke(
        risk, ["--file", subs, "--file", subs, "--as-of", "2026-06-01"]
    )
    assert twice.exit_code == 2 and "two files hold subscriptions" in twice.output
    both = runner.invoke(
        risk, ["--db", str(demo_store), "--file", subs, "--as-of", "2026-06-01"]
    )
    assert both.exit_code == 2 and "either --db or --file" in both.output
    mixed = runner.invoke(
        risk, ["--file", subs, "backtest", "--db", str(demo_store), "--tests", "1"]
    )
    assert mixed.exit_code == 2 and "either --db or --file" in mixed.output
