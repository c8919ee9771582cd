"""The report's sections. Each declares the public functions it needs; a
section whose functions churnlens does not have yet is left out with a logged
note, so later features (support impact, the contact list, loyal customers)
plug in by registering a section here."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

import churnlens
from churnlens.report import charts
from churnlens.report._data import NO_REASON, ReportData
from churnlens.report.formats import LocaleFormat
from churnlens.report.i18n import N_

__all__ = [
    "SECTIONS",
    "Block",
    "Card",
    "Context",
    "Section",
    "Table",
    "available",
    "section",
]

log = logging.getLogger("churnlens.report")

# The heatmap shows the latest cohorts only: older ones add rows, not insight.
_MAX_COHORTS = 24
REASON_LABELS = {
    "price": N_("Price"),
    "missing_feature": N_("Missing feature"),
    "poor_support": N_("Poor support"),
    "technical_problems": N_("Technical problems"),
    "switched_to_competitor": N_("Switched to a competitor"),
    "no_longer_needed": N_("No longer needed"),
    "onboarding": N_("Onboarding: did not understand the product"),
    "billing_payment": N_("Billing or payment"),
    "other": N_("Other"),
    NO_REASON: N_("No reason given"),
}
_UNIT_VALUES = {
    "day": N_("{value} d"),
    "week": N_("{value} wk"),
    "month": N_("{value} mo"),
}
_UNIT_AXES = {
    "day": N_("Days since the first subscription"),
    "week": N_("Weeks since the first subscription"),
    "month": N_("Months since the first subscription"),
}


@dataclass
class Context:
    data: ReportData
    t: Callable[[str], str]
    fmt: LocaleFormat
    # Visible notes for the end of the report (translated).
    notes: list[str] = field(default_factory=list)
    # Whether to train the churn-risk model for the contact list.
    contacts: bool = True

    def label(self, start: Any) -> str:
        return self.fmt.period(pd.Timestamp(start).date(), self.data.period)


@dataclass(frozen=True)
class Card:
    title: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Table:
    """A table of formatted cells; ``numeric`` columns are right-aligned."""

    headers: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()


@dataclass
class Block:
    key: str
    title: str
    caption: str = ""
    figure: go.Figure | None = None
    cards: list[Card] = field(default_factory=list)
    table: Table | None = None
    # Short sentences shown under the chart or table.
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    key: str
    needs: tuple[str, ...]
    build: Callable[[Context], Block | None]


SECTIONS: list[Section] = []


def section(key: str, *, needs: tuple[str, ...]) -> Callable[..., Any]:
    """Register ``build(context) -> Block | None`` as the section ``key``."""

    def register(build: Callable[[Context], Block | None]) -> Callable[..., Any]:
        SECTIONS.append(Section(key, needs, build))
        return build

    return register


def available(sec: Section) -> bool:
    missing = [name for name in sec.needs if not hasattr(churnlens, name)]
    if missing:
        log.info(
            "report section '%s' left out: churnlens has no %s yet",
            sec.key,
            ", ".join(missing),
        )
    return not missing


def _revenue_ready(ctx: Context) -> bool:
    """Revenue sections need an MRR column, and one currency or an FX table."""
    data = ctx.data
    if not data.has_revenue:
        log.info("revenue sections left out: the subscriptions have no mrr")
        return False
    if data.needs_fx:
        note = ctx.t(
            "Revenue figures are left out: the subscriptions are in several "
            "currencies ({currencies}). Give an FX table and a reporting currency "
            "(--fx and --currency) to include them."
        ).format(currencies=", ".join(data.currencies))
        if note not in ctx.notes:
            ctx.notes.append(note)
        return False
    return True


@section("headline", needs=("churn_rate",))
def headline(ctx: Context) -> Block | None:
    t, fmt, churn = ctx.t, ctx.fmt, ctx.data.churn
    if churn.empty:
        return None
    last = churn.iloc[-1]
    cards = [
        Card(
            t("Churn rate"),
            fmt.percent(last.churn_rate),
            t("95% interval {lower} to {upper}").format(
                lower=fmt.percent(last.churn_rate_lower),
                upper=fmt.percent(last.churn_rate_upper),
            ),
        ),
        Card(
            t("Net change in customers"),
            fmt.percent(last.net_change_rate, signed=True),
            t("{new} new, {churned} churned").format(
                new=fmt.number(last.new), churned=fmt.number(last.churned)
            ),
        ),
        Card(
            t("Customers"),
            fmt.number(last.customers_end),
            t("at the end of the period, {start} at its start").format(
                start=fmt.number(last.customers_start)
            ),
        ),
    ]
    if hasattr(churnlens, "revenue_churn") and _revenue_ready(ctx):
        cards += _revenue_cards(ctx, last.period_start)
    title = t("Headline figures for {period}").format(
        period=ctx.label(last.period_start)
    )
    return Block("headline", title, cards=cards)


def _revenue_cards(ctx: Context, period_start: Any) -> list[Card]:
    t, fmt, data = ctx.t, ctx.fmt, ctx.data
    rates = data.revenue_in(period_start)
    rows = rates[rates["period_start"] == period_start]
    if rows.empty:
        return []
    r = rows.iloc[-1]
    money = data.reporting_currency

    return [
        Card(
            t("MRR"),
            fmt.money(r.mrr_end, money),
            t("{start} at the start of the period").format(
                start=fmt.money(r.mrr_start, money)
            ),
        ),
        Card(
            t("MRR churn"),
            fmt.percent(r.gross_mrr_churn_rate),
            t("net of expansion: {net}").format(net=fmt.percent(r.net_mrr_churn_rate)),
        ),
        Card(
            t("Net revenue retention"),
            fmt.percent(r.nrr),
            t("MRR kept from the period's first customers, upgrades included"),
        ),
        Card(
            t("Gross revenue retention"),
            fmt.percent(r.grr),
            t("MRR kept from them, upgrades left out"),
        ),
    ]


@section("churn_trend", needs=("churn_rate",))
def churn_trend(ctx: Context) -> Block | None:
    t, fmt, churn = ctx.t, ctx.fmt, ctx.data.churn
    if churn.empty:
        return None
    labels = [ctx.label(p) for p in churn["period_start"]]
    average = churn["churned"].sum() / max(churn["customers_start"].sum(), 1)
    caption = t(
        "Each point is the share of the customers at a period's start who had left "
        "by its end; the shaded band is the 95% interval. Latest: {rate} in "
        "{period}, against {average} over all the periods shown."
    ).format(
        rate=fmt.percent(churn["churn_rate"].iloc[-1]),
        period=labels[-1],
        average=fmt.percent(average),
    )
    figure = charts.churn_trend_figure(churn, labels, t, fmt)
    return Block("churn_trend", t("Churn rate over time"), caption, figure)


@section("mrr_waterfall", needs=("mrr_movements",))
def mrr_waterfall(ctx: Context) -> Block | None:
    if not _revenue_ready(ctx):
        return None
    t, fmt, moves = ctx.t, ctx.fmt, ctx.data.movements
    if moves.empty:
        return None
    first, last = moves.iloc[0], moves.iloc[-1]
    start_label = t("MRR at the start of {period}").format(
        period=ctx.label(first.period_start)
    )
    end_label = t("MRR at the end of {period}").format(
        period=ctx.label(last.period_start)
    )
    steps = [(start_label, float(first.mrr_start), "absolute")]
    for column, label, sign in (
        ("new", N_("New"), 1),
        ("expansion", N_("Expansion"), 1),
        ("reactivation", N_("Reactivation"), 1),
        ("contraction", N_("Contraction"), -1),
        ("churn", N_("Churn"), -1),
        ("fx", N_("Exchange rates"), 1),
    ):
        amount = float(moves[column].sum())
        if column == "fx" and abs(amount) < 0.005:
            continue
        steps.append((t(label), sign * amount, "relative"))
    steps.append((end_label, float(last.mrr_end), "total"))
    money = ctx.data.reporting_currency
    caption = t(
        "How monthly recurring revenue (MRR) went from {start} to {end} over the "
        "periods shown: green bars added revenue, red bars took it away. Churn is "
        "the MRR of customers who left; contraction is what staying customers cut."
    ).format(
        start=fmt.money(first.mrr_start, money), end=fmt.money(last.mrr_end, money)
    )
    figure = charts.waterfall_figure(steps, fmt, money, t)
    return Block("mrr_waterfall", t("MRR movements"), caption, figure)


@section("cohorts", needs=("cohort_table",))
def cohorts(ctx: Context) -> Block | None:
    t, fmt, table = ctx.t, ctx.fmt, ctx.data.cohorts
    if table.empty:
        return None
    wide = table.pivot(index="cohort", columns="age", values="retention")
    wide = wide.sort_index().iloc[-_MAX_COHORTS:]
    wide = wide.dropna(axis=1, how="all")
    labels = [ctx.label(c) for c in wide.index]
    caption = t(
        "Each row follows the customers who first subscribed in one period; each "
        "cell is the share of them still customers that many periods later. Darker "
        "cells mean more of them stayed."
    )
    figure = charts.cohort_figure(wide, labels, t, fmt)
    return Block("cohorts", t("Retention by signup cohort"), caption, figure)


@section("survival", needs=("survival_analysis",))
def survival(ctx: Context) -> Block | None:
    t, fmt = ctx.t, ctx.fmt
    result = ctx.data.survival
    table, summary = result.table, result.summary
    if table.empty:
        return None
    unit = result.unit
    curves = []
    if "segment" in table.columns:
        medians = dict(zip(summary["segment"], summary["median_lifetime"], strict=True))
        for segment, curve in table.groupby("segment", sort=True):
            curves.append(
                (_segment_name(ctx, segment, medians.get(segment), unit), curve)
            )
    else:
        median = summary["median_lifetime"].iloc[0] if len(summary) else None
        curves.append((_segment_name(ctx, t("All customers"), median, unit), table))
    caption = t(
        "The share of customers still subscribed after each length of time since "
        "they first subscribed, with 95% intervals. The median lifetime is the time "
        "by which half of them had left."
    )
    if result.logrank is not None:
        p = result.logrank.p_value
        difference = (
            t("The segments' curves differ (log-rank test, {p}).")
            if p < 0.05
            else t("The segments' curves do not differ clearly (log-rank test, {p}).")
        )
        # "p" and its relation are the same in every language; the number is not.
        shown = (
            f"p = {fmt.number(p, 3)}" if p >= 0.001 else f"p < {fmt.number(0.001, 3)}"
        )
        caption += " " + difference.format(p=shown)
    figure = charts.survival_figure(curves, t(_UNIT_AXES[unit]), t, fmt)
    return Block("survival", t("How long customers stay"), caption, figure)


def _segment_name(ctx: Context, segment: Any, median: Any, unit: str) -> str:
    t, fmt = ctx.t, ctx.fmt
    if median is None or pd.isna(median) or median == float("inf"):
        value = t("not reached")
    else:
        value = t(_UNIT_VALUES[unit]).format(value=fmt.number(median))
    name = t("(no value)") if segment is None or pd.isna(segment) else str(segment)
    return t("{segment} (median lifetime {median})").format(segment=name, median=value)


@section("reasons", needs=("classify_reasons", "reason_from_code", "spells"))
def reasons(ctx: Context) -> Block | None:
    t, fmt, data = ctx.t, ctx.fmt, ctx.data
    columns = data.subscriptions.columns
    if "cancel_reason" not in columns and "cancel_feedback" not in columns:
        log.info("reasons section left out: no cancel_reason or cancel_feedback")
        return None
    table = data.reasons
    total = int(table["customers"].sum()) if len(table) else 0
    if total == 0:
        return None
    shares = (table["customers"] / total).tolist()
    labels = [t(REASON_LABELS[r]) for r in table["reason"]]
    lost = None
    if data.has_revenue and table["mrr"].notna().all():
        lost = table["mrr"].tolist()
    caption = t(
        "Why customers left over the periods shown: coded cancellation reasons, and "
        "free-text feedback sorted into the same reasons by churnlens. Shares are of "
        "all {customers} customers who churned."
    ).format(customers=fmt.number(total))
    if lost is not None:
        caption += " " + t(
            "Lost MRR is the monthly revenue of the subscriptions they ended."
        )
    figure = charts.reasons_figure(
        labels,
        shares,
        table["customers"].tolist(),
        lost,
        data.reporting_currency,
        t,
        fmt,
    )
    return Block("reasons", t("Why customers leave"), caption, figure)


# -- support impact, contact list, loyal customers ------------------------------

_TOP = 20
# The risk model trains on as-of dates whose 90-day outcome is known by the data's
# end: with less history than this there are too few of them to learn from.
_MIN_CONTACT_HISTORY = dt.timedelta(days=180)
# The subscription columns the risk model's features read (docs/risk.md).
_CONTACT_COLUMNS = ("mrr", "currency", "plan", "billing_period", "canceled_at")
SUPPORT_LABELS = {
    "slow_first_response": N_("Slow first response"),
    "low_satisfaction": N_("Low support rating"),
    "open_ticket_over_7d": N_("Ticket open over 7 days"),
    "sla_breach": N_("First-response SLA breach"),
    "reopened": N_("Reopened ticket"),
    "log_tickets_90d": N_("Number of tickets"),
}
STATUS_LABELS = {
    "cancel_requested": N_("Cancellation requested"),
    "renewal_due": N_("Renewal due"),
    "active": N_("Active"),
}
# A contact's reasons, by the reason code behind each (the API's sentences are
# English and carry values; the codes name the same reasons in any language).
RISK_REASON_LABELS = {
    "cancel_requested": N_("asked to cancel"),
    "open_over_7d": N_("tickets open over 7 days"),
    "oldest_open_days": N_("tickets open over 7 days"),
    "open_tickets": N_("open tickets"),
    "unanswered_tickets": N_("tickets without a first response"),
    "first_response_hours_90d": N_("slow first responses"),
    "bad_ratings_90d": N_("bad support ratings"),
    "satisfaction_mean": N_("low support ratings"),
    "tickets_30d": N_("many tickets"),
    "tickets_90d": N_("many tickets"),
    "price_increase_90d": N_("price went up"),
    "mrr_change_30d_pct": N_("MRR changed"),
    "mrr_change_90d_pct": N_("MRR changed"),
    "upgrade_90d": N_("changed plan"),
    "downgrade_90d": N_("downgraded"),
    "tenure_days": N_("new customer"),
    "customer_age_days": N_("new customer"),
    "previous_spells": N_("left before and came back"),
    "days_to_renewal": N_("renewal due soon"),
    "billing_period": N_("pays monthly"),
    "plan": N_("plan"),
    "segment": N_("segment"),
    "country": N_("country"),
    "mrr": N_("small account"),
    "usage_change_30d": N_("usage down"),
    "usage_change_7d": N_("usage down"),
    "usage_7d": N_("little or no use"),
    "usage_30d": N_("little or no use"),
    "usage_90d": N_("little or no use"),
    "days_since_activity": N_("no recent activity"),
    "payment_failures_90d": N_("failed payments"),
}
ACTION_LABELS = {
    "save call before the service ends: ask why, offer a fix": N_(
        "Save call before the service ends: ask why, offer a fix"
    ),
    "escalate the open tickets to a senior agent": N_(
        "Escalate the open tickets to a senior agent"
    ),
    "answer the waiting tickets today": N_("Answer the waiting tickets today"),
    "support recovery call about the bad experience": N_(
        "Support recovery call about the bad experience"
    ),
    "support recovery call: apologise for slow replies": N_(
        "Support recovery call: apologise for slow replies"
    ),
    "price/plan review: explain the increase or fit a plan": N_(
        "Price and plan review: explain the increase or fit a plan"
    ),
    "price/plan review": N_("Price and plan review"),
    "billing follow-up on failed payments": N_("Billing follow-up on failed payments"),
    "onboarding call": N_("Onboarding call"),
    "usage review: re-engage the team": N_("Usage review: re-engage the team"),
    "loyalty offer: discount for switching to annual billing": N_(
        "Loyalty offer: a discount for switching to annual billing"
    ),
    "renewal check-in with a loyalty offer": N_(
        "Renewal check-in with a loyalty offer"
    ),
    "loyalty offer": N_("Loyalty offer"),
}
TIER_LABELS = {"gold": N_("Gold"), "silver": N_("Silver"), "bronze": N_("Bronze")}


def _translated(t: Callable[[str], str], labels: dict[str, str], value: Any) -> str:
    """The label of a known code; an unknown one (a custom tier, say) as is."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    return t(labels[value]) if value in labels else str(value)


