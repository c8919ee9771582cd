"""``churnlens cohorts``: retention of signup cohorts by age."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from churnlens.cli._inputs import open_data, read_file
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
from churnlens.metrics.cohorts import KINDS, cohort_table, to_wide

__all__ = ["cohorts"]


@click.command()
@source_options()
@range_options(first="cohort")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="customers",
    show_default=True,
    help="customers (logo retention) or revenue (MRR retention).",
)
@click.option(
    "--counts",
    is_flag=True,
    help="Show customers (or MRR) retained instead of shares.",
)
@click.option(
    "--returning/--no-returning",
    default=True,
    show_default=True,
    help="Count customers again when they come back, or only until they first "
    "leave (customer cohorts).",
)
@by_option()
@grace_option()
@click.option(
    "--fx",
    type=click.Path(path_type=Path),
    help="FX table (currency, date, rate) for --kind revenue.",
)
@click.option("--currency", help="Reporting currency for --kind revenue.")
@tz_option()
@engine_option()
@output_options()
@click.option(
    "--wide",
    is_flag=True,
    help="Write the triangle (a column per age) to CSV/JSON/Parquet too, "
    "instead of a row per cohort and age.",
)
def cohorts(
    source: Path | None,
    db: Path | None,
    customers_file: Path | None,
    period: str,
    kind: str,
    counts: bool,
    returning: bool,
    start: str | None,
    end: str | None,
    by: str | None,
    grace_days: float,
    fx: Path | None,
    currency: str | None,
    tz: str,
    engine: str | None,
    fmt: str,
    wide: bool,
    output: Path | None,
) -> None:
    """Signup cohorts by age, from a subscriptions FILE or the store.

    A customer's cohort is the period of their first start; at age k they count
    if they are in the base at the end of period cohort + k (back after leaving
    counts again). --kind revenue follows the cohort's MRR instead, as a share of
    its MRR at age 0. See docs/cohorts.md.
    """
    data = open_data(source, db, tz)
    customers = read_file(customers_file, "customers", tz) if customers_file else None
    table = cohort_table(
        data,
        period=period,
        kind=kind,  # type: ignore[arg-type]
        start=start,
        end=end,
        by=by,
        customers=customers,
        fx=fx,
        currency=currency,
        returning=returning,
        grace_days=grace_days,
        tz=tz,
        engine=engine,
    )
    if table.empty:
        click.echo(
            f"No cohort with a full {period} in the range: the data end before "
            "the first signup period does, or --from/--to lie outside them. Try "
            "a shorter --period.",
            err=True,
        )
    value = ("customers" if kind == "customers" else "mrr") if counts else "retention"
    if fmt != "table" and not wide:
        write_table(table, fmt=fmt, output=output, percent=("retention",))
        return
    triangle = _triangle(table, value, kind, whole=fmt == "table")
    what = "Customers" if kind == "customers" else "MRR"
    shown = "retained" if counts else "share retained"
    write_table(
        triangle,
        fmt=fmt,
        output=output,
        title=f"{what} {shown} by signup {period} and age in {period}s ({tz})",
        percent=() if counts else tuple(c for c in triangle.columns if c.isdigit()),
    )


def _triangle(
    table: pd.DataFrame, value: str, kind: str, *, whole: bool
) -> pd.DataFrame:
    """Cohorts as rows, ages as columns, the cohort's size first; empty cells
    past the data's end. ``whole``: MRR in whole currency units (on screen)."""
    size = "cohort_size" if kind == "customers" else "cohort_mrr"
    if table.empty:
        return pd.DataFrame({"cohort": [], size: []})
    wide = to_wide(table, value=value)
    sizes = to_wide(table, value=size)[0]
    if whole and kind == "revenue":
        sizes = sizes.round().astype("Int64")
        if value == "mrr":
            wide = wide.round().astype("Int64")
    wide.columns = [str(age) for age in wide.columns]
    frame = wide.astype(object).map(_plain)
    frame.insert(0, size, [_plain(v) for v in sizes])
    return frame.reset_index()


def _plain(value: Any) -> Any:
    """Python scalars for the renderer: ints stay ints, missing is None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value
