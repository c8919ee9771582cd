"""``churnlens reconcile``: one period under every churn convention, and why the
figures differ, customer by customer."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd

from churnlens.cli._inputs import is_store, open_data, read_file
from churnlens.cli._options import (
    engine_option,
    grace_option,
    output_options,
    source_options,
    tz_option,
)
from churnlens.cli._output import json_value, write_table
from churnlens.metrics.conventions import CONVENTIONS
from churnlens.metrics.reconcile import Reconciliation
from churnlens.metrics.reconcile import reconcile as reconcile_period
from churnlens.periods import PERIODS

__all__ = ["reconcile"]

_SHOWN = 20


@click.command()
@source_options(customers=False)
@click.option(
    "--period", type=click.Choice(PERIODS), default="month", show_default=True
)
@click.option(
    "--at",
    "at",
    metavar="DATE",
    required=True,
    help="The period to reconcile: the one containing DATE.",
)
@click.option(
    "--convention",
    "conventions",
    type=click.Choice(tuple(CONVENTIONS)),
    multiple=True,
    help="Compare only these (repeat the option); default: all.",
)
@grace_option()
@click.option(
    "--activity",
    "activity_file",
    type=click.Path(path_type=Path),
    help="Activity events FILE instead of subscriptions; needs --inactive-days.",
)
@click.option(
    "--inactive-days",
    type=click.FloatRange(min=0, min_open=True),
    help="With activity: a customer without activity for N days has churned.",
)
@tz_option()
@engine_option()
@output_options()
@click.option(
    "--figures",
    "figures_only",
    is_flag=True,
    help="csv/parquet: write the figures instead of the customers.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=_SHOWN,
    show_default=True,
    help="Customers shown per reason on screen (csv/json list them all).",
)
def reconcile(
    source: Path | None,
    db: Path | None,
    period: str,
    at: str,
    conventions: tuple[str, ...],
    grace_days: float,
    activity_file: Path | None,
    inactive_days: float | None,
    tz: str,
    engine: str | None,
    fmt: str,
    figures_only: bool,
    limit: int,
    output: Path | None,
) -> None:
    """Churn of one period under every convention, and the customers behind
    each difference (joined and left, left and came back, on a boundary, ...).

    See docs/conventions.md.
    """
    activity = None
    data: object = None
    if activity_file is not None:
        if source is not None or db is not None:
            raise click.UsageError("give either --activity FILE or a data source")
        if inactive_days is None:
            raise click.UsageError("--activity needs --inactive-days N")
        activity = read_file(activity_file, "activity", tz)
    elif inactive_days is not None and source is not None and not is_store(source):
        activity = read_file(source, "activity", tz)
    else:
        data = open_data(source, db, tz)
    result = reconcile_period(
        data,
        period_start=at,
        period=period,
        conventions=list(conventions) or None,
        grace_days=grace_days,
        activity=activity,
        inactive_days=inactive_days,
        tz=tz,
        engine=engine,
    )
    if fmt == "json":
        _write_json(result, output)
    elif fmt == "table":
        _write_screen(result, limit, output)
    else:
        table = result.figures if figures_only else result.customers
        write_table(table, fmt=fmt, output=output)


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [
        {k: json_value(v) for k, v in row.items()} for row in frame.to_dict("records")
    ]


def _write_json(result: Reconciliation, output: Path | None) -> None:
    payload = {
        "period_start": result.period_start.isoformat(),
        "period_end": result.period_end.isoformat(),
        "figures": _records(
            result.figures.astype({"window_start": str, "window_end": str})
        ),
        "customers": _records(result.customers),
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


def _write_screen(result: Reconciliation, limit: int, output: Path | None) -> None:
    """The figures, then per reason the number of customers and the first ids."""
    figures = result.figures.drop(columns=["window_start", "window_end"])
    lines = []
    customers = result.customers
    names = list(result.figures["convention"])
    if customers.empty:
        lines.append("Every convention counts every customer the same way.")
    else:
        lines.append(f"{len(customers)} customers are counted differently:")
        for reason, group in customers.groupby("reason", sort=True):
            ids = ", ".join(map(str, group["customer_id"].head(limit)))
            more = len(group) - min(limit, len(group))
            tail = f" (+{more} more; --format csv lists all)" if more > 0 else ""
            lines.append(f"  {reason} ({len(group)}): {ids}{tail}")
        for name in names[1:]:
            d = result.explain(name, names[0])
            if not d.empty:
                lines.append(
                    f"  {name} - {names[0]}: churned {int(d.churned_delta.sum()):+d}, "
                    f"base {int(d.base_delta.sum()):+d} from {len(d)} customers"
                )
    title = f"Churn {result.period_start} to {result.period_end} by convention"
    write_table(
        figures,
        fmt="table",
        output=output,
        title=title,
        percent=("churn_rate", "churn_rate_lower", "churn_rate_upper"),
    )
    text = "\n".join(lines) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        with output.open("a", encoding="utf-8") as f:
            f.write(text)
