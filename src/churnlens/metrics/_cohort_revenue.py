"""Revenue cohorts: each subscription's monthly MRR, in constant currency, with
its customer's cohort, grouped by the engine (see ``_cohort_events``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from churnlens.metrics._cohort_events import revenue_events
from churnlens.metrics._mrr import to_constant_currency
from churnlens.metrics._segments import SEGMENT
from churnlens.periods import Calendar
from churnlens.sources import Source

__all__ = ["revenue_flows"]


def revenue_flows(
    source: Source,
    spells: ir.Table,
    calendar: Calendar,
    span: tuple[dt.datetime, dt.datetime],
    *,
    segmented: bool,
    fx: Any,
    currency: str | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """MRR entering and leaving the base per (cohort, period key[, segment]).

    ``spells`` (with the segment when ``segmented``) give each customer's first
    start: one row per customer, its first spell, joined to their subscriptions.
    A subscription without a known monthly amount adds nothing.
    """
    subs = to_constant_currency(source.subscriptions, fx=fx, currency=currency)
    firsts = spells.filter(spells.spell_no == 1)
    keep = {"_cid": firsts.customer_id, "first_started_at": firsts.first_started_at}
    if segmented:
        keep[SEGMENT] = firsts[SEGMENT]
    firsts = firsts.select(**keep)
    joined = subs.join(firsts, subs.customer_id == firsts._cid)
    rows = joined.select(
        "started_at",
        "ended_at",
        "mrr_monthly",
        "first_started_at",
        *([SEGMENT] if segmented else []),
    )
    flows = revenue_events(rows, calendar, span, segmented=segmented).to_pandas()
    flows = flows.fillna({"mrr": 0})
    out = flows["_out"].astype(bool)
    entries = flows[~out].rename(columns={"_at": "_ps"})
    exits = flows[out].rename(columns={"_at": "_pe"})
    return entries, exits
