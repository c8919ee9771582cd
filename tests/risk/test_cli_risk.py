"""``churnlens risk``, ``risk train`` and ``risk backtest`` through click."""

from __future__ import annotations

import io
import json

import pandas as pd
from click.testing import CliRunner

from churnlens.cli.risk import risk


def test_contact_list_csv_and_xlsx(demo_store, tmp_path) -> None:  # noqa: ANN001
    runner = CliRunner()
    model = tmp_path / "risk.joblib"
    trained = runner.invoke(
        risk,
        [
            "train",
            "--db",
            str(demo_store),
            "--model",
            str(model),
            "--history",
            "60",
            "--step",
            "60",
            "--no-backtest",
        ],
    )
    assert trained.exit_code == 0, trained.output
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
