"""Results to Plotly figures. Every label arrives translated and every number
formatted (``LocaleFormat``): hover texts are pre-formatted strings, so the
charts need no locale data of their own."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from churnlens.report.formats import LocaleFormat

__all__ = [
    "churn_trend_figure",
    "cohort_figure",
    "forest_figure",
    "reasons_figure",
    "survival_figure",
    "waterfall_figure",
]

Translate = Callable[[str], str]
_BLUE, _BAND = "#2563eb", "rgba(37, 99, 235, 0.18)"
_UP, _DOWN, _TOTAL = "#16a34a", "#dc2626", "#475569"
_PALETTE = ("#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0891b2", "#ca8a04")


def _layout(fig: go.Figure, fmt: LocaleFormat, **extra: object) -> go.Figure:
    settings: dict[str, object] = {
        "separators": fmt.separators,
        "template": "plotly_white",
        "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
        "height": 380,
        "hoverlabel": {"align": "left"},
        "legend": {"orientation": "h", "y": -0.25},
    }
    fig.update_layout(**{**settings, **extra})
    return fig


def churn_trend_figure(
    churn: pd.DataFrame, labels: Sequence[str], t: Translate, fmt: LocaleFormat
) -> go.Figure:
    """Churn rate per period with its interval as a band."""
    hover = [
        t(
            "{period}: {rate} (95% interval {lower} to {upper}); "
            "{churned} of {customers} customers left"
        ).format(
            period=p,
            rate=fmt.percent(r.churn_rate),
            lower=fmt.percent(r.churn_rate_lower),
            upper=fmt.percent(r.churn_rate_upper),
            churned=fmt.number(r.churned),
            customers=fmt.number(r.customers_start),
        )
        for p, r in zip(labels, churn.itertuples(), strict=True)
    ]
    x = list(labels)
    fig = go.Figure()
    fig.add_scatter(
        x=x,
        y=churn["churn_rate_upper"],
        mode="lines",
        line={"width": 0},
        hoverinfo="skip",
        showlegend=False,
    )
    fig.add_scatter(
        x=x,
        y=churn["churn_rate_lower"],
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor=_BAND,
        name=t("95% interval"),
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=x,
        y=churn["churn_rate"],
        mode="lines+markers",
        name=t("Churn rate"),
        line={"color": _BLUE},
        text=hover,
        hovertemplate="%{text}<extra></extra>",
    )
    fig.update_yaxes(tickformat=".1%", title=t("Churn rate"), rangemode="tozero")
    fig.update_xaxes(type="category", title=t("Period"))
    return _layout(fig, fmt)


def waterfall_figure(
    steps: Sequence[tuple[str, float, str]],
    fmt: LocaleFormat,
    currency: str | None,
    t: Translate,
) -> go.Figure:
    """``steps``: (label, amount, kind) with kind ``absolute`` for the start,
    ``relative`` for a movement and ``total`` for the end."""
    labels = [s[0] for s in steps]
    amounts = [s[1] for s in steps]
    kinds = [s[2] for s in steps]
    y = [0.0 if k == "total" else a for a, k in zip(amounts, kinds, strict=True)]
    text = [fmt.money(a, currency, compact=True) for a in amounts]
    hover = [
        f"{lab}: {fmt.money(a, currency)}"
        for lab, a in zip(labels, amounts, strict=True)
    ]
    fig = go.Figure(
        go.Waterfall(
            x=labels,
            y=y,
            measure=kinds,
            text=text,
            textposition="outside",
            hovertext=hover,
            hoverinfo="text",
            increasing={"marker": {"color": _UP}},
            decreasing={"marker": {"color": _DOWN}},
            totals={"marker": {"color": _TOTAL}},
            connector={"line": {"color": "#94a3b8", "width": 1}},
        )
    )
    fig.update_yaxes(title=t("MRR"), rangemode="tozero")
    return _layout(fig, fmt, showlegend=False)


def cohort_figure(
    wide: pd.DataFrame, cohort_labels: Sequence[str], t: Translate, fmt: LocaleFormat
) -> go.Figure:
    """Retention of each signup cohort (rows) by age in periods (columns)."""
    z = wide.to_numpy(dtype=float)
    ages = [int(a) for a in wide.columns]
    template = t("Cohort {cohort}, age {age}: {retention} still customers")
    hover = [
        [
            ""
            if np.isnan(v)
            else template.format(cohort=c, age=fmt.number(a), retention=fmt.percent(v))
            for a, v in zip(ages, row, strict=True)
        ]
        for c, row in zip(cohort_labels, z, strict=True)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=ages,
            y=list(cohort_labels),
            text=hover,
            hoverinfo="text",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar={"tickformat": ".0%", "title": {"text": t("Retention")}},
            hoverongaps=False,
        )
    )
    fig.update_xaxes(title=t("Age (periods since signup)"), dtick=3)
    fig.update_yaxes(title=t("Signup cohort"), autorange="reversed", type="category")
    return _layout(fig, fmt, height=max(380, 16 * len(cohort_labels) + 120))


def survival_figure(
    curves: Sequence[tuple[str, pd.DataFrame]],
    axis_title: str,
    t: Translate,
    fmt: LocaleFormat,
) -> go.Figure:
    """One step curve with its interval per segment: (name, curve table)."""
    fig = go.Figure()
    template = t("{segment}, {tenure}: {survival} still customers")
    for i, (name, curve) in enumerate(curves):
        colour = _PALETTE[i % len(_PALETTE)]
        band = _rgba(colour, 0.15)
        x = curve["timeline"].to_numpy()
        fig.add_scatter(
            x=x,
            y=curve["survival_upper"],
            mode="lines",
            line={"width": 0, "shape": "hv"},
            hoverinfo="skip",
            showlegend=False,
            legendgroup=name,
        )
        fig.add_scatter(
            x=x,
            y=curve["survival_lower"],
            mode="lines",
            line={"width": 0, "shape": "hv"},
            fill="tonexty",
            fillcolor=band,
            hoverinfo="skip",
            showlegend=False,
            legendgroup=name,
        )
        hover = [
            template.format(
                segment=name, tenure=fmt.number(v, 0), survival=fmt.percent(s)
            )
            for v, s in zip(x, curve["survival"], strict=True)
        ]
        fig.add_scatter(
            x=x,
            y=curve["survival"],
            mode="lines",
            name=name,
            legendgroup=name,
            line={"color": colour, "shape": "hv"},
            text=hover,
            hovertemplate="%{text}<extra></extra>",
        )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02], title=t("Still customers"))
    fig.update_xaxes(title=axis_title, rangemode="tozero")
    return _layout(fig, fmt)


def reasons_figure(
    labels: Sequence[str],
    shares: Sequence[float],
    counts: Sequence[int],
    lost: Sequence[float] | None,
    currency: str | None,
    t: Translate,
    fmt: LocaleFormat,
) -> go.Figure:
    """Share of churned customers per reason, and their lost MRR beside it."""
    columns = 2 if lost is not None else 1
    titles = [t("Share of churned customers")]
    if lost is not None:
        titles.append(t("Lost MRR"))
    fig = make_subplots(
        rows=1,
        cols=columns,
        shared_yaxes=True,
        subplot_titles=titles,
        horizontal_spacing=0.04,
    )
    share_text = [fmt.percent(s) for s in shares]
    share_hover = [
        t("{reason}: {share} of churned customers ({customers})").format(
            reason=lab, share=fmt.percent(s), customers=fmt.number(c)
        )
        for lab, s, c in zip(labels, shares, counts, strict=True)
    ]
    fig.add_bar(
        x=list(shares),
        y=list(labels),
        orientation="h",
        text=share_text,
        hovertext=share_hover,
        hoverinfo="text",
        marker={"color": _BLUE},
        row=1,
        col=1,
    )
    fig.update_xaxes(tickformat=".0%", row=1, col=1)
    if lost is not None:
        money = [fmt.money(v, currency, compact=True) for v in lost]
        hover = [
            t("{reason}: {mrr} lost MRR").format(reason=lab, mrr=fmt.money(v, currency))
            for lab, v in zip(labels, lost, strict=True)
        ]
        fig.add_bar(
            x=list(lost),
            y=list(labels),
            orientation="h",
            text=money,
            hovertext=hover,
            hoverinfo="text",
            marker={"color": _DOWN},
            row=1,
            col=2,
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_traces(textposition="auto")
    return _layout(
        fig,
        fmt,
        showlegend=False,
        height=max(320, 36 * len(labels) + 90),
        margin={"l": 220, "r": 20, "t": 40, "b": 40},
    )


def forest_figure(
    labels: Sequence[str], ratios: pd.DataFrame, t: Translate, fmt: LocaleFormat
) -> go.Figure:
    """Hazard ratios with their 95% intervals on a log axis, a line at 1."""
    hr = ratios["hazard_ratio"].to_numpy(dtype=float)
    lower = ratios["hazard_ratio_lower"].to_numpy(dtype=float)
    upper = ratios["hazard_ratio_upper"].to_numpy(dtype=float)
    hover = [
        t("{covariate}: hazard ratio {ratio} (95% interval {lower} to {upper})").format(
            covariate=lab,
            ratio=fmt.number(h, 2),
            lower=fmt.number(lo, 2),
            upper=fmt.number(hi, 2),
        )
        for lab, h, lo, hi in zip(labels, hr, lower, upper, strict=True)
    ]
    fig = go.Figure(
        go.Scatter(
            x=hr,
            y=list(labels),
            mode="markers",
            marker={"color": _BLUE, "size": 10, "symbol": "square"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": upper - hr,
                "arrayminus": hr - lower,
                "color": _BLUE,
                "thickness": 2,
            },
            text=hover,
            hovertemplate="%{text}<extra></extra>",
        )
    )
    fig.add_vline(x=1, line={"color": _TOTAL, "dash": "dash", "width": 1})
    # The line at 1 must show even when every interval lies on one side of it.
    ends = np.concatenate([lower, upper, [1.0]])
    ends = ends[np.isfinite(ends) & (ends > 0)]
    span = [np.log10(ends.min() / 1.2), np.log10(ends.max() * 1.2)]
    fig.update_xaxes(type="log", range=span, title=t("Hazard ratio (log scale)"))
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(
        fig,
        fmt,
        showlegend=False,
        height=max(260, 48 * len(labels) + 110),
        margin={"l": 220, "r": 20, "t": 20, "b": 50},
    )


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"
