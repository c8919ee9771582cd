"""``churnlens risk``: the contact list; ``risk train`` and ``risk backtest``."""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pandas as pd

import churnlens
from churnlens import (
    ConfigError,
    InputError,
    RiskModel,
    risk_backtest,
    train_risk_model,
)
from churnlens.cli._inputs import read_files
from churnlens.cli._options import tz_option
from churnlens.cli._output import FORMATS, write_table

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
_files = click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read this file instead of a store, repeatable: subscriptions, and any "
    "of customers, tickets, activity (told from the name or columns).",
)
_tz = tz_option("Time zone of naive timestamps in --file files.")
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


LIVEAGENT_KEY_ENV = "CHURNLENS_LIVEAGENT_API_KEY"
ZENDESK_TOKEN_ENV = "CHURNLENS_ZENDESK_TOKEN"
_URL_HINTS = {
    "webhook": "e.g. --webhook https://hooks.example.com/churn",
    "liveagent": "the account's address, e.g. --liveagent https://acme.ladesk.com",
    "zendesk": "the account's address, e.g. --zendesk https://acme.zendesk.com",
}
# Options that mean nothing without their helpdesk URL: a typo, not a no-op.
_NEEDS = {
    "department_id": ("--department", "liveagent", "--liveagent URL"),
    "recipient": ("--recipient", "liveagent", "--liveagent URL"),
    "agent": ("--agent", "liveagent", "--liveagent URL"),
    "email": ("--email", "zendesk", "--zendesk URL"),
    "seed": ("--seed", "holdout", "--holdout SHARE"),
}


@click.group(invoke_without_command=True)
@_db
@_files
@_tz
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
@click.option(
    "--holdout",
    type=click.FloatRange(min=0, max=1, max_open=True),
    metavar="SHARE",
    help="Mark about SHARE of the list (e.g. 0.1) as a holdout not to contact; "
    "it is left out of every export.",
)
@click.option(
    "--seed",
    type=int,
    help="Seed of the holdout draw (default 0); the same seed keeps each "
    "customer in the same group on every run.",
)
@click.option(
    "--save",
    is_flag=True,
    help="Save the list (and holdout) in the store, so 'outreach report' can "
    "measure the calls against the holdout.",
)
@click.option("--webhook", metavar="URL", help="POST the list as JSON to URL.")
@click.option(
    "--liveagent",
    metavar="URL",
    help="Create a LiveAgent ticket per customer (https://ACCOUNT.ladesk.com).",
)
@click.option(
    "--api-key",
    metavar="KEY",
    envvar=LIVEAGENT_KEY_ENV,
    show_envvar=True,
    help="LiveAgent API key (v3); better from the environment variable.",
)
@click.option(
    "--department", "department_id", metavar="ID", help="LiveAgent department id."
)
@click.option(
    "--recipient", metavar="EMAIL", help="LiveAgent department's mail address."
)
@click.option(
    "--agent",
    metavar="USER",
    help="LiveAgent user (agent e-mail or id) tickets come from.",
)
@click.option(
    "--zendesk",
    metavar="URL",
    help="Create a Zendesk ticket per customer (https://SUBDOMAIN.zendesk.com).",
)
@click.option(
    "--email", metavar="EMAIL", help="Zendesk agent e-mail the API token belongs to."
)
@click.option(
    "--api-token",
    metavar="TOKEN",
    envvar=ZENDESK_TOKEN_ENV,
    show_envvar=True,
    help="Zendesk API token; better from the environment variable.",
)
@click.pass_context
def risk(
    ctx: click.Context,
    db: Path,
    files: tuple[Path, ...],
    tz: str,
    as_of: str | None,
    top: int | None,
    horizon_days: float,
    model_path: Path | None,
    fmt: str,
    output: Path | None,
    **actions: Any,
) -> None:
    """Who is about to leave: the ranked contact list at --as-of.

    Customers who asked to cancel come first, then by expected value saved
    (churn probability x MRR x 12 months x 25% save rate). --holdout, --save,
    --webhook, --liveagent and --zendesk act on the list; each prints a
    one-line summary on stderr. See docs/risk.md and docs/actions.md.
    """
    if ctx.invoked_subcommand is not None:
        return
    if as_of is None:
        raise click.UsageError("give --as-of DATE (or a subcommand: train, backtest)")
    _check_actions(actions)
    # Saving and tickets record in the store: open it once, for writing, since
    # DuckDB refuses a second connection to a file with another mode.
    write = bool(actions["save"] or actions["liveagent"] or actions["zendesk"])
    if files and write:
        raise click.UsageError(
            "--save, --liveagent and --zendesk record the list in a store; "
            "ingest the files first ('churnlens ingest FILE...') and use --db"
        )
    with _store(_data(ctx, db, files, tz), write=write) as store:
        table = churnlens.contact_list(
            store, as_of=as_of, horizon_days=horizon_days, top=top, model=model_path
        )
        if actions["holdout"] is not None:
            seed = actions["seed"] or 0
            table = churnlens.assign_holdout(table, share=actions["holdout"], seed=seed)
            _note(
                f"Holdout: {int(table['holdout'].sum())} of {len(table)} customers "
                f"not to contact (share {actions['holdout']:g}, seed {seed})"
            )
        if output is not None and "holdout" in table.columns:
            _write_work_list(table, fmt, output)
        else:
            shown = table.drop(columns=["reason_codes"]) if fmt == "table" else table
            _write(shown, fmt, output, title=f"Contact list as of {as_of}")
        _act(table, store, actions)


