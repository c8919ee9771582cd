"""Why churned customers left: reasons by share of customers and of lost MRR.

The definitions are in docs/why.md. A customer churns when they leave the base
(docs/churn-rate.md): a spell ends and no later spell of theirs covers the end
of the period it ended in. The churn is attributed to that period. Its reason is
the first of

1. the coded ``cancel_reason`` of the subscriptions that ended with the spell,
   mapped by ``reason_from_code`` (source ``code``);
2. their ``cancel_feedback``, classified (source ``feedback``);
3. the text of the customer's tickets created in the ``ticket_days`` before the
   cancellation request (``canceled_at``, else the spell end), classified, when
   some reason matched (source ``tickets``);
4. ``unknown`` (source ``none``), kept apart from ``other``, which is a reason
   somebody gave.

Lost MRR is what the customer paid per month just before leaving: the monthly
MRR of the subscriptions that ended with the spell, in the reporting currency.

The engine joins the churned spells to the subscriptions that ended with them
and returns a row per churned customer (their reason has to be read); pandas
counts them per period, segment and reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from churnlens.engines import EngineSpec, upload
from churnlens.errors import ConfigError
from churnlens.explain._impact_rows import tickets_of
from churnlens.explain._reason_shares import (
    NO_SEGMENT,
    SHARE_COLUMNS,
    UNKNOWN,
    WHY_REASONS,
    reason_shares,
    segment_key,
)
from churnlens.explain.reasons import classify_reasons, reason_from_code
from churnlens.metrics._intervals import wilson_interval
from churnlens.metrics._mrr import to_constant_currency
from churnlens.metrics._segments import SEGMENT, ordered_segments, with_segment
from churnlens.periods import Calendar, period_grid
from churnlens.sources import Source, resolve_source

__all__ = [
    "REASON_SOURCES",
    "UNKNOWN",
    "WHY_REASONS",
    "churn_reason_customers",
    "churn_reasons",
    "reason_trends",
]

REASON_SOURCES = ("code", "feedback", "tickets", "none")
# The last tickets before the request: at most this many, newest first.
_MAX_TICKETS = 3


def churn_reasons(
    data: Any = None,
    *,
    period: str = "month",
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: str | None = None,
    fx: Any = None,
    currency: str | None = None,
    ticket_days: float = 30,
    tickets: Any = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """Churned customers and lost MRR per period (and segment) and reason.

    A row for every period, segment and reason of ``WHY_REASONS`` (zeros
    included): ``churned`` customers, ``churned_total`` of the period, their
    ``share`` with a Wilson 95% interval (``share_lower``, ``share_upper``),
    ``lost_mrr`` (monthly MRR just before churning, reporting currency) and
    ``lost_mrr_share``, and where the reason came from: ``from_code``,
    ``from_feedback``, ``from_tickets`` (customers). Lost MRR is empty (NaN)
    when the subscriptions are in several currencies and no ``fx`` table is
    given. ``tickets`` (a tickets table or file) stands in for the store's.

    >>> churn_reasons("churnlens.duckdb", period="quarter")  # doctest: +SKIP
    """
    customers = churn_reason_customers(
        data,
        period=period,
        start=start,
        end=end,
        by=by,
        fx=fx,
        currency=currency,
        ticket_days=ticket_days,
        tickets=tickets,
        tz=tz,
        engine=engine,
        now=now,
    )
    grid = customers.attrs["periods"]
    return _summarise(customers, Calendar(period, tz), grid, by, customers.attrs)


def churn_reason_customers(
    data: Any = None,
    *,
    period: str = "month",
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: str | None = None,
    fx: Any = None,
    currency: str | None = None,
    ticket_days: float = 30,
    tickets: Any = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """One row per churned customer: ``customer_id, period_start`` (the period
    they churned in), the segment with ``by``, ``spell_end``, ``canceled_at``,
    ``lost_mrr``, ``reason``, ``source`` (code, feedback, tickets or none) and
    ``confidence`` of a classified text (1 for a code)."""
    if ticket_days < 0:
        raise ConfigError(f"ticket_days must be >= 0, got {ticket_days}")
    calendar = Calendar(period, tz)
    source = resolve_source(data, engine=engine, tz=tz)
    span = source.span()
    grid = period_grid(calendar, span, start=start, end=end, now=now) if span else []
    if not grid:
        frame = _empty_customers(by)
        frame.attrs.update(periods=[], currency=None)
        return frame
    lo, hi = calendar.instant(grid[0]), calendar.instant(calendar.next(grid[-1]))
    rows, reporting = _churned_rows(source, by, lo, hi, fx=fx, currency=currency)
    # Periods are (start, end]: a spell ending at a boundary instant was in the
    # base there and leaves in the period that the boundary closes.
    tick = pd.Timedelta(microseconds=1)
    days = [calendar.local_date(t - tick) for t in rows["spell_end"]]
    rows["period_start"] = [calendar.floor(d) for d in days]
    boundary = pd.to_datetime(
        [calendar.instant(calendar.next(p)) for p in rows["period_start"]]
    )
    # Back before the boundary: a later spell (not a zero-length one, which
    # never puts anyone in the base) started before it. Either it covers the
    # boundary, or it ends within the period and counts as the churn itself.
    returned = np.zeros(len(rows), dtype=bool)
    for start_col, end_col in (
        ("next_start", "next_end"),
        ("next2_start", "next2_end"),
    ):
        start_, end_ = rows[start_col], rows[end_col]
        real = start_.notna() & (end_.isna() | (end_ > start_))
        returned |= np.asarray(real & (start_ < boundary))
    rows = rows[~np.asarray(returned)].reset_index(drop=True)
    _attach_reasons(rows, source, data, tickets, engine, tz, ticket_days)
    columns = [
        "customer_id",
        "period_start",
        *([by] if by else []),
        "spell_end",
        "canceled_at",
        "lost_mrr",
        "reason",
        "source",
        "confidence",
    ]
    if by:
        rows[by] = rows[SEGMENT]
    out = rows[columns].sort_values(["period_start", "customer_id"], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(periods=grid, currency=reporting)
    return out


def reason_trends(table: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Each reason's share of churned customers in the first and the second half
    of the periods of a ``churn_reasons`` table, and the change with a 95%
    interval (Newcombe's hybrid score interval for a difference of two
    proportions, from the two Wilson intervals).

    With an odd number of periods the middle one is left out.
    """
    periods = sorted(table["period_start"].unique())
    half = len(periods) // 2
    first, last = set(periods[:half]), set(periods[len(periods) - half :])
    keys = [by, "reason"] if by else ["reason"]
    parts = []
    for name, chosen in (("first", first), ("last", last)):
        part = table[table["period_start"].isin(chosen)]
        sums = part.groupby(keys, sort=False, dropna=False)[["churned"]].sum()
        totals = (
            part.drop_duplicates([*(keys[:-1]), "period_start"])
            .groupby(keys[:-1] or (lambda _: 0), dropna=False)["churned_total"]
            .sum()
        )
        if by:
            sums[f"total_{name}"] = totals.reindex(
                sums.index.get_level_values(0)
            ).to_numpy()
        else:
            sums[f"total_{name}"] = float(totals.sum()) if len(totals) else 0.0
        parts.append(sums.rename(columns={"churned": f"churned_{name}"}))
    out = parts[0].join(parts[1], how="outer").fillna(0).reset_index()
    x1, n1 = out["churned_first"].to_numpy(float), out["total_first"].to_numpy(float)
    x2, n2 = out["churned_last"].to_numpy(float), out["total_last"].to_numpy(float)
    l1, u1 = wilson_interval(x1, n1)
    l2, u2 = wilson_interval(x2, n2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    d = p2 - p1
    out["share_first"], out["share_last"], out["change"] = p1, p2, d
    out["change_lower"] = d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    out["change_upper"] = d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    out["first_periods"] = f"{periods[0]}..{periods[half - 1]}" if half else ""
    out["last_periods"] = (
        f"{periods[len(periods) - half]}..{periods[-1]}" if half else ""
    )
    order = {r: i for i, r in enumerate(WHY_REASONS)}
    out = out.assign(_o=out["reason"].map(order)).sort_values([*keys[:-1], "_o"])
    columns = [
        *keys,
        "first_periods",
        "last_periods",
        "churned_first",
        "total_first",
        "share_first",
        "churned_last",
        "total_last",
        "share_last",
        "change",
        "change_lower",
        "change_upper",
    ]
    return out[columns].reset_index(drop=True)


# -- the churned customers ------------------------------------------------------


def _churned_rows(
    source: Source,
    by: str | None,
    lo: dt.datetime,
    hi: dt.datetime,
    *,
    fx: Any,
    currency: str | None,
) -> tuple[pd.DataFrame, str | None]:
    spells = with_segment(source.spells(), source, by)
    ended = spells.filter(
        spells.spell_end.notnull()
        & (spells.spell_end > spells.spell_start)
        & (spells.spell_end > ibis.literal(lo))
        & (spells.spell_end <= ibis.literal(hi))
    )
    subs, reporting = _priced(source.subscriptions, fx=fx, currency=currency)
    joined = ended.left_join(
        subs,
        (ended.customer_id == subs.customer_id)
        & (subs.ended_at == ended.spell_end)
        & (subs.started_at < ended.spell_end),
    )
    text = {
        c: joined[c].max() if c in subs.columns else ibis.null("string")
        for c in ("cancel_reason", "cancel_feedback")
    }
    canceled = (
        joined.canceled_at.max()
        if "canceled_at" in subs.columns
        else ibis.null("timestamp")
    )
    keys = [
        ended.customer_id,
        ended.spell_end,
        ended.next_start,
        ended.next_end,
        ended.next2_start,
        ended.next2_end,
    ]
    if by:
        keys.append(ended[SEGMENT])
    grouped = joined.group_by(keys).aggregate(
        lost_mrr=joined._mrr.sum(), canceled_at=canceled, **text
    )
    rows = grouped.to_pyarrow().to_pandas()
    for column in (
        "spell_end",
        "next_start",
        "next_end",
        "next2_start",
        "next2_end",
        "canceled_at",
    ):
        rows[column] = _naive(rows[column])
    if reporting is False:
        rows["lost_mrr"] = np.nan
        reporting = None
    rows["lost_mrr"] = rows["lost_mrr"].astype("float64")
    return rows, reporting


def _priced(subs: ir.Table, *, fx: Any, currency: str | None) -> tuple[ir.Table, Any]:
    """Subscriptions with ``_mrr`` in the reporting currency, and its code.

    Without an FX table, several currencies cannot be added up: ``_mrr`` is then
    null and the code False, unless the caller asked for a currency."""
    try:
        priced = to_constant_currency(subs, fx=fx, currency=currency)
    except ConfigError:
        if fx is not None or currency is not None:
            raise
        return subs.mutate(_mrr=ibis.null("float64")), False
    if "currency" in subs.columns and fx is None and currency is None:
        found = subs.select("currency").distinct().to_pyarrow().column(0).to_pylist()
        codes = sorted({str(c).strip().upper() for c in found if c})
        reporting = codes[0] if len(codes) == 1 else None
    else:
        reporting = currency
    return priced.mutate(_mrr=priced.mrr_monthly.cast("float64")), reporting


def _attach_reasons(
    rows: pd.DataFrame,
    source: Source,
    data: Any,
    tickets: Any,
    engine: EngineSpec,
    tz: str,
    ticket_days: float,
) -> None:
    n = len(rows)
    reason = pd.Series([None] * n, dtype="object")
    origin = pd.Series(["none"] * n, dtype="object")
    confidence = pd.Series(np.nan, index=range(n))
    langs = _languages(source, rows["customer_id"]) if n else None
    codes = rows["cancel_reason"].map(reason_from_code)
    coded = codes.notna()
    reason[coded], origin[coded], confidence[coded] = codes[coded], "code", 1.0
    feedback = rows["cancel_feedback"].fillna("").astype(str).str.strip()
    open_ = ~coded & (feedback != "")
    if open_.any():
        found = classify_reasons(
            feedback[open_], None if langs is None else langs[open_]
        )
        reason[open_] = found["reason"].to_numpy()
        origin[open_] = "feedback"
        confidence[open_] = found["confidence"].to_numpy()
    left = reason.isna()
    if left.any():
        texts = _ticket_texts(rows[left], data, tickets, engine, tz, ticket_days)
        has = texts.notna()
        if has.any():
            chosen = texts[has]
            lang = None if langs is None else langs[chosen.index]
            found = classify_reasons(chosen, lang)
            matched = (found["score"] > 0).to_numpy()
            index = chosen.index[matched]
            reason[index] = found["reason"].to_numpy()[matched]
            origin[index] = "tickets"
            confidence[index] = found["confidence"].to_numpy()[matched]
    rows["reason"] = reason.fillna(UNKNOWN).to_numpy()
    rows["source"] = origin.to_numpy()
    rows["confidence"] = confidence.to_numpy()


def _languages(source: Source, ids: pd.Series) -> pd.Series | None:
    customers = source.customers
    if customers is None or "language" not in customers.columns:
        return None
    table = customers.select("customer_id", "language").to_pyarrow().to_pandas()
    table = table.drop_duplicates("customer_id").set_index("customer_id")["language"]
    return ids.map(table).where(lambda s: s.notna(), None)


def _ticket_texts(
    rows: pd.DataFrame,
    data: Any,
    tickets: Any,
    engine: EngineSpec,
    tz: str,
    ticket_days: float,
) -> pd.Series:
    """Subject and text of each customer's last tickets before their request,
    joined; NaN where there are none (or no tickets table at all)."""
    from churnlens.metrics._support_source import ticket_table

    empty = pd.Series(np.nan, index=rows.index, dtype="object")
    where = tickets_of(data, tickets)
    if where is None:
        return empty
    try:
        table = ticket_table(where, engine=engine, tz=tz)
    except ConfigError:  # a store without tickets
        return empty
    have = [c for c in ("subject", "text") if c in table.columns]
    if not have or "created_at" not in table.columns:
        return empty
    request = rows["canceled_at"].where(rows["canceled_at"].notna(), rows["spell_end"])
    request = request.where(request <= rows["spell_end"], rows["spell_end"])
    keys = pa.table(
        {
            "_row": pa.array(rows.index.to_numpy(np.int64)),
            "customer_id": pa.array(rows["customer_id"].astype(str).tolist()),
            "_from": _timestamps(request - pd.Timedelta(days=ticket_days)),
            "_to": _timestamps(request),
        }
    )
    wanted = upload(table._find_backend(), keys, prefix="why_keys")
    joined = table.join(
        wanted,
        (table.customer_id.cast("string") == wanted.customer_id)
        & (table.created_at >= wanted._from)
        & (table.created_at <= wanted._to),
    )
    body = [joined[c].cast("string").fill_null("") for c in have]
    text = body[0] if len(body) == 1 else body[0].concat(". ", body[1])
    found = joined.select(_row=wanted._row, created_at=table.created_at, _text=text)
    found = found.to_pyarrow().to_pandas()
    if found.empty:
        return empty
    found = found.sort_values(["_row", "created_at"], ascending=[True, False])
    found = found.groupby("_row").head(_MAX_TICKETS)
    joined_text = found.groupby("_row")["_text"].agg(lambda s: " \n".join(s))
    return empty.combine_first(joined_text).reindex(rows.index)


# -- the summary ------------------------------------------------------------------


def _summarise(
    customers: pd.DataFrame,
    calendar: Calendar,
    grid: list[dt.date],
    by: str | None,
    attrs: dict[str, Any],
) -> pd.DataFrame:
    segments: list[Any] = ordered_segments(customers[by]) if by else [None]
    keys = [segment_key(s) for s in segments]
    frame = customers.assign(
        _seg=[segment_key(v) for v in customers[by]] if by else NO_SEGMENT,
        from_code=(customers["source"] == "code").astype(int),
        from_feedback=(customers["source"] == "feedback").astype(int),
        from_tickets=(customers["source"] == "tickets").astype(int),
    )
    table = reason_shares(
        frame,
        pd.DataFrame(
            [(p, k) for p in grid for k in keys], columns=["period_start", "_seg"]
        ),
        counts=["from_code", "from_feedback", "from_tickets"],
        mrr_known=bool(frame["lost_mrr"].notna().any() or attrs.get("currency")),
    )
    table["period_end"] = [calendar.next(p) for p in table["period_start"]]
    columns = [
        "period_start",
        "period_end",
        *([by] if by else []),
        *SHARE_COLUMNS,
        "from_code",
        "from_feedback",
        "from_tickets",
    ]
    if by:
        table[by] = table["_seg"].where(table["_seg"] != NO_SEGMENT, None)
    out = table[columns].reset_index(drop=True)
    out.attrs["currency"] = attrs.get("currency")
    return out


def _empty_customers(by: str | None) -> pd.DataFrame:
    columns = {
        "customer_id": "string",
        "period_start": "object",
        **({by: "object"} if by else {}),
        "spell_end": "datetime64[us]",
        "canceled_at": "datetime64[us]",
        "lost_mrr": "float64",
        "reason": "object",
        "source": "object",
        "confidence": "float64",
    }
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def _naive(column: pd.Series) -> pd.Series:
    values = pd.to_datetime(column)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values


def _timestamps(values: pd.Series) -> pa.Array:
    return pa.Array.from_pandas(values.astype("datetime64[us]"))
