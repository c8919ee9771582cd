"""``churnlens revenue``: revenue churn rates, MRR movements or the customers
behind them, per period."""

from __future__ import annotations

from pathlib import Path

import click

from churnlens.cli._inputs import open_data, read_file
from churnlens.cli._options import (
    by_option,
    engine_option,
    output_options,
    range_options,
    source_options,
    tz_option,
)
from churnlens.cli._output import write_table
from churnlens.metrics.revenue import (
    mrr_movement_customers,
    mrr_movements,
    revenue_churn,
)

__all__ = ["revenue"]

_MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")
_RATES = (
    "gross_mrr_churn_rate",
    "net_mrr_churn_rate",
    "nrr",
    "nrr_lower",
    "nrr_upper",
    "grr",
    "grr_lower",
    "grr_upper",
)


@click.command()
@source_options()
@range_options()
@by_option()
@click.option(
    "--fx",
    "fx_file",
    type=click.Path(path_type=Path),
    help="FX table (CSV: currency, date, rate = reporting units per 1 unit).",
)
@click.option("--currency", metavar="CODE", help="Reporting currency, e.g. USD.")
@tz_option()
@engine_option()
@click.option(
    "--movements",
    "show_movements",
    is_flag=True,
    help="Show the MRR movements table instead of the rates.",
)
@click.option(
    "--customers-of",
    "customers_of",
    metavar="PERIOD",
    help="List the customers behind the movements of the period containing "
    "PERIOD (e.g. 2024-03).",
)
@click.option(
    "--movement",
    type=click.Choice(_MOVEMENTS),
    help="With --customers-of: only this movement.",
)
@output_options()
def revenue(
    source: Path | None,
    db: Path | None,
    customers_file: Path | None,
    period: str,
    start: str | None,
    end: str | None,
    by: str | None,
    fx_file: Path | None,
    currency: str | None,
    tz: str,
    engine: str | None,
    show_movements: bool,
    customers_of: str | None,
    movement: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Revenue churn per period, from a subscriptions FILE or the store.

    Rates by default: gross and net MRR churn, NRR and GRR (95% bootstrap
    intervals), quick ratio and ARPA. --movements shows MRR at each period's
    start and end with new, expansion, contraction, churn, reactivation and the
    FX effect between. See docs/revenue.md.
    """
    if show_movements and customers_of:
        raise click.UsageError("give either --movements or --customers-of, not both")
    if movement and not customers_of:
        raise click.UsageError("--movement needs --customers-of PERIOD")
    data = open_data(source, db, tz)
    customers = read_file(customers_file, "customers", tz) if customers_file else None
    options = dict(
        period=period,
        by=by,
        customers=customers,
        fx=fx_file,
        currency=currency,
        tz=tz,
        engine=engine,
    )
    unit = f" ({currency})" if currency else ""
    if customers_of:
        table = mrr_movement_customers(
            data, period_start=customers_of, movement=movement, **options
        )
        title = f"Customers behind the MRR movements of the {period} of {customers_of}"
        write_table(table, fmt=fmt, output=output, title=title + unit)
        return
    if show_movements:
        table = mrr_movements(data, start=start, end=end, **options)
        title, percent = f"MRR movements per {period}{unit}", ()
    else:
        table = revenue_churn(data, start=start, end=end, **options)
        title, percent = f"Revenue churn per {period}{unit}", _RATES
    if table.empty:
        click.echo(
            "No full period in the range: the data cover less than one "
            f"{period}, or --from/--to lie outside them. Try a shorter --period "
            "or give --from and --to.",
            err=True,
        )
    write_table(table, fmt=fmt, output=output, title=title, percent=percent)
