"""``churnlens outreach`` and ``churnlens loyal`` on a small demo store."""

from __future__ import annotations

import io
import json

import click
import pandas as pd
from click.testing import CliRunner

from churnlens.actions.outreach import assign_holdout, outreach_log, save_contact_list
from churnlens.cli import _Group
from churnlens.cli.loyal import loyal
from churnlens.cli.outreach import outreach


@click.group(cls=_Group)
def cli() -> None:
    """The commands as the lead registers them, with the real error handling."""


cli.add_command(outreach)
cli.add_command(loyal)


def _run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_outreach_log(demo_store) -> None:
    result = _run(
        "outreach",
        "log",
        "C00002",
        "--outcome",
        "saved",
        "--reason",
        "Za drogo, przechodzimy na tańszy plan",
        "--offer",
        "10% off",
        "--by",
        "Ann",
        "--db",
        demo_store,
    )
    assert result.exit_code == 0, result.output
    assert "Logged contact 1 with C00002: saved, reason: price" in result.output
    log = outreach_log(demo_store)
    assert log.loc[0, "offer"] == "10% off" and log.loc[0, "contacted_by"] == "Ann"


def test_outreach_log_unknown_customer(demo_store) -> None:
    result = _run("outreach", "log", "nobody", "--outcome", "lost", "--db", demo_store)
    assert result.exit_code == 2
    assert "no customer 'nobody' in the store" in result.output
    assert "Hint:" in result.output and "Traceback" not in result.output


def test_outreach_log_bad_outcome(demo_store) -> None:
    result = _run("outreach", "log", "C00002", "--outcome", "won", "--db", demo_store)
    assert result.exit_code == 2 and "'won' is not one of" in result.output


def test_outreach_report(demo_store) -> None:
    missing = _run("outreach", "report", "--db", demo_store)
    assert missing.exit_code == 2 and "no contact list has been saved" in missing.output
    table = pd.DataFrame(
        {"customer_id": [f"C{i:05d}" for i in range(1, 401)], "mrr": 100.0}
    )
    save_contact_list(
        demo_store, assign_holdout(table, share=0.2, seed=5), as_of="2025-06-01"
    )
    held_note = None
    for cid in ("C00002", "C00003", "C00004"):
        result = _run(
            "outreach",
            "log",
            cid,
            "--outcome",
            "lost",
            "--reason",
            "too expensive",
            "--at",
            "2025-06-03",
            "--db",
            demo_store,
        )
        assert result.exit_code == 0, result.output
        if "holdout" in result.output:
            held_note = result.output
    assert held_note is not None  # C00002 or C00004 is held out with seed 5
    result = _run("outreach", "report", "--db", demo_store, "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert row["customers"] == 400 and row["treatment"] + row["holdout"] == 400
    assert row["uplift_lower"] <= row["uplift"] <= row["uplift_upper"]
    assert row["horizon_complete"] is True
    shown = _run("outreach", "report", "--db", demo_store, "--horizon-days", "30")
    assert shown.exit_code == 0 and "Reasons learned" in shown.output
    assert "Price" in shown.output and "uplift 95% CI" in shown.output
    assert "2025-06-01" in shown.output


def test_loyal(demo_dir, tmp_path) -> None:
    args = [
        "loyal",
        "--db",
        demo_dir / "demo.duckdb",
        "--fx",
        demo_dir / "fx_rates.csv",
        "--currency",
        "EUR",
    ]
    result = _run(*args, "--format", "csv")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.output))
    assert list(table.columns) == [
        "customer_id",
        "name",
        "owner",
        "tenure_months",
        "lifetime_revenue",
        "mrr",
        "reward_tier",
    ]
    longer = pd.read_csv(
        io.StringIO(_run(*args, "--min-tenure", 30, "--format", "csv").output)
    )
    assert set(longer["customer_id"]) < set(table["customer_id"])
    tiers = pd.read_csv(
        io.StringIO(
            _run(
                *args, "--tier", "vip=20000", "--tier", "member=0", "--format", "csv"
            ).output
        )
    )
    assert set(tiers["reward_tier"]) == {"vip", "member"}
    risk = tmp_path / "risk.csv"
    pd.DataFrame(
        {
            "customer_id": table["customer_id"],
            "churn_probability": [0.05, 0.5] * (len(table) // 2)
            + [0.05] * (len(table) % 2),
        }
    ).to_csv(risk, index=False)
    safe = pd.read_csv(
        io.StringIO(
            _run(*args, "--risk", risk, "--max-risk", 0.1, "--format", "csv").output
        )
    )
    assert (safe["churn_probability"] <= 0.1).all() and len(safe) < len(table)
    assert "Loyal customers as of 2026-09-30" in _run(*args).output


def test_loyal_errors(demo_dir) -> None:
    db = demo_dir / "demo.duckdb"
    result = _run("loyal", "--db", db)
    assert result.exit_code == 2 and "several currencies" in result.output
    bad = _run("loyal", "--db", db, "--tier", "gold")
    assert bad.exit_code == 2 and "is not NAME=AMOUNT" in bad.output
    risky = _run("loyal", "--db", db, "--max-risk", "0.1")
    assert risky.exit_code == 2 and "max_risk needs the risk" in risky.output


def test_loyal_from_files_equals_loyal_from_the_store(demo_dir) -> None:
    money = ["--fx", demo_dir / "fx_rates.csv", "--currency", "EUR", "--format", "csv"]
    from_store = _run("loyal", "--db", demo_dir / "demo.duckdb", *money)
    from_files = _run(
        "loyal",
        demo_dir / "subscriptions.csv",
        "--customers",
        demo_dir / "customers.csv",
        *money,
    )
    assert from_store.exit_code == 0 and from_files.exit_code == 0, from_files.output
    assert "subscriptions.csv: read" in from_files.stderr
    ours = pd.read_csv(io.StringIO(from_files.stdout))
    theirs = pd.read_csv(io.StringIO(from_store.stdout))
    assert len(ours) > 10
    pd.testing.assert_frame_equal(ours, theirs)
