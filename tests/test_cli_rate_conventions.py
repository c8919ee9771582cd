"""``churnlens rate --convention`` and ``--activity FILE --inactive-days N``."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from churnlens.cli.ingest import ingest
from churnlens.cli.rate import rate

SUBSCRIPTIONS = (
    "customer_id,started_at,ended_at\na,2024-01-05,\nb,2024-01-10,2024-03-01\n"
    "d,2024-03-05,2024-03-20\nf,2023-11-01,2024-03-25\n"
)
ACTIVITY = (
    "customer_id,occurred_at\na,2024-01-10\na,2024-02-05\nb,2024-01-20\n"
    "b,2024-03-10\nc,2024-02-15\nd,2024-03-31\n"
)


def _csv(*args: str) -> pd.DataFrame:
    result = CliRunner().invoke(
        rate, [*args, "--format", "csv"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout))


def test_convention_adds_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.csv"
    path.write_text(SUBSCRIPTIONS, encoding="utf-8")
    table = _csv(
        str(path),
        "--convention",
        "recurly",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-01",
    )
    row = table.iloc[0]
    assert (row["convention"], row["churned"], row["churn_base"]) == ("recurly", 3, 3)
    standard = _csv(str(path), "--from", "2024-03-01", "--to", "2024-03-01")
    assert "convention" not in standard.columns and standard.iloc[0]["churned"] == 2


def test_activity_file(tmp_path: Path) -> None:
    path = tmp_path / "activity.csv"
    path.write_text(ACTIVITY, encoding="utf-8")
    table = _csv(
        "--activity",
        str(path),
        "--inactive-days",
        "30",
        "--from",
        "2024-02-01",
        "--to",
        "2024-03-01",
    )
    assert table[["customers_start", "churned", "customers_end"]].values.tolist() == [
        [2, 1, 2],
        [2, 2, 2],
    ]
    # A plain FILE with --inactive-days holds the events too.
    same = _csv(
        str(path), "--inactive-days", "30", "--from", "2024-02-01", "--to", "2024-03-01"
    )
    pd.testing.assert_frame_equal(same, table)


def test_activity_from_the_store(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "activity.csv").write_text(ACTIVITY, encoding="utf-8")
    (tmp_path / "subscriptions.csv").write_text(SUBSCRIPTIONS, encoding="utf-8")
    loaded = CliRunner().invoke(
        ingest, ["subscriptions.csv", "activity.csv"], catch_exceptions=False
    )
    assert loaded.exit_code == 0, loaded.output
    # Ingest rejects c's event (no such customer), so only a lapses in March.
    assert "accepted 5, rejected 1" in loaded.output
    table = _csv("--inactive-days", "30", "--from", "2024-02-01", "--to", "2024-03-01")
    assert table["churned"].tolist() == [1, 1]


def test_activity_needs_inactive_days(tmp_path: Path) -> None:
    path = tmp_path / "activity.csv"
    path.write_text(ACTIVITY, encoding="utf-8")
    result = CliRunner().invoke(rate, ["--activity", str(path)])
    assert result.exit_code == 2 and "--activity needs --inactive-days" in result.output