def _write_work_list(table: pd.DataFrame, fmt: str, output: Path) -> None:
    """A file is what the callers work from: the holdout stays out of it
    (a held-out customer who gets called spoils the measurement)."""
    work = table[~table["holdout"]]
    if fmt in ("csv", "json", "xlsx"):
        churnlens.write_contact_list(table, output)
    else:
        shown = work.drop(columns=["reason_codes"]) if fmt == "table" else work
        _write(shown, fmt, output, title="Contact list")
    _note(
        f"Wrote {len(work)} customers to {output} "
        f"({len(table) - len(work)} in the holdout left out)"
    )


def _check_actions(actions: dict[str, Any]) -> None:
    """Fail on a bad option before the (slow) scoring, not after it."""
    for name in ("webhook", "liveagent", "zendesk"):
        url = actions[name]
        parts = urllib.parse.urlsplit(url or "")
        if url is not None and (
            parts.scheme not in ("http", "https") or not parts.netloc
        ):
            raise ConfigError(
                f"--{name} must be a URL starting with https:// (or http://), "
                f"got {url!r}",
                hint=_URL_HINTS[name],
            )
    for name, (flag, needs, option) in _NEEDS.items():
        if actions[name] is not None and actions[needs] is None:
            raise ConfigError(
                f"{flag} has no effect without {option}", hint=f"add {option}"
            )
    if actions["liveagent"] is not None:
        missing = [
            flag
            for name, flag in (
                ("api_key", f"--api-key (or {LIVEAGENT_KEY_ENV})"),
                ("department_id", "--department ID"),
                ("recipient", "--recipient EMAIL"),
                ("agent", "--agent USER"),
            )
            if not actions[name]
        ]
        if missing:
            raise ConfigError(
                f"--liveagent needs {', '.join(missing)}",
                hint="find them in LiveAgent under Configuration > System > API "
                "(key) and Configuration > Departments; see docs/actions.md",
            )
    if actions["zendesk"] is not None and not (
        actions["email"] and actions["api_token"]
    ):
        raise ConfigError(
            f"--zendesk needs --email and --api-token (or {ZENDESK_TOKEN_ENV})",
            hint="create a token in Zendesk Admin Center > Apps and integrations > "
            "Zendesk API; keep it out of shell history with "
            f"export {ZENDESK_TOKEN_ENV}=...",
        )


