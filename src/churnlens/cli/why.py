"""``churnlens why``: why customers leave, and what customer service changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pandas as pd

from churnlens.cli._inputs import open_data
from churnlens.cli._options import (
    by_option,
    engine_option,
    output_options,
    range_options,
    source_options,
    tz_option,
)
from churnlens.cli._output import json_value, write_table
from churnlens.errors import ConfigError
from churnlens.explain import churn_reasons, reason_trends, support_impact
from churnlens.explain.support_impact import DEFAULT_MEASURES, SUPPORT_COVARIATES
from churnlens.explain.table_impact import table_support_impact
from churnlens.explain.table_reasons import table_reasons
from churnlens.inputs.churn_events import (
    EVENT_PRESETS,
    apply_churn_events,
    read_churn_events,
)

__all__ = ["why"]

WHY_FORMATS = ("table", "csv", "json")
_PERCENT = (
    "share",
    "share_lower",
    "share_upper",
    "lost_mrr_share",
    "share_first",
    "share_last",
    "change",
    "change_lower",
    "change_upper",
    "churn_share",
    "churn_share_lower",
    "churn_share_upper",
)


@click.command()
@source_options(customers=False)
@range_options()
@by_option("Split the reasons by a customer attribute.")
@click.option(
    "--horizon",
    "horizon_days",
    type=click.FloatRange(min=0, min_open=True),
    default=90,
    show_default=True,
    help="Churn within DAYS after each period end (buckets); the what-if window.",
)
@click.option(
    "--sla-hours",
    type=click.FloatRange(min=0, min_open=True),
    default=24,
    show_default=True,
    help="First-response target: slower is a slow first response.",
)
@click.option(
    "--fx",
    "fx_file",
    type=click.Path(path_type=Path, exists=True),
    help="FX table FILE (currency, date, rate) to add up several currencies.",
)
@click.option("--currency", metavar="CODE", help="Reporting currency.")
@click.option(
    "--no-support",
    is_flag=True,
    help="Reasons only: skip the support-impact model.",
)
@click.option(
    "--boot",
    "n_boot",
    type=click.IntRange(min=0),
    default=200,
    show_default=True,
    help="Draws for the what-if interval.",
)
@click.option(
    "--churn-events",
    "events_file",
    type=click.Path(path_type=Path),
    help="Churn events FILE (customer, date, reason, feedback): each ends the "
    "customer's subscriptions in force on its date (docs/why.md).",
)
@click.option(
    "--preset",
    type=click.Choice(tuple(EVENT_PRESETS), case_sensitive=False),
    help="How --churn-events FILE names its columns and reason codes.",
)
@click.option(
    "--churned",
    metavar="COLUMN[=VALUE]",
    help="SOURCE is a table with one row per customer, and COLUMN says who "
    "churned (1/0, yes/no, true/false, or VALUE for churned).",
)
@click.option(
    "--measure",
    "measures",
    multiple=True,
    metavar="NAME",
    help="A support measure (repeatable): with --churned a column; else one of "
    "the model's covariates (default: slow_first_response, low_satisfaction, "
    "open_ticket_over_7d; also sla_breach, reopened, log_tickets_90d).",
)
@click.option(
    "--reason",
    "reason_column",
    metavar="COLUMN",
    help="With --churned: the churned customers' reason, codes or free text in "
    "any of the six languages; adds the reasons section.",
)
@click.option(
    "--mrr",
    "mrr_column",
    metavar="COLUMN",
    help="With --reason: what each customer paid per month (lost MRR).",
)
@click.option(
    "--lang",
    metavar="CODE",
    help="With --reason: the texts' language (en, pl, lt, da, vi, sl); "
    "detected per text when left out.",
)
@click.option(
    "--duration",
    metavar="COLUMN",
    help="With --churned: time observed (tenure); adds a Cox model.",
)
@click.option(
    "--adjust",
    "adjust_for",
    multiple=True,
    metavar="COLUMN",
    help="With --duration: a column the Cox model adjusts for (repeatable).",
)
@click.option(
    "--buckets",
    "bucket_specs",
    multiple=True,
    metavar="[MEASURE=]EDGES",
    help="With --churned: cut a numeric measure at EDGES, e.g. "
    "calls=0,4 gives 0-3 and 4+ (repeatable).",
)
@tz_option()
@engine_option()
@output_options()
@click.pass_context
def why(
    ctx: click.Context,
    source: Path | None,
    db: Path | None,
    period: str,
    start: str | None,
    end: str | None,
    by: str | None,
    horizon_days: float,
    sla_hours: float,
    fx_file: Path | None,
    currency: str | None,
    no_support: bool,
    n_boot: int,
    events_file: Path | None,
    preset: str | None,
    churned: str | None,
    measures: tuple[str, ...],
    reason_column: str | None,
    mrr_column: str | None,
    lang: str | None,
    duration: str | None,
    adjust_for: tuple[str, ...],
    bucket_specs: tuple[str, ...],
    tz: str,
    engine: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Why customers leave: reasons by share of churned customers and of lost
    MRR, their trend, and the measured effect of customer service on churn.

    Sections: reasons, reason_trends, support_buckets, hazard_ratios, ph_check,
    what_if, model_fit (docs/why.md). --format json writes them as one document;
    --format csv writes one CSV per section (to the terminal, each after a
    '# section' line, or into the --output directory).

    With --churned, SOURCE is a table with one row per customer (a public churn
    dataset): churn share by --measure bucket and, with --duration, a Cox model.
    """
    _check_mode(ctx)
    if churned is not None:
        if source is None:
            raise click.UsageError("--churned needs SOURCE: the table to read")
        column, _, value = churned.partition("=")
        sections, notes = {}, []
        if reason_column is not None:
            sections["reasons"] = table_reasons(
                source,
                column,
                reason_column,
                churned_value=value or None,
                mrr=mrr_column,
                by=by,
                lang=lang,
            )
        if measures:
            impact = table_support_impact(
                source,
                column,
                measures,
                churned_value=value or None,
                duration=duration,
                adjust_for=adjust_for,
                buckets=_buckets(bucket_specs, measures),
            )
            sections.update(impact.tables())
            notes = impact.notes
        _write(sections, notes, fmt=fmt, output=output, titles=_TABLE)
        return
    unknown = [m for m in measures if m not in SUPPORT_COVARIATES]
    if unknown:
        raise ConfigError(
            f"unknown support measure(s): {', '.join(unknown)}",
            hint=f"use some of: {', '.join(SUPPORT_COVARIATES)} (or, for a table "
            "with one row per customer, add --churned COLUMN)",
        )
    data = open_data(source, db, tz)
    tickets, notes = None, []
    if events_file is not None:
        data, tickets, notes = _with_churn_events(data, events_file, preset, by, tz)
    reasons = churn_reasons(
        data,
        period=period,
        start=start,
        end=end,
        by=by,
        fx=fx_file,
        currency=currency,
        tickets=tickets,
        tz=tz,
        engine=engine,
    )
    sections: dict[str, pd.DataFrame] = {
        "reasons": reasons,
        "reason_trends": reason_trends(reasons, by=by),
    }
    if not no_support:
        try:
            impact = support_impact(
                data,
                horizon_days=horizon_days,
                measures=measures or None,
                sla_first_response_hours=sla_hours,
                period=period if period in ("week", "month") else "month",
                tickets=tickets,
                fx=fx_file,
                currency=currency,
                tz=tz,
                engine=engine,
                n_boot=n_boot,
            )
        except ConfigError as error:
            notes.append(f"support impact not measured: {error}")
        else:
            sections.update(impact.tables())
            notes.extend(impact.notes)
            notes.extend(_constant_measures(impact.hazard_ratios, measures))
            notes.append(
                "what_if rows are model estimates, not promises (docs/why.md)."
            )
    _write(sections, notes, fmt=fmt, output=output)


