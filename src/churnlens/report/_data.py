"""The results a report shows, computed once through the public API and shared
by the sections that need them."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

import churnlens

__all__ = ["NO_REASON", "ReportData", "data_span"]

NO_REASON = "not_given"
# A file whose suffix names a store is opened as one; any other is a data file.
_STORE_SUFFIXES = (".duckdb", ".db", ".ddb")
# Units of the survival curves for each period: tenure is counted in months
# unless the report's periods are shorter.
_SURVIVAL_UNITS = {"day": "day", "week": "week"}


class ReportData:
    """Lazily computed results for one report; ``None`` where a result cannot
    exist for these data (no revenue column, a single currency missing...)."""

    def __init__(
        self,
        data: Any,
        *,
        period: str,
        start: dt.date | str | None,
        end: dt.date | str | None,
        by: str | None,
        fx: Any,
        currency: str | None,
        tz: str,
        now: dt.datetime | None,
    ) -> None:
        self.data = _open(data)
        self.period, self.start, self.end, self.by = period, start, end, by
        self.fx, self.currency, self.tz, self.now = fx, currency, tz, now

    def _window(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "start": self.start,
            "end": self.end,
            "tz": self.tz,
            "now": self.now,
        }

    @cached_property
    def churn(self) -> pd.DataFrame:
        return churnlens.churn_rate(self.data, **self._window())

    @cached_property
    def subscriptions(self) -> ir.Table:
        data = self.data
        if isinstance(data, churnlens.Store):
            return data.table("subscriptions")
        if isinstance(data, ir.Table):
            return data
        return ibis.memtable(data)

    @cached_property
    def currencies(self) -> list[str]:
        subs = self.subscriptions
        if "currency" not in subs.columns:
            return []
        found = subs.select("currency").distinct().to_pyarrow()
        codes = {str(c).strip().upper() for c in found.column(0).to_pylist() if c}
        return sorted(codes)

    @property
    def has_revenue(self) -> bool:
        return "mrr" in self.subscriptions.columns

    @property
    def needs_fx(self) -> bool:
        """Several currencies and no FX table: revenue cannot be added up."""
        return self.fx is None and len(self.currencies) > 1

    @cached_property
    def reporting_currency(self) -> str | None:
        if self.currency:
            return self.currency.upper()
        return self.currencies[0] if len(self.currencies) == 1 else None

    def _revenue_options(self) -> dict[str, Any]:
        return {**self._window(), "fx": self.fx, "currency": self.currency}

    @cached_property
    def movements(self) -> pd.DataFrame:
        return churnlens.mrr_movements(self.data, **self._revenue_options())

    def revenue_in(self, period_start: Any) -> pd.DataFrame:
        """Revenue rates of the one period starting ``period_start``. Without
        bootstrap intervals: they would cost more than the whole rest of the
        report on a large store. Read off the movements the waterfall shows
        when they hold that period, rather than querying them again."""
        moves = self.movements
        held = moves[moves["period_start"] == period_start]
        if not held.empty:
            return churnlens.rates_from_movements(held)
        options = {
            **self._revenue_options(),
            "start": period_start,
            "end": period_start,
        }
        return churnlens.revenue_churn(self.data, **options, n_boot=0)

    @cached_property
    def cohorts(self) -> pd.DataFrame:
        return churnlens.cohort_table(self.data, **self._window())

    @cached_property
    def survival(self) -> Any:
        unit = _SURVIVAL_UNITS.get(self.period, "month")
        return churnlens.survival_analysis(
            self.data, by=self.by, unit=unit, tz=self.tz, now=self.now
        )

    @cached_property
    def span(self) -> tuple[dt.datetime, dt.datetime] | None:
        """(first start, data end), the data end being the contact list's and
        the loyal customers' as-of date."""
        return data_span(self.subscriptions, end=self.end, now=self.now)

    @cached_property
    def has_tickets(self) -> bool:
        data = self.data
        if not (isinstance(data, churnlens.Store) and data.has_table("tickets")):
            return False
        return int(data.table("tickets").count().execute()) > 0

    def _spells(self) -> ir.Table:
        return _spells_of(self.data, self.subscriptions)

    @cached_property
    def reasons(self) -> pd.DataFrame:
        """Churned customers and their MRR per reason, over the report's periods:
        ``reason, customers, mrr`` (``mrr`` empty with several currencies)."""
        churn = self.churn
        if churn.empty:
            return pd.DataFrame(columns=["reason", "customers", "mrr"])
        calendar = churnlens.Calendar(self.period, self.tz)
        lo = calendar.instant(_date(churn["period_start"].iloc[0]))
        hi = calendar.instant(_date(churn["period_end"].iloc[-1]))
        groups = _reason_groups(self.subscriptions, self._spells(), lo, hi)
        return _by_reason(groups, single_currency=len(self.currencies) <= 1)


