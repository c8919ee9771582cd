"""``churnlens why``: why customers leave, and what customer service changes."""

from __future__ import annotations

import json
from pathlib import Path

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
@tz_option()
@engine_option()
@output_options()
def why(
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
    """
    data = open_data(source, db, tz)
    reasons = churn_reasons(
        data,
        period=period,
        start=start,
        end=end,
        by=by,
        fx=fx_file,
        currency=currency,
        tz=tz,
        engine=engine,
    )
    sections: dict[str, pd.DataFrame] = {
        "reasons": reasons,
        "reason_trends": reason_trends(reasons, by=by),
    }
    notes: list[str] = []
    if not no_support:
        try:
            impact = support_impact(
                data,
                horizon_days=horizon_days,
                sla_first_response_hours=sla_hours,
                period=period if period in ("week", "month") else "month",
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
            notes.append(
                "what_if rows are model estimates, not promises (docs/why.md)."
            )
    _write(sections, notes, fmt=fmt, output=output)


def _write(
    sections: dict[str, pd.DataFrame],
    notes: list[str],
    *,
    fmt: str,
    output: Path | None,
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
            title=_TITLES.get(name, name),
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
