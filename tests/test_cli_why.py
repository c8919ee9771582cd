"""``churnlens why`` on a small demo store: sections on the terminal, one JSON
document, or one CSV per section."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import churnlens
from churnlens.cli.why import why


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("why-cli")
    files = churnlens.generate_demo(root / "demo", n_customers=1500, seed=5)
    db = root / "demo.duckdb"
    churnlens.ingest([files.subscriptions, files.customers, files.tickets], db=db)
    return db


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(why, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_json_is_one_document_with_every_section(store: Path) -> None:
    fx = store.parent / "demo" / "fx_rates.csv"
    out = _run(
        [
            "--db",
            str(store),
            "--period",
            "quarter",
            "--fx",
            str(fx),
            "--currency",
            "EUR",
            "--boot",
            "20",
            "--format",
            "json",
        ]
    )
    document = json.loads(out)
    assert set(document) == {
        "reasons",
        "reason_trends",
        "support_buckets",
        "hazard_ratios",
        "ph_check",
        "what_if",
        "model_fit",
        "notes",
    }
    reasons = pd.DataFrame(document["reasons"])
    assert reasons["churned"].sum() > 100
    assert reasons["lost_mrr"].sum() > 0
    ratios = pd.DataFrame(document["hazard_ratios"]).set_index("covariate")
    assert "slow_first_response" in ratios.index and "log_mrr" in ratios.index
    assert all(row["kind"] == "estimate" for row in document["what_if"])


def test_csv_writes_one_file_per_section(store: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "why"
    _run(
        [
            "--db",
            str(store),
            "--by",
            "segment",
            "--boot",
            "0",
            "--format",
            "csv",
            "--output",
            str(out_dir),
        ]
    )
    names = sorted(p.name for p in out_dir.iterdir())
    assert "reasons.csv" in names and "hazard_ratios.csv" in names
    reasons = pd.read_csv(out_dir / "reasons.csv")
    assert "segment" in reasons.columns
    # Five currencies and no --fx: no MRR, and the model leaves it out (a note).
    assert reasons["lost_mrr"].isna().all()
    ratios = pd.read_csv(out_dir / "hazard_ratios.csv")
    assert "log_mrr" not in set(ratios["covariate"])


def test_table_prints_sections_and_reasons_only(store: Path) -> None:
    out = _run(["--db", str(store), "--period", "quarter", "--no-support"])
    assert "Churn reasons per period" in out
    assert "Reason trends" in out
    assert "Cox model" not in out
    full = _run(["--db", str(store), "--boot", "10", "--horizon", "60"])
    assert "Cox model" in full and "What-if" in full and "estimate" in full.lower()


def test_csv_to_the_terminal_marks_each_section(store: Path) -> None:
    out = _run(["--db", str(store), "--no-support", "--format", "csv"])
    assert out.startswith("# reasons\n")
    assert "\n# reason_trends\n" in out
