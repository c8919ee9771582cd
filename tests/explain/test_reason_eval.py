"""The classifier on the independent labelled set (tests/explain/data/).

The set was written by someone who did not see the lexicons; the lexicons were
not tuned to it. Floors are the macro-F1 measured when the set was first run
(language detected) minus 0.05, so a change that loses ground fails here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "reason_eval.py"
EVAL_CSV = ROOT / "tests" / "explain" / "data" / "reason_eval.csv"

# Measured 2026-12-02: da 0.72, en 0.81, lt 0.81, pl 0.75, sl 0.74, vi 0.76, all 0.77.
MACRO_F1_FLOOR = {
    "da": 0.67,
    "en": 0.76,
    "lt": 0.76,
    "pl": 0.70,
    "sl": 0.69,
    "vi": 0.71,
    "all": 0.72,
}
LANGUAGE_DETECTION_FLOOR = 0.95  # measured 0.99


def _script():
    spec = importlib.util.spec_from_file_location("reason_eval", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tables() -> dict:
    if not EVAL_CSV.exists():
        pytest.skip(f"{EVAL_CSV} is absent")
    return _script().main([str(EVAL_CSV)])


def test_every_language_has_enough_examples(tables: dict) -> None:
    by_lang = tables["by_language"].set_index("lang")
    assert set(MACRO_F1_FLOOR) <= set(by_lang.index)
    assert (by_lang.drop(index="all")["n"] >= 60).all()


@pytest.mark.parametrize("lang", list(MACRO_F1_FLOOR))
def test_macro_f1_floor(tables: dict, lang: str) -> None:
    row = tables["by_language"].set_index("lang").loc[lang]
    assert row["macro_f1"] >= MACRO_F1_FLOOR[lang], row.to_dict()
    assert row["lang_detected"] >= LANGUAGE_DETECTION_FLOOR, row.to_dict()


def test_report_is_markdown(tables: dict, capsys: pytest.CaptureFixture[str]) -> None:
    _script().main([str(EVAL_CSV)])
    out = capsys.readouterr().out
    assert "| lang | n | accuracy | macro_precision | macro_recall | macro_f1 |" in out
    assert "### By language and reason" in out


def test_scores_on_a_hand_computed_case() -> None:
    import pandas as pd

    module = _script()
    truth = pd.Series(["price", "price", "other", "other"])
    predicted = pd.Series(["price", "other", "other", "price"])
    table = module.scores(truth, predicted, ["price", "other"]).set_index("reason")
    assert table.loc["price", "precision"] == pytest.approx(0.5)
    assert table.loc["price", "recall"] == pytest.approx(0.5)
    assert table.loc["other", "f1"] == pytest.approx(0.5)
