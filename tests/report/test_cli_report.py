from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from churnlens.cli.report import report
from churnlens.report.i18n import translations

_NO_LOCALE = {"LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None}


def test_report_command(demo_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        report,
        ["--db", str(demo_store), "--output", str(out), "--lang", "lt", "--by", "plan"],
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    page = out.read_text(encoding="utf-8")
    assert translations("lt").gettext("Why customers leave") in page


def test_language_defaults_to_the_system_locale(
    demo_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        report,
        ["--db", str(demo_store), "-o", str(out), "--period", "quarter"],
        env={**_NO_LOCALE, "LANG": "da_DK.UTF-8"},
    )
    assert result.exit_code == 0, result.output
    assert '<html lang="da">' in out.read_text(encoding="utf-8")


def test_unknown_language_is_a_usage_error(demo_store: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        report,
        ["--db", str(demo_store), "-o", str(tmp_path / "r.html"), "--lang", "de"],
    )
    assert result.exit_code == 2
    assert "'de' is not one of" in result.output
