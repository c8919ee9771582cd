"""Counting-process rows for the support-impact model: a row per customer spell
and period, with the support measures and the plan and MRR as they were at the
row's start.

A spell is at risk from its start until the customer asks to cancel
(``canceled_at`` of the subscriptions that ended with the spell; the spell end
when there is none) or the end of the observation. Its time line is cut at every
period boundary; each piece ``(start, stop]`` carries the measures taken at the
boundary that opens it (the first piece: the boundary before the spell start),
so a row only uses what was known when it began.

The model's support covariates are exact: pieces are cut again at every instant
one of them changes (``support_steps``: a ticket crossing seven days open, a
slow answer arriving, a bad rating ageing out of the window), and each piece
carries their values from its start. Read only at period boundaries they would
be wrong for part of every period and their effects would come out too small.
The raw measures stay those of the boundary (the bucket tables use only rows
that start at one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd

from churnlens.errors import ConfigError
from churnlens.metrics._mrr import to_constant_currency
from churnlens.metrics.support import support_measures
from churnlens.metrics.support_steps import support_steps
from churnlens.periods import Calendar
from churnlens.sources import Source
from churnlens.store import STORE_SUFFIXES

__all__ = [
    "MEASURE_COLUMNS",
    "SUPPORT_COVARIATES",
    "Rows",
    "counting_rows",
    "tickets_of",
]

_DAY = pd.Timedelta(days=1)
# The raw measures kept on every row (for the bucket tables).
MEASURE_COLUMNS = (
    "tickets_90d",
    "first_response_hours_mean",
    "rated_tickets",
    "bad_ratings",
    "oldest_open_days",
    "first_response_sla_breaches",
    "reopened_tickets",
)
# Support covariates of the model and how each is read off the measures (taken
# over the tickets of the last 90 days, except the open backlog).
SUPPORT_COVARIATES = {
    "slow_first_response": "mean first response of the last 90 days' answered "
    "tickets above sla_first_response_hours",
    "low_satisfaction": "a rating below 3 on a ticket of the last 90 days",
    "open_ticket_over_7d": "a ticket open for more than 7 days",
    "sla_breach": "a first-response SLA breach in the last 90 days",
    "reopened": "a reopened ticket in the last 90 days",
    "log_tickets_90d": "log(1 + tickets created in the last 90 days)",
}
_WINDOW_DAYS = 90
_OPEN_DAYS = 7


def tickets_of(data: Any, tickets: Any) -> Any:
    """Where the tickets are: ``tickets`` if given, else the store (or engine)
    that ``data`` names; None when ``data`` is a plain subscriptions table."""
    if tickets is not None:
        return tickets
    if data is None or hasattr(data, "has_table"):
        return data
    if isinstance(data, str | Path) and Path(data).suffix in STORE_SUFFIXES:
        return data
    return None


@dataclass
class Rows:
    """The rows and what they were built with."""

    frame: pd.DataFrame
    observed_from: dt.datetime
    observed_to: dt.datetime
    currency: str | None
    notes: list[str] = field(default_factory=list)


def counting_rows(
    source: Source,
    tickets: Any,
    *,
    calendar: Calendar,
    sla_first_response_hours: float,
    covariates: tuple[str, ...],
    attributes: tuple[str, ...],
    fx: Any,
    currency: str | None,
    engine: Any,
    now: dt.datetime | None,
) -> Rows:
    """Rows ``customer_id, spell_no, row_from, row_to`` (naive UTC), ``event``,
    ``tenure_start``, ``tenure_stop`` (days since the spell start), the measures,
    the support covariates (``covariates`` exact, the others as read at the
    boundary), ``at_change`` (the row starts at a change of one of
    ``covariates``), ``mrr`` and the subscription/customer ``attributes``."""
    notes: list[str] = []
    spells, observed_to = _spells(source, now)
    if spells.empty:
        raise ConfigError(
            "no customer was in the base before the end of the data",
            hint="check the subscriptions' started_at and ended_at",
        )
    observed_from = spells["spell_start"].min().to_pydatetime()
    frame = _cut(spells, calendar, observed_from, observed_to)
    frame = _with_measures(
        frame, tickets, calendar, sla_first_response_hours, engine, observed_to
    )
    steps = support_steps(
        tickets,
        covariates=covariates,
        sla_first_response_hours=sla_first_response_hours,
        window_days=_WINDOW_DAYS,
        tz=calendar.tz,
        engine=engine,
    )
    frame = _split_at_changes(frame, steps, covariates)
    frame, reporting = _with_subscription_values(
        frame, source, attributes, fx=fx, currency=currency, notes=notes
    )
    frame = _with_customer_values(frame, source, attributes)
    return Rows(frame, observed_from, observed_to, reporting, notes)


def _spells(
    source: Source, now: dt.datetime | None
) -> tuple[pd.DataFrame, dt.datetime]:
    spells = source.spells()
    subs = source.subscriptions
    has_cancel = "canceled_at" in subs.columns
    # The subscriptions that end the spell: those ending with it, or, while it
    # is open, those still open (a request on them is a churn not yet served).
    ends = subs.filter(subs.canceled_at.notnull()) if has_cancel else subs
    joined = spells.left_join(
        ends,
        (spells.customer_id == ends.customer_id)
        & (ends.started_at >= spells.spell_start)
        & (
            (ends.ended_at == spells.spell_end)
            | (ends.ended_at.isnull() & spells.spell_end.isnull())
        ),
    )
    request = joined.canceled_at.max() if has_cancel else ibis.null("timestamp")
    table = (
        joined.filter(
            spells.spell_end.isnull() | (spells.spell_end > spells.spell_start)
        )
        .group_by([spells.customer_id, spells.spell_start, spells.spell_end])
        .aggregate(canceled_at=request)
        .to_pyarrow()
        .to_pandas()
    )
    for column in ("spell_start", "spell_end", "canceled_at"):
        table[column] = _naive(table[column])
    cap = _utc_naive(pd.Timestamp(now if now is not None else pd.Timestamp.now("UTC")))
    latest = {
        "last_start": subs.started_at.max(),
        "last_end": subs.ended_at.max(where=subs.ended_at <= ibis.literal(cap)),
    }
    if has_cancel:
        latest["last_request"] = subs.canceled_at.max()
    values = subs.aggregate(**latest).to_pyarrow().to_pylist()[0].values()
    # The data end where something last happened (a start, a request or an end
    # already past); later ends are scheduled and say nothing yet.
    found = [_utc_naive(pd.Timestamp(v)) for v in values if v is not None]
    observed_to = min(max(found), cap) if found else cap
    start, end, cancel = table["spell_start"], table["spell_end"], table["canceled_at"]
    use_cancel = cancel.notna() & (cancel > start) & (end.isna() | (cancel <= end))
    exit_at = end.where(~use_cancel, cancel)
    event = exit_at.notna() & (exit_at <= observed_to)
    table["exit_at"] = exit_at.where(event, observed_to)
    table["event"] = event.astype("int64")
    table = table[table["spell_start"] < table["exit_at"]].reset_index(drop=True)
    table = table.sort_values(["customer_id", "spell_start"], kind="stable")
    table["spell_no"] = table.groupby("customer_id").cumcount() + 1
    return table.reset_index(drop=True), observed_to.to_pydatetime()


def _cut(
    spells: pd.DataFrame,
    calendar: Calendar,
    first: dt.datetime,
    last: dt.datetime,
) -> pd.DataFrame:
    """Each spell cut at the period boundaries inside it (vectorised)."""
    days = calendar.grid(calendar.local_date(first), calendar.local_date(last))
    cuts = np.array(
        [calendar.instant(d) for d in [*days, calendar.next(days[-1])]],
        dtype="datetime64[us]",
    )
    start = spells["spell_start"].to_numpy("datetime64[us]")
    stop = spells["exit_at"].to_numpy("datetime64[us]")
    lo = np.searchsorted(cuts, start, side="right")  # first cut after the start
    hi = np.searchsorted(cuts, stop, side="left")  # cuts before the stop
    pieces = hi - lo + 1
    spell = np.repeat(np.arange(len(spells)), pieces)
    offset = np.arange(len(spell)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    k = lo[spell] + offset  # the cut closing the piece (or the exit)
    row_from = np.where(offset == 0, start[spell], cuts[np.maximum(k - 1, 0)])
    row_to = np.where(k < hi[spell], cuts[np.minimum(k, len(cuts) - 1)], stop[spell])
    # Measured at the boundary that opens the piece; the first piece uses the
    # boundary before the spell start.
    measured = cuts[np.maximum(k - 1, 0)]
    last_piece = offset == pieces[spell] - 1
    spell_start = start[spell]
    frame = pd.DataFrame(
        {
            "customer_id": spells["customer_id"].to_numpy()[spell],
            "spell_no": spells["spell_no"].to_numpy()[spell],
            "spell_start": spell_start,
            "first_cut": np.asarray(offset == 0),
            "row_from": row_from,
            "row_to": row_to,
            "measured_at": measured,
            "event": np.where(last_piece, spells["event"].to_numpy()[spell], 0),
            "exit_at": stop[spell],
            "spell_event": spells["event"].to_numpy()[spell],
        }
    )
    frame["tenure_start"] = (frame["row_from"] - frame["spell_start"]) / _DAY
    frame["tenure_stop"] = (frame["row_to"] - frame["spell_start"]) / _DAY
    return frame


def _with_measures(
    frame: pd.DataFrame,
    tickets: Any,
    calendar: Calendar,
    sla_hours: float,
    engine: Any,
    observed_to: dt.datetime,
) -> pd.DataFrame:
    if tickets is None:
        raise ConfigError(
            "no tickets to measure customer service with",
            hint="pass a store holding a tickets table, or tickets=",
        )
    measures = support_measures(
        tickets,
        period=calendar.period,
        end=calendar.local_date(observed_to),
        window_days=_WINDOW_DAYS,
        sla_first_response_hours=sla_hours,
        tz=calendar.tz,
        engine=engine,
    )
    keep = ["customer_id", "as_of", *[c for c in MEASURE_COLUMNS if c in measures]]
    measures = measures[keep].rename(columns={"as_of": "measured_at"})
    measures["measured_at"] = _naive(measures["measured_at"]).astype("datetime64[us]")
    measures["customer_id"] = measures["customer_id"].astype(str)
    frame["customer_id"] = frame["customer_id"].astype(str)
    out = frame.merge(measures, on=["customer_id", "measured_at"], how="left")
    for column in MEASURE_COLUMNS:
        if column not in out:
            out[column] = np.nan
    counts = [
        "tickets_90d",
        "rated_tickets",
        "bad_ratings",
        "first_response_sla_breaches",
        "reopened_tickets",
    ]
    out[counts] = out[counts].astype("float64").fillna(0.0)
    frt = out["first_response_hours_mean"].astype("float64")
    oldest = out["oldest_open_days"].astype("float64")
    out["slow_first_response"] = (frt > sla_hours).astype("float64")
    out["low_satisfaction"] = (out["bad_ratings"] > 0).astype("float64")
    out["open_ticket_over_7d"] = (oldest > _OPEN_DAYS).astype("float64")
    out["sla_breach"] = (out["first_response_sla_breaches"] > 0).astype("float64")
    out["reopened"] = (out["reopened_tickets"] > 0).astype("float64")
    out["log_tickets_90d"] = np.log1p(out["tickets_90d"])
    return out


def _split_at_changes(
    frame: pd.DataFrame, steps: pd.DataFrame, covariates: tuple[str, ...]
) -> pd.DataFrame:
    """Each row cut at the changes of ``covariates`` strictly inside it; every
    piece takes their values in force at its start (0 before any ticket)."""
    frame = frame.reset_index(drop=True)
    row = np.arange(len(frame))
    bounds = pd.DataFrame(
        {
            "customer_id": frame["customer_id"],
            "row_from": frame["row_from"],
            "row_to": frame["row_to"],
            "_row": row,
        }
    ).sort_values("row_from", kind="stable")
    changes = steps[["customer_id", "at"]].sort_values("at", kind="stable")
    located = pd.merge_asof(
        changes,
        bounds,
        left_on="at",
        right_on="row_from",
        by="customer_id",
        direction="backward",
        allow_exact_matches=False,
    )
    inside = located["_row"].notna() & (located["at"] < located["row_to"])
    starts = pd.concat(
        [
            pd.DataFrame({"_row": row, "at": frame["row_from"]}),
            pd.DataFrame(
                {
                    "_row": located.loc[inside, "_row"].astype("int64"),
                    "at": located.loc[inside, "at"],
                }
            ),
        ],
        ignore_index=True,
    ).sort_values(["_row", "at"], kind="stable")
    source = starts["_row"].to_numpy()
    pieces = frame.iloc[source].reset_index(drop=True)
    begins = starts["at"].to_numpy("datetime64[us]")
    last = np.r_[source[1:] != source[:-1], True]
    ends = np.where(
        last, pieces["row_to"].to_numpy("datetime64[us]"), np.r_[begins[1:], begins[:1]]
    )
    split = begins != pieces["row_from"].to_numpy("datetime64[us]")
    pieces["row_from"], pieces["row_to"] = begins, ends
    pieces["at_change"] = split
    pieces["first_cut"] = pieces["first_cut"] & ~split
    pieces["event"] = np.where(last, pieces["event"], 0)
    pieces["tenure_start"] = (pieces["row_from"] - pieces["spell_start"]) / _DAY
    pieces["tenure_stop"] = (pieces["row_to"] - pieces["spell_start"]) / _DAY
    return _with_exact_values(pieces, steps, covariates)


def _with_exact_values(
    pieces: pd.DataFrame, steps: pd.DataFrame, covariates: tuple[str, ...]
) -> pd.DataFrame:
    pieces = pieces.drop(columns=[c for c in covariates if c in pieces])
    pieces["_order"] = np.arange(len(pieces))
    ordered = pieces.sort_values("row_from", kind="stable")
    values = pd.merge_asof(
        ordered,
        steps.sort_values("at", kind="stable"),
        left_on="row_from",
        right_on="at",
        by="customer_id",
        direction="backward",
    )
    values[list(covariates)] = values[list(covariates)].fillna(0.0)
    values = values.sort_values("_order", kind="stable").drop(columns=["_order", "at"])
    return values.reset_index(drop=True)


def _with_subscription_values(
    frame: pd.DataFrame,
    source: Source,
    attributes: tuple[str, ...],
    *,
    fx: Any,
    currency: str | None,
    notes: list[str],
) -> tuple[pd.DataFrame, str | None]:
    """Plan, MRR and other subscription columns of the subscription in force
    at each row's start (the latest one started by then)."""
    subs = source.subscriptions
    wanted = [a for a in attributes if a in subs.columns and a not in ("mrr",)]
    reporting: str | None = currency
    try:
        priced = to_constant_currency(subs, fx=fx, currency=currency)
        mrr = priced.mrr_monthly.cast("float64")
        if fx is None and currency is None and "currency" in subs.columns:
            codes = subs.select("currency").distinct().to_pyarrow().column(0)
            present = sorted({str(c).upper() for c in codes.to_pylist() if c})
            reporting = present[0] if len(present) == 1 else None
    except ConfigError as error:
        if fx is not None or currency is not None:
            raise
        priced, mrr = subs, ibis.null("float64")
        notes.append(
            f"MRR left out of the model and the what-if: {error.problem}; give an "
            "FX table (--fx FILE, fx=) and the reporting currency to use it"
        )
    table = (
        priced.select(
            customer_id=priced.customer_id.cast("string"),
            started_at=priced.started_at,
            mrr=mrr,
            **{a: priced[a].cast("string") for a in wanted},
        )
        .to_pyarrow()
        .to_pandas()
    )
    table["started_at"] = _naive(table["started_at"]).astype("datetime64[ns]")
    table = table.sort_values("started_at", kind="stable")
    frame = frame.sort_values("row_from", kind="stable")
    frame["_at"] = frame["row_from"].astype("datetime64[ns]") + pd.Timedelta(
        microseconds=1
    )
    merged = pd.merge_asof(
        frame,
        table.rename(columns={"started_at": "_at"}),
        on="_at",
        by="customer_id",
        direction="backward",
    )
    merged = merged.drop(columns="_at")
    merged = merged.sort_values(["customer_id", "row_from"], kind="stable")
    return merged.reset_index(drop=True), reporting


def _with_customer_values(
    frame: pd.DataFrame, source: Source, attributes: tuple[str, ...]
) -> pd.DataFrame:
    customers = source.customers
    if customers is None:
        return frame
    wanted = [
        a
        for a in attributes
        if a in customers.columns and a not in frame.columns and a != "customer_id"
    ]
    if not wanted:
        return frame
    table = (
        customers.select(
            customer_id=customers.customer_id.cast("string"),
            **{a: customers[a].cast("string") for a in wanted},
        )
        .to_pyarrow()
        .to_pandas()
        .drop_duplicates("customer_id")
    )
    return frame.merge(table, on="customer_id", how="left")


def _naive(column: pd.Series) -> pd.Series:
    values = pd.to_datetime(column)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values


def _utc_naive(value: pd.Timestamp) -> pd.Timestamp:
    if value.tzinfo is not None:
        return value.tz_convert("UTC").tz_localize(None)
    return value