# Options of each mode, to refuse the ones that do not apply.
_STORE_ONLY = (
    "db",
    "period",
    "tz",
    "start",
    "end",
    "horizon_days",
    "sla_hours",
    "fx_file",
    "currency",
    "no_support",
    "n_boot",
    "events_file",
    "preset",
    "engine",
)
_TABLE_ONLY = (
    "reason_column",
    "mrr_column",
    "lang",
    "duration",
    "adjust_for",
    "bucket_specs",
)
# Table-mode options and the one each needs.
_NEEDS_IN_TABLES = (
    ("by", "reason_column"),
    ("mrr_column", "reason_column"),
    ("lang", "reason_column"),
    ("duration", "measures"),
)
_OPTION_NAMES = {
    "start": "--from",
    "end": "--to",
    "horizon_days": "--horizon",
    "fx_file": "--fx",
    "n_boot": "--boot",
    "events_file": "--churn-events",
    "measures": "--measure",
    "adjust_for": "--adjust",
    "bucket_specs": "--buckets",
    "reason_column": "--reason",
    "mrr_column": "--mrr",
}


def _check_mode(ctx: click.Context) -> None:
    def given(name: str) -> bool:
        source = ctx.get_parameter_source(name)
        return source is click.core.ParameterSource.COMMANDLINE

    def option(name: str) -> str:
        return _OPTION_NAMES.get(name, "--" + name.replace("_", "-"))

    if ctx.params["churned"] is not None:
        stray = [option(n) for n in _STORE_ONLY if given(n)]
        if stray:
            raise click.UsageError(
                f"{', '.join(stray)}: only for subscriptions (a store or a "
                "subscriptions file), not with --churned (a table with one row "
                "per customer)"
            )
        if not ctx.params["measures"] and ctx.params["reason_column"] is None:
            raise click.UsageError(
                "--churned needs --reason COLUMN, one or more --measure COLUMN, or both"
            )
        for name, needs in _NEEDS_IN_TABLES:
            if given(name) and not ctx.params[needs]:
                raise click.UsageError(
                    f"{option(name)} needs {option(needs)} with --churned"
                )
        if ctx.params["adjust_for"] and ctx.params["duration"] is None:
            raise click.UsageError(
                "--adjust needs --duration: it adjusts the Cox model"
            )
        return
    stray = [option(n) for n in _TABLE_ONLY if given(n)]
    if stray:
        raise click.UsageError(
            f"{', '.join(stray)}: only with --churned COLUMN (SOURCE is then a "
            "table with one row per customer)"
        )
    if given("preset") and not given("events_file"):
        raise click.UsageError("--preset says how to read --churn-events FILE")


