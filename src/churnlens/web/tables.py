"""Result tables as page tables: translated headers and locale-formatted cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from churnlens.report.formats import LocaleFormat
from churnlens.report.sections import REASON_LABELS
from churnlens.web.i18n import N_

__all__ = ["COLUMN_LABELS", "PageTable", "page_table"]

COLUMN_LABELS = {
    "period_start": N_("Period"),
    "segment": N_("Segment"),
    "customers_start": N_("Customers at the start"),
    "new": N_("New"),
    "churned": N_("Churned"),
    "churned_new": N_("New and churned"),
    "reactivated": N_("Reactivated"),
    "customers_end": N_("Customers at the end"),
    "churn_rate": N_("Churn rate"),
    "churn_rate_lower": N_("Lower bound"),
    "churn_rate_upper": N_("Upper bound"),
    "net_change_rate": N_("Net change in customers"),
    "reason": N_("Reason"),
    "customers": N_("Customers"),
    "share": N_("Share of churned customers"),
    "mrr": N_("MRR"),
    "median_lifetime": N_("Median lifetime"),
    "n_customers": N_("Customers"),
    "n_churned": N_("Churned"),
    "rank": N_("Rank"),
    "customer_id": N_("Customer"),
    "name": N_("Name"),
    "owner": N_("Owner"),
    "status": N_("Status"),
    "churn_probability": N_("Churn probability"),
    "currency": N_("Currency"),
    "mrr_at_risk": N_("MRR at risk"),
    "expected_value_saved": N_("Expected value saved"),
    "reasons": N_("Risk reasons"),
    "suggested_action": N_("Suggested action"),
    "subscription_id": N_("Subscription"),
    "plan": N_("Plan"),
    "started_at": N_("Started"),
    "ended_at": N_("Ended"),
    "billing_period": N_("Billing"),
    "cancel_reason": N_("Cancellation reason"),
    "ticket_id": N_("Ticket"),
    "created_at": N_("Opened"),
    "resolved_at": N_("Resolved"),
    "subject": N_("Subject"),
    "satisfaction": N_("Satisfaction"),
    "channel": N_("Channel"),
    "contacted_at": N_("Contacted"),
    "outcome": N_("Outcome"),
    "offer": N_("Offer"),
    "contacted_by": N_("Contacted by"),
    "note": N_("Note"),
    "reason_text": N_("What the customer said"),
    "source": N_("File"),
    "table_name": N_("Table"),
    "line": N_("Line"),
    "column": N_("Column"),
    "value": N_("Value"),
    "start": N_("MRR at the start"),
    "end": N_("MRR at the end"),
    "contraction": N_("Contraction"),
    "expansion": N_("Expansion"),
    "reactivation": N_("Reactivation"),
    "churn": N_("Churn"),
    "mrr_start": N_("MRR at the start"),
    "mrr_end": N_("MRR at the end"),
}
OUTCOME_LABELS = {
    "saved": N_("Saved"),
    "lost": N_("Lost"),
    "no_answer": N_("No answer"),
    "callback": N_("Call back"),
}
_RATES = {
    "churn_rate",
    "churn_rate_lower",
    "churn_rate_upper",
    "net_change_rate",
    "share",
    "churn_probability",
}
_MONEY = {
    "mrr",
    "mrr_at_risk",
    "expected_value_saved",
    "mrr_start",
    "mrr_end",
    "new",
    "expansion",
    "reactivation",
    "contraction",
    "churn",
}


@dataclass(frozen=True)
class PageTable:
    title: str
    headers: list[str]
    rows: list[list[str]]
    # Column index whose cell links to the customer page, or None.
    link_column: int | None = None
    links: list[str] | None = None


def page_table(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    title: str,
    t: Callable[[str], str],
    fmt: LocaleFormat,
    period: str = "month",
    money_columns: bool = False,
    limit: int | None = None,
) -> PageTable:
    """``columns`` of ``frame``, headed and formatted for ``fmt``'s locale.
    ``money_columns`` formats movement columns as money (else counts)."""
    columns = [c for c in columns if c in frame.columns]
    if limit is not None:
        frame = frame.head(limit)
    currency_of = frame["currency"] if "currency" in frame.columns else None
    rows = []
    for i, row in enumerate(frame[columns].itertuples(index=False)):
        currency = None if currency_of is None else currency_of.iloc[i]
        rows.append(
            [
                _cell(c, v, t, fmt, period, money_columns, currency)
                for c, v in zip(columns, row, strict=True)
            ]
        )
    headers = [t(COLUMN_LABELS.get(c, c)) for c in columns]
    link = columns.index("customer_id") if "customer_id" in columns else None
    links = None
    if link is not None:
        links = [str(v) for v in frame["customer_id"]]
    return PageTable(title, headers, rows, link, links)


def _cell(
    column: str,
    value: Any,
    t: Callable[[str], str],
    fmt: LocaleFormat,
    period: str,
    money_columns: bool,
    currency: Any,
) -> str:
    if value is None or (not isinstance(value, str) and _isna(value)):
        return "–"
    if column == "period_start":
        return fmt.period(pd.Timestamp(value).date(), period)
    if column == "reason" and value in REASON_LABELS:
        return t(REASON_LABELS[value])
    if column == "outcome" and value in OUTCOME_LABELS:
        return t(OUTCOME_LABELS[value])
    if column in _RATES:
        return fmt.percent(float(value))
    if column in _MONEY and (
        money_columns or column.startswith("mrr") or column in ("expected_value_saved",)
    ):
        code = currency if isinstance(currency, str) and currency else None
        return fmt.money(float(value), code)
    if isinstance(value, pd.Timestamp | dt.datetime):
        return fmt.date(pd.Timestamp(value).date())
    if isinstance(value, dt.date):
        return fmt.date(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        number = float(value)
        return fmt.number(number, 0 if number.is_integer() else 2)
    return str(value)


def _isna(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
