"""``churnlens demo``: build the demo company, ingest it, show its churn and write
its report."""

from __future__ import annotations

from pathlib import Path

import click

import churnlens
from churnlens.cli._output import write_table
from churnlens.cli.report import build_with_progress
from churnlens.demo import REPORTING_CURRENCY

__all__ = ["demo"]

_CHURN_PERCENTS = (
    "churn_rate",
    "churn_rate_lower",
    "churn_rate_upper",
    "net_change_rate",
)
_REVENUE_COLUMNS = (
    "period_start",
    "mrr_end",
    "arpa",
    "gross_mrr_churn_rate",
    "net_mrr_churn_rate",
    "nrr",
    "grr",
)


@click.command()
@click.option(
    "--output",
    "output_dir",
    type=click.Path(path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Folder for the demo files and store.",
)
@click.option(
    "--customers",
    "n_customers",
    type=click.IntRange(min=100),
    default=20_000,
    show_default=True,
)
@click.option("--seed", type=int, default=42, show_default=True)
def demo(output_dir: Path, n_customers: int, seed: int) -> None:
    """Generate the seeded demo SaaS company, ingest it, print its monthly churn and
    revenue churn, and write its HTML report."""
    output_dir.mkdir(parents=True, exist_ok=True)
    click.echo(
        f"Generating {n_customers:,} demo customers (seed {seed}) in {output_dir}/ ...",
        err=True,
    )
    files = churnlens.generate_demo(output_dir, n_customers=n_customers, seed=seed)
    db = output_dir / "churnlens.duckdb"
    report = churnlens.ingest(
        [files.customers, files.subscriptions, files.tickets, files.activity],
        db=db,
        # A rerun (perhaps with another seed or size) rebuilds the demo store.
        replace=True,
    )
    click.echo(str(report), err=True)
    with churnlens.Store.open(db, read_only=True) as store:
        table = churnlens.churn_rate(store, period="month")
        write_table(
            table,
            fmt="table",
            output=None,
            title="Demo company: customer churn per month",
            percent=_CHURN_PERCENTS,
        )
        revenue = churnlens.revenue_churn(
            store, period="month", fx=files.fx_rates, currency=REPORTING_CURRENCY
        )
        write_table(
            revenue[list(_REVENUE_COLUMNS)].tail(12),
            fmt="table",
            output=None,
            title=f"Demo company: revenue churn, last 12 months ({REPORTING_CURRENCY})",
            percent=_REVENUE_COLUMNS[3:],
        )
        report = build_with_progress(
            store,
            output=output_dir / "report.html",
            fx=files.fx_rates,
            currency=REPORTING_CURRENCY,
        )
    click.echo(
        f"Store: {db}   Report: {report}   Ground truth: {files.ground_truth}",
        err=True,
    )
