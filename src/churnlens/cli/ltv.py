"""``churnlens ltv``: customer lifetime value, three ways."""

from __future__ import annotations

from pathlib import Path

import click

import churnlens
from churnlens.cli._inputs import open_data, read_file
from churnlens.cli._options import (
    by_option,
    engine_option,
    grace_option,
    output_options,
    source_options,
    tz_option,
)
from churnlens.cli._output import write_table

__all__ = ["ltv"]


@click.command()
@source_options()
@click.option(
    "--method",
    type=click.Choice(["simple", "kaplan_meier", "sbg", "all"]),
    default="all",
    show_default=True,
)
@click.option(
    "--margin",
    type=click.FloatRange(min=0, max=1, min_open=True),
    default=1.0,
    show_default=True,
    help="Gross margin as a share of revenue, e.g. 0.8.",
)
@click.option(
    "--discount-rate",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Yearly discount rate, e.g. 0.1 for 10% a year.",
)
@click.option(
    "--window",
    type=click.IntRange(min=1),
    default=12,
    show_default=True,
    help="Latest full months pooled for ARPA and the simple churn rate.",
)
@click.option(
    "--horizon",
    "horizon_months",
    type=click.FloatRange(min=0, min_open=True),
    help="Count lifetime up to this many months only.",
)
@by_option("One value per customer segment.")
@click.option("--fx", type=click.Path(path_type=Path), help="FX table (CSV).")
@click.option("--currency", help="Reporting currency, with --fx.")
@grace_option()
@tz_option()
@engine_option()
@output_options()
def ltv(
    source: Path | None,
    db: Path | None,
    customers_file: Path | None,
    method: str,
    margin: float,
    discount_rate: float,
    window: int,
    horizon_months: float | None,
    by: str | None,
    fx: Path | None,
    currency: str | None,
    grace_days: float,
    tz: str,
    engine: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Customer lifetime value: ARPA x margin x expected lifetime in months.

    simple: lifetime = 1 / monthly churn rate; kaplan_meier: the area under the
    survival curve; sbg: the shifted-beta-geometric model. 95% intervals; an LTV
    the data cannot support is left empty with a note. See docs/ltv.md.
    """
    data = open_data(source, db, tz)
    customers = read_file(customers_file, "customers", tz) if customers_file else None
    table = churnlens.lifetime_value(
        data,
        method=method,
        margin=margin,
        discount_rate=discount_rate,
        window=window,
        horizon_months=horizon_months,
        by=by,
        customers=customers,
        fx=fx,
        currency=currency,
        grace_days=grace_days,
        tz=tz,
        engine=engine,
    )
    write_table(
        table,
        fmt=fmt,
        output=output,
        title=f"Customer lifetime value (margin {margin:.0%})",
        percent=("monthly_churn_rate",),
    )
