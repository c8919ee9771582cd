"""``churnlens survival``: Kaplan-Meier survival of customer lifetimes."""

from __future__ import annotations

import math
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
from churnlens.models import survival_analysis

__all__ = ["survival"]


@click.command()
@source_options()
@by_option("One curve per value of a column.")
@click.option(
    "--unit",
    type=click.Choice(["day", "week", "month"]),
    default="month",
    show_default=True,
    help="Unit of the durations (a month is 30.4375 days).",
)
@grace_option("A gap shorter than DAYS between subscriptions does not end a lifetime.")
@click.option(
    "--all-spells",
    is_flag=True,
    help="Count every spell as a lifetime, not only each customer's first.",
)
@tz_option()
@engine_option()
@output_options()
def survival(
    source: Path | None,
    db: Path | None,
    customers_file: Path | None,
    by: str | None,
    unit: str,
    grace_days: float,
    all_spells: bool,
    tz: str,
    engine: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Survival of customer lifetimes (Kaplan-Meier) from a FILE or the store.

    Prints the median lifetime and the restricted mean lifetime (RMST) with 95%
    intervals, the log-rank test across --by segments, then the curve. A
    lifetime runs from a customer's first start to the end of that spell;
    customers still active are censored. See docs/survival.md.
    """
    data = open_data(source, db, tz)
    customers = read_file(customers_file, "customers", tz) if customers_file else None
    result = survival_analysis(
        data,
        by=by,
        unit=unit,
        grace_days=grace_days,
        spell="all" if all_spells else "first",
        customers=customers,
        tz=tz,
        engine=engine,
    )
    if result.table.empty:
        click.echo("No lifetimes in the data: nobody was ever a customer.", err=True)
    # The figures go to stderr when the curve goes to stdout as data, so that
    # CSV/JSON output stays parseable.
    to_err = fmt != "table" and output is None
    click.echo(_figures(result, by), err=to_err)
    write_table(
        result.table,
        fmt=fmt,
        output=output,
        title=f"Survival of customer lifetimes (in {unit}s)",
        percent=("survival", "survival_lower", "survival_upper"),
    )


def _figures(result: churnlens.models.SurvivalAnalysis, by: str | None) -> str:
    lines = []
    for row in result.summary.to_dict("records"):
        name = f"{by}={row['segment']}: " if by is not None else ""
        lines.append(
            f"{name}{int(row['customers'])} customers, {int(row['events'])} churned; "
            f"median lifetime {_number(row['median_lifetime'])} {result.unit}s "
            f"(95% CI {_number(row['median_lifetime_lower'])} – "
            f"{_number(row['median_lifetime_upper'])}); "
            f"RMST to {_number(row['rmst_horizon'])}: {row['rmst']:.4g} "
            f"({row['rmst_lower']:.4g} – {row['rmst_upper']:.4g})"
        )
    if result.logrank is not None:
        test = result.logrank
        lines.append(
            f"log-rank test across {by}: chi2 = {test.test_statistic:.4g}, "
            f"df = {test.degrees_of_freedom}, p = {test.p_value:.4g}"
        )
    return "\n".join(lines)


def _number(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return "not reached"
    return f"{value:g}"
