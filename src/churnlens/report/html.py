"""``build_report``: one self-contained HTML file (styles, Plotly.js and data
embedded) that opens offline, in one of six languages."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import jinja2
import plotly.io as pio
from plotly.offline import get_plotlyjs

from churnlens.errors import ConfigError
from churnlens.report._data import ReportData
from churnlens.report.formats import LocaleFormat
from churnlens.report.i18n import N_, resolve_language, translations
from churnlens.report.sections import SECTIONS, Block, Context, available

__all__ = ["Progress", "build_report"]

log = logging.getLogger("churnlens.report")

Progress = Callable[[int, int, str], None]
"""``progress(done, total, step)``, called before each step and once at the end."""

_TEMPLATES = Path(__file__).parent / "templates"
# Plotly's own interface texts (mode bar, hints), translated like the rest.
_PLOTLY_TEXTS = {
    "Download plot as a png": N_("Download the chart as an image"),
    "Zoom": N_("Zoom"),
    "Pan": N_("Pan"),
    "Autoscale": N_("Autoscale"),
    "Reset axes": N_("Reset axes"),
    "Double-click to zoom back out": N_("Double-click to zoom back out"),
}
_MODE_BAR_REMOVED = [
    "select2d",
    "lasso2d",
    "zoomIn2d",
    "zoomOut2d",
    "hoverClosestCartesian",
    "hoverCompareCartesian",
    "toggleSpikelines",
]
_STEP_NAMES = {
    "headline": N_("Headline figures"),
    "churn_trend": N_("Churn rate over time"),
    "mrr_waterfall": N_("MRR movements"),
    "cohorts": N_("Retention by signup cohort"),
    "survival": N_("How long customers stay"),
    "reasons": N_("Why customers leave"),
    "support_impact": N_("Support and churn"),
    "contact_list": N_("Who to contact"),
    "loyal_customers": N_("Loyal customers"),
}


def build_report(
    data: Any = None,
    *,
    output: str | Path = "report.html",
    lang: str | None = None,
    period: str = "month",
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: str | None = None,
    fx: Any = None,
    currency: str | None = None,
    tz: str = "UTC",
    now: dt.datetime | None = None,
    contacts: bool = True,
    progress: Progress | None = None,
) -> Path:
    """Write the churn report for ``data`` (a store, its path, a subscriptions
    file or table) to ``output`` and return its path.

    ``lang`` is en, pl, lt, da, vi or sl (default: the system locale's when it is
    one of them, else English). ``by`` splits the survival curves by a customer
    attribute; ``fx``/``currency`` convert revenue in several currencies (without
    them such data get no revenue sections). ``contacts=False`` leaves out the
    contact list, which trains a churn-risk model (the slowest step). Sections
    whose results churnlens cannot compute for these data are left out with a
    logged note. See docs/report.md.

    >>> build_report("churnlens.duckdb", lang="pl")  # doctest: +SKIP
    """
    lang = resolve_language(lang)
    if data is None:
        raise ConfigError("no data for the report", hint="give a store path or a table")
    t = translations(lang).gettext
    context = Context(
        ReportData(
            data,
            period=period,
            start=start,
            end=end,
            by=by,
            fx=fx,
            currency=currency,
            tz=tz,
            now=now,
        ),
        t,
        LocaleFormat(lang),
        contacts=contacts,
    )
    sections = [s for s in SECTIONS if available(s)]
    total = len(sections) + 1
    blocks: list[Block] = []
    for done, sec in enumerate(sections):
        _tell(progress, done, total, t(_STEP_NAMES.get(sec.key, sec.key)))
        block = sec.build(context)
        if block is None:
            log.info("report section '%s' left out: nothing to show", sec.key)
        else:
            blocks.append(block)
    _tell(progress, total - 1, total, t("Writing the report"))
    path = Path(output)
    path.write_text(_render(context, lang, blocks), encoding="utf-8")
    _tell(progress, total, total, t("Done"))
    return path


def _tell(progress: Progress | None, done: int, total: int, step: str) -> None:
    if progress is not None:
        progress(done, total, step)


def _render(context: Context, lang: str, blocks: list[Block]) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=False)
    t, fmt, data = context.t, context.fmt, context.data
    locale_name = f"churnlens-{lang}"
    config = {
        "displaylogo": False,
        "responsive": True,
        "locale": locale_name,
        "modeBarButtonsToRemove": _MODE_BAR_REMOVED,
    }
    figures = {
        b.key: pio.to_html(
            b.figure,
            full_html=False,
            include_plotlyjs=False,
            config=config,
            div_id=f"chart-{b.key}",
        )
        for b in blocks
        if b.figure is not None
    }
    churn = data.churn
    span = ""
    if not churn.empty:
        span = t("{first} to {last}").format(
            first=context.label(churn["period_start"].iloc[0]),
            last=context.label(churn["period_start"].iloc[-1]),
        )
    return env.get_template("report.html.j2").render(
        lang=lang,
        blocks=blocks,
        figures=figures,
        notes=context.notes,
        span=span,
        generated=fmt.date(dt.date.today()),
        version=_version(),
        plotly_js=get_plotlyjs(),
        plotly_locale={
            "name": locale_name,
            "dictionary": {k: t(v) for k, v in _PLOTLY_TEXTS.items()},
        },
    )


def _version() -> str:
    try:
        return version("churnlens")
    except PackageNotFoundError:  # running from a source tree
        return "dev"