@section("support_impact", needs=("support_impact",))
def support_impact(ctx: Context) -> Block | None:
    t, fmt, data = ctx.t, ctx.fmt, ctx.data
    if not data.has_tickets:
        log.info("report section 'support_impact' left out: the store has no tickets")
        return None
    if not _revenue_ready(ctx):
        return None
    try:
        result = churnlens.support_impact(
            data.data, fx=data.fx, currency=data.currency, tz=data.tz, now=data.now
        )
    except churnlens.ChurnlensError as error:
        log.info("report section 'support_impact' left out: %s", error)
        return None
    ratios = result.hazard_ratios
    ratios = ratios[ratios["kind"] == "support"]
    if ratios.empty:
        return None
    labels = [_translated(t, SUPPORT_LABELS, c) for c in ratios["covariate"]]
    figure = charts.forest_figure(labels, ratios, t, fmt)
    caption = t(
        "How much each support problem raises the risk that a customer leaves, "
        "for customers of the same plan, MRR and tenure. A hazard ratio of 2 means "
        "twice the risk at any moment; 1 (the line) means no effect. The bars are "
        "95% intervals: one that crosses the line shows no clear effect."
    )
    block = Block("support_impact", t("Support and churn"), caption, figure)
    block.lines = _what_if_lines(ctx, result)
    return block


