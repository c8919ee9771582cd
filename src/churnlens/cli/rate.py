"""``churnlens rate``: the churn table per period."""

from __future__ import annotations

from pathlib import Path

import click

import churnlens
from churnlens.cli._output import FORMATS, write_table
from churnlens.inputs import rejected_by_column
from churnlens.periods import PERIODS
from churnlens.store import STORE_SUFFIXES

__all__ = ["rate"]

DEFAULT_DB = "churnlens.duckdb"


@click.command()
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    help="Store to read (default ./churnlens.duckdb).",
)
@click.option(
    "--customers",
    "customers_file",
    type=click.Path(path_type=Path),
    help="Customers file, for --by with a data file.",
)
@click.option(
    "--period", type=click.Choice(PERIODS), default="month", show_default=True
)
@click.option(
    "--from", "start", metavar="DATE", help="First period: the one containing DATE."
)
@click.option(
    "--to", "end", metavar="DATE", help="Last period: the one containing DATE."
)
@click.option("--by", metavar="COLUMN", help="Split by a customer attribute.")
@click.option(
    "--grace",
    "grace_days",
    type=click.FloatRange(min=0),
    default=0,
    help="A gap shorter than DAYS between subscriptions is not churn.",
)
@click.option(
    "--tz",
    default="UTC",
    show_default=True,
    help="Time zone of the calendar and of naive timestamps.",
)
@click.option("--engine", help="duckdb (default), spark or a postgresql:// URL.")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write to a file instead of the terminal.",
)
def rate(
    source: Path | None,
    db: Path | None,
    customers_file: Path | None,
    period: str,
    start: str | None,
    end: str | None,
    by: str | None,
    grace_days: float,
    tz: str,
    engine: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Customer churn rate per period, from a subscriptions FILE or the store.

    Head counts are taken at period boundaries; churn_rate = churned /
    customers_start with a 95% Wilson interval. See docs/churn-rate.md.
    """
    data = _data(source, db, tz)
    customers = _read(customers_file, "customers", tz) if customers_file else None
    table = churnlens.churn_rate(
        data,
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
        title=f"Customer churn per {period} ({tz})",
        percent=(
            "churn_rate",
            "churn_rate_lower",
            "churn_rate_upper",
            "net_change_rate",
        ),
    )


def _data(source: Path | None, db: Path | None, tz: str) -> object:
    if source is not None and db is not None:
        raise click.UsageError("give either a data FILE or --db, not both")
    if source is None:
        return churnlens.Store.open(db or DEFAULT_DB, read_only=True)
    if source.suffix in STORE_SUFFIXES:
        return churnlens.Store.open(source, read_only=True)
    return _read(source, "subscriptions", tz)


def _read(path: Path, table: str, tz: str) -> object:
    """Read and validate a file, saying on stderr what was kept."""
    result = churnlens.read_table(path, table=table, tz=tz)
    message = (
        f"{path}: read {result.n_read}, accepted {result.n_accepted}, "
        f"rejected {result.n_rejected}"
    )
    if result.n_rejected:
        counts = rejected_by_column(result.rejected)
        reasons = ", ".join(f"{c} {n}" for c, n in counts.items())
        message += f" ({reasons}; 'churnlens ingest' keeps them in a quarantine file)"
    click.echo(message, err=True)
    return result.accepted
