"""``churnlens report``: the self-contained HTML report."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from churnlens.cli._inputs import open_data
from churnlens.cli._options import by_option, range_options, source_options, tz_option
from churnlens.report import LANGUAGES, build_report

__all__ = ["build_with_progress", "report"]


@click.command()
@source_options(customers=False)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default="report.html",
    show_default=True,
    help="HTML file to write.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Language of the report (default: the system locale's, else en).",
)
@range_options()
@by_option("Split the survival curves by a customer attribute.")
@click.option(
    "--fx",
    "fx_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="FX table (currency, date, rate) for subscriptions in several currencies.",
)
@click.option("--currency", metavar="CODE", help="Reporting currency, e.g. EUR.")
@tz_option()
@click.option(
    "--contacts/--no-contacts",
    default=True,
    show_default=True,
    help="Include the contact list (trains a churn-risk model on the data).",
)
def report(
    source: Path | None,
    db: Path | None,
    output: Path,
    lang: str | None,
    period: str,
    start: str | None,
    end: str | None,
    by: str | None,
    fx_file: Path | None,
    currency: str | None,
    tz: str,
    contacts: bool,
) -> None:
    """Write a self-contained HTML report (charts included, works offline) from
    a subscriptions FILE or the store. See docs/report.md."""
    data = open_data(source, db, tz)
    path = build_with_progress(
        data,
        output=output,
        lang=lang,
        period=period,
        start=start,
        end=end,
        by=by,
        fx=fx_file,
        currency=currency,
        tz=tz,
        contacts=contacts,
    )
    click.echo(f"Wrote {path}", err=True)


def build_with_progress(data: object, **options: object) -> Path:
    """``build_report`` with a progress bar on stderr."""
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("report", total=None)

        def advance(done: int, total: int, step: str) -> None:
            bar.update(task, completed=done, total=total, description=step)

        return build_report(data, progress=advance, **options)