def _what_if_lines(ctx: Context, result: Any) -> list[str]:
    t, fmt = ctx.t, ctx.fmt
    what_if = result.what_if
    if what_if.empty:
        return []
    everything = what_if[what_if["covariate"] == "all"]
    row = (everything if len(everything) else what_if).iloc[0]
    days = (row.window_end - row.window_start).days
    line = t(
        "Had every support target been met over the last {days} days, about "
        "{customers} fewer customers would have left (95% interval {lower} to "
        "{upper}), against {observed} who did."
    ).format(
        days=fmt.number(days),
        customers=fmt.number(row.churned_avoided, 1),
        lower=fmt.number(row.churned_avoided_lower, 1),
        upper=fmt.number(row.churned_avoided_upper, 1),
        observed=fmt.number(row.observed_churned),
    )
    money = result.fit["currency"].iloc[0] if len(result.fit) else None
    if pd.notna(row.mrr_avoided):
        line += " " + t("That is {mrr} of MRR kept.").format(
            mrr=fmt.money(row.mrr_avoided, money if isinstance(money, str) else None)
        )
    return [line]


@section("contact_list", needs=("contact_list",))
def contact_list(ctx: Context) -> Block | None:
    t, fmt, data = ctx.t, ctx.fmt, ctx.data
    if not ctx.contacts:
        log.info("report section 'contact_list' left out: contacts=False")
        return None
    missing = [c for c in _CONTACT_COLUMNS if c not in data.subscriptions.columns]
    if missing:
        log.info(
            "report section 'contact_list' left out: the subscriptions have no %s",
            ", ".join(missing),
        )
        return None
    if data.span is None:
        return None
    first, as_of = data.span
    if as_of - first < _MIN_CONTACT_HISTORY:
        log.info(
            "report section 'contact_list' left out: %d days of history, the "
            "churn-risk model needs %d",
            (as_of - first).days,
            _MIN_CONTACT_HISTORY.days,
        )
        return None
    try:
        contacts = churnlens.contact_list(data.data, as_of=as_of, top=_TOP)
    except churnlens.ChurnlensError as error:
        log.info("report section 'contact_list' left out: %s", error)
        return None
    if contacts.empty:
        return None
    rows = []
    for r in contacts.itertuples():
        currency = r.currency if isinstance(r.currency, str) else None
        codes = [c for c in str(r.reason_codes).split(",") if c]
        reasons = list(
            dict.fromkeys(_translated(t, RISK_REASON_LABELS, c) for c in codes)
        )
        rows.append(
            [
                str(r.customer_id),
                "–" if pd.isna(r.owner) else str(r.owner),
                _translated(t, STATUS_LABELS, r.status),
                fmt.percent(r.churn_probability),
                fmt.money(r.mrr_at_risk, currency),
                fmt.money(r.expected_value_saved, currency),
                ", ".join(reasons) or "–",
                _translated(t, ACTION_LABELS, r.suggested_action),
            ]
        )
    headers = [
        t("Customer"),
        t("Owner"),
        t("Status"),
        t("Churn probability"),
        t("MRR at risk"),
        t("Expected value saved"),
        t("Reasons"),
        t("Suggested action"),
    ]
    caption = t(
        "The {count} customers a call is worth most to on {date}, from the churn-risk "
        "model: those who asked to cancel first, then by expected value saved (MRR "
        "at risk over 12 months, if a call keeps a quarter of them). MRR at risk is "
        "the churn probability times the customer's MRR."
    ).format(count=fmt.number(len(rows)), date=fmt.date(as_of.date()))
    table = Table(headers, rows, numeric=frozenset({3, 4, 5}))
    return Block("contact_list", t("Who to contact"), caption, table=table)


