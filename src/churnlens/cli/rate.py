"""``churnlens rate``: the churn table per period."""

from __future__ import annotations

from pathlib import Path

import click

import churnlens
from churnlens.cli._inputs import is_store, open_data, read_file
from churnlens.cli._options import (
    by_option,
    engine_option,
    grace_option,
    output_options,
    range_options,
    source_options,
    tz_option,
)
from churnlens.cli._output import write_table
from churnlens.metrics.conventions import CONVENTIONS

__all__ = ["rate"]

CONVENTION_NAMES = tuple(CONVENTIONS)


@click.command()
@source_options()
@range_options()
@by_option()
@grace_option()
@click.option(
    "--convention",
    type=click.Choice(CONVENTION_NAMES),
    default="standard",
    show_default=True,
    help="Count churn as another tool does (docs/conventions.md).",
)
@click.option(
    "--activity",
    "activity_file",
    type=click.Path(path_type=Path),
    help="Activity events FILE (customer_id, occurred_at): churn without "
    "subscriptions; needs --inactive-days.",
)
@click.option(
    "--inactive-days",
    type=click.FloatRange(min=0, min_open=True),
    help="With activity: a customer without activity for N days has churned.",
)
@tz_option()
@engine_option()
@output_options()
def rate(
    source: Path | None,
    db: Path | None,
    customers_file: Path | None,
    period: str,
    start: str | None,
    end: str | None,
    by: str | None,
    grace_days: float,
    convention: str,
    activity_file: Path | None,
    inactive_days: float | None,
    tz: str,
    engine: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Customer churn rate per period, from a subscriptions FILE or the store.

    Head counts are taken at period boundaries; churn_rate = churned /
    customers_start with a 95% Wilson interval. See docs/churn-rate.md;
    --convention counts as another tool does, --activity FILE --inactive-days N
    measures churn without subscriptions (docs/conventions.md).
    """
    customers = read_file(customers_file, "customers", tz) if customers_file else None
    activity = None
    if activity_file is not None:
        if source is not None or db is not None:
            raise click.UsageError("give either --activity FILE or a data source")
        if inactive_days is None:
            raise click.UsageError("--activity needs --inactive-days N")
        activity = read_file(activity_file, "activity", tz)
        data = None
    elif inactive_days is not None and source is not None and not is_store(source):
        # A plain FILE with --inactive-days holds the activity events.
        activity, data = read_file(source, "activity", tz), None
    else:
        data = open_data(source, db, tz)
    table = churnlens.churn_rate(
        data,
        convention=convention,
        activity=activity,
        inactive_days=inactive_days,
        period=period,
        start=start,
        end=end,
        by=by,
        customers=customers,
        grace_days=grace_days,
        tz=tz,
        engine=engine,
    )
    if table.empty:
        click.echo(
            "No full period in the range: the data cover less than one "
            f"{period}, or --from/--to lie outside them. Try a shorter --period "
            "or give --from and --to.",
            err=True,
        )
    write_table(
        table,
        fmt=fmt,
        output=output,
        title=_title(period, tz, convention, inactive_days),
        percent=(
            "churn_rate",
            "churn_rate_lower",
            "churn_rate_upper",
            "net_change_rate",
        ),
    )


def _title(period: str, tz: str, convention: str, inactive_days: float | None) -> str:
    title = f"Customer churn per {period} ({tz})"
    if convention != "standard":
        title += f", {convention} convention"
    if inactive_days is not None:
        title += f", inactive after {inactive_days:g} days"
    return title