def _spells_of(data: Any, subscriptions: ir.Table) -> ir.Table:
    # A store keeps its spells (grace 0) up to date at ingest: reuse them.
    if isinstance(data, churnlens.Store) and data.has_table("spells"):
        return data.table("spells")
    return churnlens.spells(
        subscriptions.select("customer_id", "started_at", "ended_at")
    )


def _open(data: Any) -> Any:
    if isinstance(data, str | Path):
        path = Path(data)
        if path.suffix in _STORE_SUFFIXES:
            return churnlens.Store.open(path, read_only=True)
        return churnlens.read_table(path, table="subscriptions").accepted
    return data


def _date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def _reason_groups(
    subs: ir.Table, spells: ir.Table, lo: dt.datetime, hi: dt.datetime
) -> pd.DataFrame:
    """Churned customers per (coded reason, feedback text, currency).

    A customer churns when a spell ends, in ``(lo, hi]``; the reasons are those
    of the subscriptions ending with it. The engine groups down to one row per
    distinct reason and text, so classification runs on each text once.
    """
    cols = subs.columns
    blank = ibis.literal(None, "string")
    ending = subs.filter(subs.ended_at.notnull()).select(
        customer_id=subs.customer_id,
        ended_at=subs.ended_at,
        code=subs.cancel_reason.cast("string") if "cancel_reason" in cols else blank,
        text=subs.cancel_feedback.cast("string")
        if "cancel_feedback" in cols
        else blank,
        currency=subs.currency.cast("string") if "currency" in cols else blank,
        mrr=subs.mrr.cast("float64") if "mrr" in cols else ibis.literal(0.0),
    )
    ended = spells.filter(
        spells.spell_end.notnull() & (spells.spell_end > lo) & (spells.spell_end <= hi)
    ).select("customer_id", "spell_end")
    joined = ended.join(
        ending,
        (ended.customer_id == ending.customer_id)
        & (ended.spell_end == ending.ended_at),
    )
    per_customer = joined.group_by(["customer_id", "spell_end"]).aggregate(
        code=joined.code.max(),
        text=joined.text.max(),
        currency=joined.currency.max(),
        mrr=joined.mrr.sum(),
    )
    grouped = per_customer.group_by(["code", "text", "currency"]).aggregate(
        customers=per_customer.count(), mrr=per_customer.mrr.sum()
    )
    return grouped.to_pandas()


def _by_reason(groups: pd.DataFrame, *, single_currency: bool) -> pd.DataFrame:
    codes = groups["code"].map(churnlens.reason_from_code)
    stripped = groups["text"].fillna("").str.strip()
    texts = stripped.where(stripped != "")
    to_classify = texts[codes.isna() & texts.notna()]
    unique = pd.Series(to_classify.unique(), dtype="object")
    classified = churnlens.classify_reasons(unique)["reason"]
    lookup = dict(zip(unique, classified, strict=True))
    classified_texts = texts.map(lookup)
    reason = [
        code if isinstance(code, str) else text if isinstance(text, str) else NO_REASON
        for code, text in zip(codes, classified_texts, strict=True)
    ]
    table = (
        groups.assign(reason=reason)
        .groupby("reason", as_index=False)[["customers", "mrr"]]
        .sum()
    )
    if not single_currency:
        table["mrr"] = float("nan")
    return table.sort_values(["customers", "reason"], ascending=[False, True])


def data_span(
    subscriptions: ir.Table, *, end: Any, now: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime] | None:
    """(first start, last instant the data describe): the last is the latest
    start or end, capped at ``now`` (ends can be scheduled in the future) and at
    the report's ``end``. Naive UTC; None without subscriptions."""
    row = (
        subscriptions.aggregate(
            first_start=subscriptions.started_at.min(),
            last_start=subscriptions.started_at.max(),
            last_end=subscriptions.ended_at.max(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    if row["first_start"] is None:
        return None
    first = _naive(row["first_start"])
    last = max(_naive(v) for v in (row["last_start"], row["last_end"]) if v is not None)
    cap = _naive(now if now is not None else dt.datetime.now(dt.UTC))
    if end is not None:
        cap = min(cap, pd.Timestamp(end) + pd.Timedelta(days=1))
    return first.to_pydatetime(), min(last, cap).to_pydatetime()


def _naive(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_convert(None) if stamp.tzinfo else stamp
