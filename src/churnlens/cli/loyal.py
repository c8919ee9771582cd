"""``churnlens loyal``: loyal customers for the loyalty programme."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click
import pandas as pd

import churnlens
from churnlens.actions.loyalty import loyal_customers
from churnlens.cli._inputs import open_data, read_file
from churnlens.cli._options import source_options, tz_option
from churnlens.cli._output import FORMATS, write_table
from churnlens.errors import ConfigError

__all__ = ["loyal"]


@click.command()
@source_options()
@tz_option()
@click.option("--as-of", "as_of", metavar="DATE", help="Default: the end of the data.")
@click.option(
    "--min-tenure",
    type=click.FloatRange(min=0),
    default=24,
    show_default=True,
    help="Months in the base, at least.",
)
@click.option("--min-mrr", type=click.FloatRange(min=0), help="MRR, at least.")
@click.option(
    "--top-share",
    type=click.FloatRange(min=0, max=1, min_open=True),
    help="Keep the top share by MRR (e.g. 0.2).",
)
@click.option(
    "--risk",
    "risk_file",
    type=click.Path(path_type=Path, exists=True),
    help="CSV with customer_id, churn_probability (e.g. from 'churnlens risk').",
)
@click.option(
    "--max-risk",
    type=click.FloatRange(min=0, max=1),
    help="Churn probability, at most (needs --risk).",
)
@click.option(
    "--tier",
    "tier_options",
    multiple=True,
    metavar="NAME=AMOUNT",
    help="Reward tier by minimum lifetime revenue, repeatable "
    "(default: top 10% gold, next 30% silver, rest bronze).",
)
@click.option("--fx", "fx_file", type=click.Path(path_type=Path), help="FX rates CSV.")
@click.option("--currency", help="Reporting currency (with --fx).")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="Write to a file."
)
def loyal(
    source: Path | None,
    db: Path | None,
    customers_file: Path | None,
    tz: str,
    as_of: str | None,
    min_tenure: float,
    min_mrr: float | None,
    top_share: float | None,
    risk_file: Path | None,
    max_risk: float | None,
    tier_options: tuple[str, ...],
    fx_file: Path | None,
    currency: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Customers with long tenure, high value and low risk, with a reward tier.

    SOURCE is a subscriptions file or a store (default ./churnlens.duckdb).
    """
    risk = pd.read_csv(risk_file, dtype={"customer_id": str}) if risk_file else None
    data = open_data(source, db, tz)
    with data if isinstance(data, churnlens.Store) else contextlib.nullcontext():
        table = loyal_customers(
            data,
            customers=read_file(customers_file, "customers", tz)
            if customers_file
            else None,
            tz=tz,
            as_of=as_of,
            min_tenure_months=min_tenure,
            min_mrr=min_mrr,
            top_share=top_share,
            max_risk=max_risk,
            risk=risk,
            tiers=_tiers(tier_options) if tier_options else None,
            fx=fx_file,
            currency=currency,
        )
    when = pd.Timestamp(table.attrs.get("as_of")) if table.attrs.get("as_of") else None
    title = "Loyal customers" + (f" as of {when:%Y-%m-%d}" if when is not None else "")
    if fmt == "table":  # money as money on screen; files keep full numbers
        money = ("lifetime_revenue", "mrr")
        table = table.assign(
            tenure_months=table["tenure_months"].round(1),
            **{c: table[c].map("{:,.2f}".format) for c in money},
        )
    write_table(
        table, fmt=fmt, output=output, title=title, percent=("churn_probability",)
    )


def _tiers(options: tuple[str, ...]) -> dict[str, float]:
    tiers: dict[str, float] = {}
    for option in options:
        name, sep, amount = option.partition("=")
        try:
            tiers[name.strip()] = float(amount)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise ConfigError(
                f"--tier {option!r} is not NAME=AMOUNT",
                hint="e.g. --tier gold=20000 --tier silver=5000 --tier bronze=0",
            )
    return tiers
