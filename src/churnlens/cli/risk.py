"""``churnlens risk``: the contact list; ``risk train`` and ``risk backtest``."""

from __future__ import annotations

from pathlib import Path

import click

from churnlens.actions.contact_list import contact_list
from churnlens.cli._output import FORMATS, write_table
from churnlens.errors import ConfigError
from churnlens.models.risk import RiskModel, risk_backtest, train_risk_model

__all__ = ["risk"]

DEFAULT_DB = Path("churnlens.duckdb")
RISK_FORMATS = (*FORMATS, "xlsx")

_db = click.option(
    "--db",
    type=click.Path(path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="Store to read.",
)
_horizon = click.option(
    "--horizon",
    "horizon_days",
    type=click.FloatRange(min=1),
    default=90,
    show_default=True,
    help="Churn within this many days is the target.",
)
_history = click.option(
    "--history",
    "history_days",
    type=click.FloatRange(min=0),
    default=360,
    show_default=True,
    help="Days of as-of dates to train on.",
)
_step = click.option(
    "--step",
    "step_days",
    type=click.FloatRange(min=1),
    default=30,
    show_default=True,
    help="Days between training as-of dates.",
)
_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(RISK_FORMATS),
    default="table",
    show_default=True,
)
_output = click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="Write to a file."
)


@click.group(invoke_without_command=True)
@_db
@click.option("--as-of", "as_of", metavar="DATE", help="Score customers at DATE.")
@click.option("--top", type=click.IntRange(min=1), help="Keep the first N rows.")
@_horizon
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="A model saved by 'risk train' (default: train one now).",
)
@_format
@_output
@click.pass_context
def risk(
    ctx: click.Context,
    db: Path,
    as_of: str | None,
    top: int | None,
    horizon_days: float,
    model_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Who is about to leave: the ranked contact list at --as-of.

    Customers who asked to cancel come first, then by expected value saved
    (churn probability x MRR x 12 months x 25% save rate). See docs/risk.md.
    """
    if ctx.invoked_subcommand is not None:
        return
    if as_of is None:
        raise click.UsageError("give --as-of DATE (or a subcommand: train, backtest)")
    table = contact_list(
        db, as_of=as_of, horizon_days=horizon_days, top=top, model=model_path
    )
    table = table.drop(columns=["reason_codes"]) if fmt == "table" else table
    _write(table, fmt, output, title=f"Contact list as of {as_of}")


@risk.command()
@_db
@click.option("--as-of", "as_of", metavar="DATE", help="Last training date.")
@_horizon
@_history
@_step
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    required=True,
    help="Where to save the model (.joblib; metadata beside it as .json).",
)
@click.option(
    "--backtest/--no-backtest",
    "with_backtest",
    default=True,
    show_default=True,
    help="Run the backtest and record it in the metadata.",
)
def train(
    db: Path,
    as_of: str | None,
    horizon_days: float,
    history_days: float,
    step_days: float,
    model_path: Path,
    with_backtest: bool,
) -> None:
    """Train the churn-risk model and save it with its metadata."""
    model = train_risk_model(
        db,
        as_of=as_of,
        horizon_days=horizon_days,
        history_days=history_days,
        step_days=step_days,
    )
    if with_backtest:
        result = risk_backtest(
            db,
            horizon_days=horizon_days,
            history_days=history_days,
            step_days=step_days,
            model=model,
        )
        model.metadata["backtest"] = result.to_dict()
        click.echo(result.summary.to_string(index=False))
    saved = model.save(model_path)
    click.echo(f"Saved {saved} and {saved.with_suffix('.json')}")


@risk.command()
@_db
@click.option(
    "--tests",
    "n_tests",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Number of test as-of dates (the latest with known outcomes).",
)
@_horizon
@_history
@_step
@_format
@_output
def backtest(
    db: Path,
    n_tests: int,
    horizon_days: float,
    history_days: float,
    step_days: float,
    fmt: str,
    output: Path | None,
) -> None:
    """Walk-forward backtest: model vs logistic regression vs a rule."""
    result = risk_backtest(
        db,
        n_tests=n_tests,
        horizon_days=horizon_days,
        history_days=history_days,
        step_days=step_days,
        model=RiskModel(horizon_days=horizon_days),
    )
    _write(result.folds, fmt, output, title="Risk backtest")
    if fmt == "table":
        click.echo("\nMean over test dates:")
        _write(result.summary, fmt, None, title="")
        click.echo("\nCalibration (deciles of predicted probability):")
        _write(result.calibration, fmt, None, title="")


def _write(table, fmt: str, output: Path | None, *, title: str) -> None:  # noqa: ANN001
    if fmt != "xlsx":
        write_table(table, fmt=fmt, output=output, title=title)
        return
    if output is None:
        raise ConfigError(
            "an Excel file cannot go to the terminal", hint="add --output FILE.xlsx"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    frame = table.copy()
    for column in frame.columns:
        if hasattr(frame[column], "dt") and getattr(frame[column].dt, "tz", None):
            frame[column] = frame[column].dt.tz_localize(None)
    frame.to_excel(output, index=False, engine="openpyxl")