def _data(
    ctx: click.Context, db: Path, files: tuple[Path, ...], tz: str
) -> Path | dict[str, pd.DataFrame]:
    """The store path, or the --file files read into tables. A subcommand
    falls back on what the group was given (``risk --file F train``)."""
    given = click.core.ParameterSource.COMMANDLINE
    group = ctx.parent if ctx.parent and ctx.parent.command is risk else None
    own_db = ctx.get_parameter_source("db") == given
    group_db = group is not None and group.get_parameter_source("db") == given
    group_files = group.params["files"] if group is not None else ()
    if (own_db or group_db) and (files or group_files):
        raise click.UsageError("give either --db or --file, not both")
    if group is not None and not files:
        files = group_files
        if ctx.get_parameter_source("tz") != given:
            tz = group.params["tz"]
        db = group.params["db"] if group_db else db
    return read_files(files, tz) if files else db


@contextlib.contextmanager
def _store(
    db: Path | dict[str, pd.DataFrame], *, write: bool
) -> Iterator[churnlens.Store | Path | dict[str, pd.DataFrame]]:
    if not write or not isinstance(db, Path):
        yield db
        return
    if not db.is_file():  # opening for writing would create an empty store
        raise InputError(
            "no churnlens store here",
            path=db,
            hint="create it with 'churnlens ingest FILE... --db PATH', or pass "
            "the path of an existing store (--db PATH)",
        )
    with churnlens.Store.open(db) as store:
        yield store


def _act(table: pd.DataFrame, store: Any, actions: dict[str, Any]) -> None:
    if isinstance(store, churnlens.Store):
        # Helpdesk exports keep the snapshot too; saving first also gives the
        # webhook's document its list_id.
        list_id = churnlens.save_contact_list(store, table)
        _note(f"Saved contact list {list_id} ({len(table)} customers) in {store.path}")
    if actions["webhook"]:
        sent = churnlens.post_webhook(table, actions["webhook"])
        _note(
            f"Webhook: posted {sent['count']} customers to {actions['webhook']} "
            f"(HTTP {sent['status']})"
        )
    if actions["liveagent"]:
        made = churnlens.export_liveagent(
            table,
            store=store,
            url=actions["liveagent"],
            api_key=actions["api_key"],
            department_id=actions["department_id"],
            recipient=actions["recipient"],
            user=actions["agent"],
        )
        _note(_tickets("LiveAgent", made))
    if actions["zendesk"]:
        made = churnlens.export_zendesk(
            table,
            store=store,
            url=actions["zendesk"],
            email=actions["email"],
            api_token=actions["api_token"],
        )
        _note(_tickets("Zendesk", made))


def _tickets(helpdesk: str, made: pd.DataFrame) -> str:
    new = int(made["created"].sum())
    return (
        f"{helpdesk}: created {new} tickets, {len(made) - new} already existed "
        f"(contact list {made.attrs.get('list_id')})"
    )


def _note(text: str) -> None:
    click.echo(text, err=True)


@risk.command()
@_db
@_files
@_tz
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
@click.pass_context
def train(
    ctx: click.Context,
    db: Path,
    files: tuple[Path, ...],
    tz: str,
    as_of: str | None,
    horizon_days: float,
    history_days: float,
    step_days: float,
    model_path: Path,
    with_backtest: bool,
) -> None:
    """Train the churn-risk model and save it with its metadata."""
    data = _data(ctx, db, files, tz)
    model = train_risk_model(
        data,
        as_of=as_of,
        horizon_days=horizon_days,
        history_days=history_days,
        step_days=step_days,
    )
    if with_backtest:
        result = risk_backtest(
            data,
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
@_files
@_tz
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
@click.pass_context
def backtest(
    ctx: click.Context,
    db: Path,
    files: tuple[Path, ...],
    tz: str,
    n_tests: int,
    horizon_days: float,
    history_days: float,
    step_days: float,
    fmt: str,
    output: Path | None,
) -> None:
    """Walk-forward backtest: model vs logistic regression vs a rule."""
    result = risk_backtest(
        _data(ctx, db, files, tz),
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