def _constant_measures(ratios: pd.DataFrame, measures: tuple[str, ...]) -> list[str]:
    """A note for measures the model left out: the same for everybody."""
    chosen = measures or DEFAULT_MEASURES
    left = [m for m in chosen if m not in set(ratios["covariate"])]
    if not left:
        return []
    return [
        f"{', '.join(left)}: the same for every customer throughout (no ticket "
        "breached it), so not in the model; try a stricter --sla-hours, or "
        "--measure log_tickets_90d"
    ]


def _buckets(
    specs: tuple[str, ...], measures: tuple[str, ...]
) -> dict[str, list[float]]:
    """``MEASURE=0,4`` (or ``0,4`` with one measure) as {measure: edges}."""
    out: dict[str, list[float]] = {}
    for spec in specs:
        name, _, text = spec.rpartition("=")
        if not name:
            if len(measures) != 1:
                raise click.BadParameter(
                    f"'{spec}': say which measure, e.g. MEASURE={text}",
                    param_hint="--buckets",
                )
            name = measures[0]
        try:
            edges = [float(e) for e in text.split(",") if e.strip()]
        except ValueError:
            edges = []
        if not edges:
            raise click.BadParameter(
                f"'{spec}': the edges are numbers separated by commas, e.g. 0,4",
                param_hint="--buckets",
            )
        out[name] = edges
    return out


