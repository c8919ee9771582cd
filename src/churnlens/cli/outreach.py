"""``churnlens outreach``: log contacts with customers and report their effect."""

from __future__ import annotations

from pathlib import Path

import click

from churnlens.actions.outreach import OUTCOMES, log_outreach, outreach_report
from churnlens.cli._output import FORMATS, write_table

__all__ = ["outreach"]

DEFAULT_DB = "churnlens.duckdb"
_SCREEN = (
    "list_id",
    "as_of",
    "horizon_end",
    "treatment",
    "holdout",
    "contacted",
    "saved",
    "lost",
    "retained_mrr",
    "retention_treatment",
    "retention_holdout",
    "uplift",
    "uplift_lower",
    "uplift_upper",
)


@click.group()
def outreach() -> None:
    """Record outreach to at-risk customers and measure what it changed."""


@outreach.command("log")
@click.argument("customer")
@click.option("--outcome", type=click.Choice(OUTCOMES), required=True)
@click.option("--reason", metavar="TEXT", help="What the customer said, any language.")
@click.option("--offer", metavar="TEXT", help="What was offered (discount, plan...).")
@click.option("--by", "by", metavar="NAME", help="Who made the contact.")
@click.option("--note", metavar="TEXT", help="Anything else worth keeping.")
@click.option("--at", "at", metavar="TIME", help="When (default now; naive = UTC).")
@click.option(
    "--db", type=click.Path(path_type=Path), help="Store (default ./churnlens.duckdb)."
)
def log_command(
    customer: str,
    outcome: str,
    reason: str | None,
    offer: str | None,
    by: str | None,
    note: str | None,
    at: str | None,
    db: Path | None,
) -> None:
    """Record one contact with CUSTOMER and its outcome."""
    row = log_outreach(
        db or DEFAULT_DB,
        customer,
        outcome=outcome,
        reason=reason,
        offer=offer,
        at=at,
        by=by,
        note=note,
    )
    said = f", reason: {row['reason']}" if row["reason"] else ""
    click.echo(
        f"Logged contact {row['outreach_id']} with {row['customer_id']}: "
        f"{row['outcome']}{said}"
    )
    if row["holdout"]:
        click.echo(
            f"Note: {row['customer_id']} is in the holdout of contact list "
            f"{row['list_id']}; contacting held-out customers weakens the uplift "
            "measurement.",
            err=True,
        )


@outreach.command("report")
@click.option(
    "--db", type=click.Path(path_type=Path), help="Store (default ./churnlens.duckdb)."
)
@click.option(
    "--horizon-days",
    type=click.FloatRange(min=0, min_open=True),
    default=90,
    show_default=True,
    help="Retention is measured this long after each list's as-of date.",
)
@click.option("--list", "list_id", type=int, help="Only this saved contact list.")
@click.option("--fx", "fx_file", type=click.Path(path_type=Path), help="FX rates CSV.")
@click.option("--currency", help="Reporting currency (with --fx).")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="Write to a file."
)
def report_command(
    db: Path | None,
    horizon_days: float,
    list_id: int | None,
    fx_file: Path | None,
    currency: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Contacted, saved, retained MRR, uplift against the holdout, and reasons.

    Uplift = retention of the customers assigned to be contacted minus that of
    the holdout, with a 95% interval (docs/actions.md).
    """
    report = outreach_report(
        db or DEFAULT_DB,
        horizon_days=horizon_days,
        list_id=list_id,
        fx=fx_file,
        currency=currency,
    )
    if report.note:
        click.echo(f"Note: {report.note}", err=True)
    percent = (
        "retention_treatment",
        "retention_contacted",
        "retention_holdout",
        "uplift",
        "uplift_lower",
        "uplift_upper",
    )
    title = f"Outreach effect, {horizon_days:g} days after each list"
    table = report.lists
    if fmt == "table":  # the screen gets the figures people read; files get all
        table = table[list(_SCREEN)].assign(
            as_of=table["as_of"].dt.date, horizon_end=table["horizon_end"].dt.date
        )
    write_table(table, fmt=fmt, output=output, title=title, percent=percent)
    if fmt == "table" and output is None:
        write_table(
            report.reasons,
            fmt=fmt,
            output=None,
            title="Reasons learned",
            percent=("share",),
        )
