"""The options every command shares, declared once.

Each function returns a decorator; stacking them gives a command the same
spelling, defaults and help as every other command for the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from churnlens.cli._output import FORMATS
from churnlens.periods import PERIODS

__all__ = [
    "by_option",
    "engine_option",
    "grace_option",
    "output_options",
    "range_options",
    "source_options",
    "tz_option",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _stack(*decorators: Decorator) -> Decorator:
    """One decorator applying ``decorators`` so that they list top to bottom."""

    def apply(f: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            f = decorator(f)
        return f

    return apply


def source_options(*, customers: bool = True) -> Decorator:
    """``SOURCE`` (a data file or a store), ``--db`` and ``--customers``."""
    parts = [
        click.argument("source", required=False, type=click.Path(path_type=Path)),
        click.option(
            "--db",
            type=click.Path(path_type=Path),
            help="Store to read (default ./churnlens.duckdb).",
        ),
    ]
    if customers:
        parts.append(
            click.option(
                "--customers",
                "customers_file",
                type=click.Path(path_type=Path),
                help="Customers file, for --by with a data file.",
            )
        )
    return _stack(*parts)


def range_options(*, first: str = "period") -> Decorator:
    """``--period``, ``--from`` and ``--to``: which periods (or cohorts) to show."""
    return _stack(
        click.option(
            "--period", type=click.Choice(PERIODS), default="month", show_default=True
        ),
        click.option(
            "--from",
            "start",
            metavar="DATE",
            help=f"First {first}: the one containing DATE.",
        ),
        click.option(
            "--to",
            "end",
            metavar="DATE",
            help=f"Last {first}: the one containing DATE.",
        ),
    )


def by_option(help: str = "Split by a customer attribute.") -> Decorator:
    return click.option("--by", metavar="COLUMN", help=help)


def grace_option(
    help: str = "A gap shorter than DAYS between subscriptions is not churn.",
) -> Decorator:
    return click.option(
        "--grace", "grace_days", type=click.FloatRange(min=0), default=0, help=help
    )


def tz_option(
    help: str = "Time zone of the calendar and of naive timestamps.",
) -> Decorator:
    return click.option("--tz", default="UTC", show_default=True, help=help)


def engine_option() -> Decorator:
    return click.option(
        "--engine", help="duckdb (default), spark or a postgresql:// URL."
    )


def output_options() -> Decorator:
    """``--format`` and ``--output``."""
    return _stack(
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="table",
            show_default=True,
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(path_type=Path),
            help="Write to a file instead of the terminal.",
        ),
    )