def _with_churn_events(
    data: Any, path: Path, preset: str | None, by: str | None, tz: str
) -> tuple[pd.DataFrame, Any, list[str]]:
    """The subscriptions with the churn events applied (in memory; the store is
    unchanged), the tickets (the store's), and what was applied."""
    events = read_churn_events(path, preset=preset, tz=tz)
    stored = hasattr(data, "has_table")
    subscriptions = data.table("subscriptions") if stored else data
    applied = apply_churn_events(subscriptions, events)
    frame = applied.subscriptions
    frame = frame.drop(columns=[c for c in frame.columns if str(c).startswith("_")])
    if by is not None and stored and data.has_table("customers"):
        customers = data.table("customers").to_pandas()
        if by in customers.columns:
            # The customer's value, as --by reads it from the store.
            values = customers[["customer_id", by]]
            frame = frame.drop(columns=[by], errors="ignore").merge(
                values, on="customer_id", how="left"
            )
    return frame, (data if stored else None), list(applied.notes)


def _write(
    sections: dict[str, pd.DataFrame],
    notes: list[str],
    *,
    fmt: str,
    output: Path | None,
    titles: dict[str, str] | None = None,
) -> None:
    if fmt == "json":
        document = {
            name: [
                {k: json_value(v) for k, v in row.items()}
                for row in frame.to_dict("records")
            ]
            for name, frame in sections.items()
        }
        document["notes"] = notes
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if output is None:
            click.echo(text, nl=False)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        return
    if fmt == "csv":
        if output is not None:
            output.mkdir(parents=True, exist_ok=True)
            for name, frame in sections.items():
                frame.to_csv(output / f"{name}.csv", index=False, lineterminator="\n")
            for note in notes:
                click.echo(note, err=True)
            return
        for name, frame in sections.items():
            click.echo(f"# {name}")
            click.echo(frame.to_csv(index=False, lineterminator="\n"))
        for note in notes:
            click.echo(note, err=True)
        return
    if output is not None:
        raise click.UsageError("--output needs --format json or csv")
    for name, frame in sections.items():
        write_table(
            _for_terminal(name, frame),
            fmt="table",
            output=None,
            title=(titles or _TITLES).get(name, name),
            percent=_PERCENT,
        )
    for note in notes:
        click.echo(f"Note: {note}")


_TITLES = {
    "reasons": "Churn reasons per period: share of churned customers and lost MRR",
    "reason_trends": "Reason trends: share in the first vs the last half of the range",
    "support_buckets": "Churn within the horizon by support measure",
    "hazard_ratios": "Cox model: hazard ratios (95% intervals)",
    "ph_check": "Proportional-hazards check (small p: the effect changes with time)",
    "what_if": "What-if: churn avoided had the target been met (estimate)",
    "model_fit": "Model fit",
}
_TABLE = {
    **_TITLES,
    "reasons": "Churn reasons: share of churned customers and lost MRR "
    "(one row per customer)",
    "support_buckets": "Churn share by support measure (one row per customer)",
}


def _for_terminal(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Fewer columns on the terminal; csv and json keep them all."""
    if name == "reasons":
        keep = [c for c in frame.columns if c not in ("period_end", "reason_label")]
        return frame.loc[frame["churned"] > 0, keep]
    if name == "hazard_ratios":
        return frame[
            [
                "covariate",
                "kind",
                "hazard_ratio",
                "hazard_ratio_lower",
                "hazard_ratio_upper",
                "p",
            ]
        ]
    if name == "what_if":
        return frame.drop(columns=["covariate", "target_value", "kind"])
    return frame