@section("loyal_customers", needs=("loyal_customers",))
def loyal_customers(ctx: Context) -> Block | None:
    t, fmt, data = ctx.t, ctx.fmt, ctx.data
    if not _revenue_ready(ctx):
        return None
    if data.span is None:
        return None
    as_of = data.span[1]
    try:
        loyal = churnlens.loyal_customers(
            data.data, as_of=as_of, fx=data.fx, currency=data.currency, tz=data.tz
        )
    except churnlens.ChurnlensError as error:
        log.info("report section 'loyal_customers' left out: %s", error)
        return None
    if loyal.empty:
        return None
    money = data.reporting_currency
    rows = []
    for r in loyal.head(_TOP).itertuples():
        name = r.name if isinstance(r.name, str) and r.name else str(r.customer_id)
        rows.append(
            [
                name,
                "–" if pd.isna(r.owner) else str(r.owner),
                t(_UNIT_VALUES["month"]).format(value=fmt.number(r.tenure_months)),
                fmt.money(r.lifetime_revenue, money),
                fmt.money(r.mrr, money),
                _translated(t, TIER_LABELS, r.reward_tier),
            ]
        )
    headers = [
        t("Customer"),
        t("Owner"),
        t("Tenure"),
        t("Lifetime revenue"),
        t("MRR"),
        t("Reward tier"),
    ]
    caption = t(
        "The {count} customers with the most lifetime revenue among the {loyal} "
        "who have stayed at least two years and have not asked to cancel. Tiers: "
        "the top 10% by lifetime revenue are gold, the next 30% silver, the rest "
        "bronze."
    ).format(count=fmt.number(len(rows)), loyal=fmt.number(len(loyal)))
    table = Table(headers, rows, numeric=frozenset({2, 3, 4}))
    return Block("loyal_customers", t("Loyal customers"), caption, table=table)
