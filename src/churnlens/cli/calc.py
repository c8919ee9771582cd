"""``churnlens calc``: churn from head counts, and why net change is not churn."""

from __future__ import annotations

import click

from churnlens.metrics.calculator import churn_from_counts

__all__ = ["calc"]


@click.command()
@click.option(
    "--start",
    "customers_start",
    type=click.IntRange(min=1),
    required=True,
    help="Customers at the start of the period.",
)
@click.option(
    "--lost", type=click.IntRange(min=0), help="Customers lost during the period."
)
@click.option(
    "--end",
    "customers_end",
    type=click.IntRange(min=0),
    help="Customers at the end of the period.",
)
def calc(customers_start: int, lost: int | None, customers_end: int | None) -> None:
    """Churn from head counts: --start N with --lost N, or --end N (net change)."""
    if (lost is None) == (customers_end is None):
        raise click.UsageError("give exactly one of --lost or --end")
    result = churn_from_counts(customers_start, lost=lost, customers_end=customers_end)
    click.echo(result.explain())
