"""``churnlens survival`` prints the figures and the curve."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from churnlens.cli.survival import survival

CSV = """customer_id,started_at,ended_at,plan
a,2024-01-01,2024-03-01,basic
a,2024-03-01,2024-04-15,pro
b,2024-01-10,,basic
c,2024-02-01,2024-02-20,basic
d,2024-02-05,2024-06-01,pro
e,2024-03-01,,pro
"""


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "subscriptions.csv"
    path.write_text(CSV)
    return path


def test_prints_median_rmst_and_curve(tmp_path: Path) -> None:
    result = CliRunner().invoke(survival, [str(_file(tmp_path)), "--unit", "day"])
    assert result.exit_code == 0, result.output
    assert "5 customers, 3 churned; median lifetime" in result.output
    assert "RMST to" in result.output
    assert "survival 95% CI" in result.output


def test_by_prints_the_logrank_test_and_json_stays_parseable(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        survival, [str(_file(tmp_path)), "--by", "plan", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert "log-rank test across plan: chi2 =" in result.stderr
    rows = json.loads(result.stdout)
    assert {r["segment"] for r in rows} == {"basic", "pro"}
    assert set(rows[0]) >= {"timeline", "survival", "survival_lower", "survival_upper"}


def test_writes_csv_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "curve.csv"
    result = CliRunner().invoke(
        survival,
        [str(_file(tmp_path)), "--unit", "week", "--format", "csv", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("timeline,at_risk,events,censored,survival,")
