"""Support measures per customer, point in time: what the customer's tickets
looked like at an instant, using nothing that happened after it.

The definitions are in docs/support.md. At a cut instant ``t`` a ticket counts
if it was created before ``t``; its first response and its resolution count only
if they happened before ``t`` (a ticket resolved later is open at ``t``), and its
rating and reopen count only once it is resolved before ``t`` (exports carry no
time for either, and both come with the resolution).

The engine does the work: the tickets meet a grid of cut instants (one for
``as_of``, one per period end with ``period=``) and are aggregated to a row per
customer and cut, channel counts included. Times are compared as whole epoch
seconds, on every engine alike.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from churnlens.engines import EngineSpec, upload
from churnlens.errors import ConfigError
from churnlens.metrics._support_source import ticket_table
from churnlens.periods import Calendar, check_timezone

__all__ = ["SUPPORT_COLUMNS", "support_measures", "ticket_times"]

_DAY = 86_400
# Channels with a column of their own; the rarer ones are counted together.
_MAX_CHANNELS = 20
_HOUR = 3_600

COUNT_COLUMNS = (
    "tickets_total",
    "tickets_30d",
    "tickets_90d",
    "responded_tickets",
    "resolved_tickets",
    "reopened_tickets",
    "open_tickets",
    "rated_tickets",
    "bad_ratings",
    "first_response_sla_breaches",
    "resolution_sla_breaches",
)
VALUE_COLUMNS = (
    "first_response_hours_median",
    "first_response_hours_mean",
    "resolution_hours_median",
    "resolution_hours_mean",
    "oldest_open_days",
    "satisfaction_mean",
)
SUPPORT_COLUMNS = ("customer_id", "as_of", *COUNT_COLUMNS, *VALUE_COLUMNS)


def support_measures(
    data: Any = None,
    *,
    as_of: dt.date | dt.datetime | str | None = None,
    period: str | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    window_days: float | None = None,
    sla_first_response_hours: float = 24.0,
    sla_resolution_hours: float = 72.0,
    bad_rating_below: float = 3.0,
    customers: Any = None,
    tz: str = "UTC",
    engine: EngineSpec = None,
) -> pd.DataFrame:
    """Support measures per customer at ``as_of``, or at each period end.

    ``data`` is a store (or its path), a tickets file, a pandas/polars/Arrow table
    or an ibis table of tickets. ``as_of`` is an instant (naive means UTC) or a
    date (its end, in ``tz``); by default the end of the day of the latest ticket
    event. With ``period`` ("day" ... "year") there is a row per customer and
    period from ``start`` to ``end`` (default: the first ticket to ``as_of``),
    measured at the period's end: counting-process rows for models with
    time-varying covariates. ``window_days`` limits the response, resolution,
    rating, reopen, SLA and channel measures to tickets created in the last so
    many days; counts of tickets and the open backlog always look at all of them.
    ``customers`` (ids, or a table with ``customer_id``) restricts the rows to
    those customers and gives each of them a row, zeros where they had no tickets.

    Columns: ``customer_id``, ``as_of`` (naive UTC), with ``period`` also
    ``period_start`` and ``period_end`` (local dates), then ``SUPPORT_COLUMNS``'
    measures and ``channel_<name>`` counts: one per channel, the 20 most frequent,
    the rest together in ``channel_rest``.

    >>> support_measures("churnlens.duckdb", period="month")  # doctest: +SKIP
    """
    check_timezone(tz)
    _check_options(sla_first_response_hours, sla_resolution_hours, window_days)
    tickets = ticket_table(data, engine=engine, tz=tz)
    tickets = _prepared(tickets)
    wanted = _customer_ids(customers)
    if wanted is not None:
        tickets = tickets.filter(tickets.customer_id.isin(wanted))
    first, last = _event_span(tickets)
    cut = _as_of(as_of, tz, last)
    grid = _grid(period, start, end, cut, first, tz)
    if grid.empty:
        return _empty(period)
    backend = tickets._find_backend()
    cuts = upload(
        backend,
        pa.table(
            {
                "cut_no": pa.array(np.arange(len(grid), dtype=np.int64)),
                "cut_s": pa.array(grid["cut_s"].to_numpy(np.int64)),
            }
        ),
        prefix="support_cuts",
    )
    joined = tickets.cross_join(cuts)
    joined = joined.filter(joined.created_s < joined.cut_s)
    measures = _measures(
        joined,
        channels=_channel_groups(tickets),
        window_days=window_days,
        sla_fr=sla_first_response_hours * _HOUR,
        sla_res=sla_resolution_hours * _HOUR,
        bad_below=bad_rating_below,
    )
    return _assemble(measures.to_pyarrow().to_pandas(), grid, wanted, period)


def ticket_times(
    data: Any = None, *, engine: EngineSpec = None, tz: str = "UTC"
) -> pd.DataFrame:
    """Every ticket as the measures read it: ``customer_id``, ``created_s``,
    ``response_s``, ``resolved_s`` (epoch seconds; NaN when missing),
    ``satisfaction`` and ``reopens``, for computations that need the tickets
    themselves rather than their state at cut instants."""
    check_timezone(tz)
    tickets = _prepared(ticket_table(data, engine=engine, tz=tz))
    frame = tickets.to_pyarrow().to_pandas()
    for column in ("created_s", "response_s", "resolved_s", "satisfaction", "reopens"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    frame["customer_id"] = frame["customer_id"].astype(str)
    return frame.drop(columns="channel")


def _check_options(sla_fr: float, sla_res: float, window: float | None) -> None:
    for name, value in (
        ("sla_first_response_hours", sla_fr),
        ("sla_resolution_hours", sla_res),
    ):
        if not value >= 0:
            raise ConfigError(
                f"{name} must be 0 or more, not {value}",
                hint="give the target in hours, e.g. 24",
            )
    if window is not None and not window > 0:
        raise ConfigError(
            f"window_days must be more than 0, not {window}",
            hint="leave it out to use all tickets",
        )


def _prepared(t: ir.Table) -> ir.Table:
    """The columns the measures need, in whole epoch seconds."""
    names = set(t.columns)

    def seconds(column: str) -> ir.IntegerValue:
        if column not in names:
            return ibis.null().cast("int64")
        return t[column].cast("timestamp").epoch_seconds().cast("int64")

    def optional(column: str, kind: str) -> ir.Value:
        if column not in names:
            return ibis.null().cast(kind)
        return t[column].cast(kind)

    # Reopens come as text while the schema has no such column: digits count,
    # anything else is no count (a CASE, as PostgreSQL has no TRY_CAST).
    reopens = ibis.null().cast("int64")
    if "reopens" in names:
        text = t.reopens.cast("string").strip()
        reopens = text.re_search(r"^[0-9]{1,15}$").ifelse(
            text.cast("int64"), ibis.null().cast("int64")
        )
    channel = optional("channel", "string")
    return t.select(
        customer_id=t.customer_id.cast("string"),
        created_s=seconds("created_at"),
        response_s=seconds("first_response_at"),
        resolved_s=seconds("resolved_at"),
        satisfaction=optional("satisfaction", "float64"),
        reopens=reopens,
        channel=channel.lower().strip().fill_null("unknown"),
    ).filter(lambda s: s.created_s.notnull() & s.customer_id.notnull())


def _customer_ids(customers: Any) -> list[str] | None:
    if customers is None:
        return None
    if isinstance(customers, ir.Table):
        customers = customers.select("customer_id").to_pandas()
    if isinstance(customers, pa.Table):
        customers = customers.to_pandas()
    if isinstance(customers, pd.DataFrame):
        if "customer_id" not in customers.columns:
            raise ConfigError(
                "the customers table has no column 'customer_id'",
                hint="pass a table with customer_id, or a list of ids",
            )
        customers = customers["customer_id"]
    return sorted({str(c) for c in customers if c is not None and c == c})


def _event_span(t: ir.Table) -> tuple[int | None, int | None]:
    """(first creation, latest event) in epoch seconds; None without tickets."""
    row = (
        t.aggregate(
            first=t.created_s.min(),
            created=t.created_s.max(),
            responded=t.response_s.max(),
            resolved=t.resolved_s.max(),
        )
        .to_pandas()
        .iloc[0]
    )
    found = [row[k] for k in ("created", "responded", "resolved")]
    found = [int(v) for v in found if v is not None and not pd.isna(v)]
    if pd.isna(row["first"]) or not found:
        return None, None
    return int(row["first"]), max(found)


def _epoch(instant: dt.datetime) -> int:
    return int((instant - dt.datetime(1970, 1, 1)).total_seconds())


def _from_epoch(seconds: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(seconds))


def _as_of(
    value: dt.date | dt.datetime | str | None, tz: str, last: int | None
) -> dt.datetime | None:
    """The cut instant, naive UTC: an instant as given, a date's end in ``tz``."""
    calendar = Calendar("day", tz)
    if value is None:
        if last is None:
            return None
        day = calendar.local_date(_from_epoch(last))
        return calendar.instant(day + dt.timedelta(days=1))
    if isinstance(value, str):
        try:
            value = (
                dt.date.fromisoformat(value)
                if len(value) <= 10
                else dt.datetime.fromisoformat(value)
            )
        except ValueError:
            raise ConfigError(
                f"as_of '{value}' is not a date or time",
                hint="use ISO 8601, e.g. 2024-03-31 or 2024-03-31T12:00:00Z",
            ) from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return calendar.instant(value + dt.timedelta(days=1))


def _grid(
    period: str | None,
    start: dt.date | str | None,
    end: dt.date | str | None,
    cut: dt.datetime | None,
    first: int | None,
    tz: str,
) -> pd.DataFrame:
    """Cut instants (epoch seconds), with their periods when ``period`` is given."""
    if cut is None:
        return pd.DataFrame({"cut_s": []})
    if period is None:
        if start is not None or end is not None:
            raise ConfigError(
                "start and end pick periods, and no period was given",
                hint="add period='month' (or day, week, quarter, year), or use as_of",
            )
        return pd.DataFrame({"as_of": [cut], "cut_s": [_epoch(cut)]})
    calendar = Calendar(period, tz)
    first_day = (
        _date(start, "start")
        if start is not None
        else (calendar.local_date(_from_epoch(first)) if first is not None else None)
    )
    last_day = (
        _date(end, "end")
        if end is not None
        else calendar.local_date(cut - dt.timedelta(microseconds=1))
    )
    if first_day is None or first_day > last_day:
        return pd.DataFrame({"cut_s": []})
    starts = calendar.grid(first_day, last_day)
    ends = [calendar.next(s) for s in starts]
    instants = [calendar.instant(e) for e in ends]
    return pd.DataFrame(
        {
            "period_start": starts,
            "period_end": ends,
            "as_of": instants,
            "cut_s": [_epoch(i) for i in instants],
        }
    )


def _date(value: dt.date | str, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(
            f"{name} '{value}' is not a date", hint="use ISO 8601, e.g. 2024-01-01"
        ) from None


def _channel_groups(t: ir.Table) -> dict[str, list[str]]:
    """Output column -> the channel values it counts: the most frequent
    channels each get one, the rest share ``channel_rest``."""
    found = t.group_by("channel").aggregate(n=t.count()).to_pyarrow().to_pylist()
    found.sort(key=lambda r: (-r["n"], r["channel"]))
    groups: dict[str, list[str]] = {}
    for i, row in enumerate(found):
        name = _slug(row["channel"]) if i < _MAX_CHANNELS else "channel_rest"
        groups.setdefault(name, []).append(row["channel"])
    return groups


def _measures(
    j: ir.Table,
    *,
    channels: dict[str, list[str]],
    window_days: float | None,
    sla_fr: float,
    sla_res: float,
    bad_below: float,
) -> ir.Table:
    age = j.cut_s - j.created_s
    responded = j.response_s.notnull() & (j.response_s < j.cut_s)
    resolved = j.resolved_s.notnull() & (j.resolved_s < j.cut_s)
    is_open = ~resolved
    recent = ibis.literal(True) if window_days is None else age <= window_days * _DAY
    response_h = (j.response_s - j.created_s) / _HOUR
    resolution_h = (j.resolved_s - j.created_s) / _HOUR
    rated = recent & resolved & j.satisfaction.notnull()
    reopened = recent & resolved & (j.reopens.fill_null(0) > 0)
    fr_breach = recent & (
        (responded & (j.response_s - j.created_s > sla_fr))
        | (~responded & (age > sla_fr))
    )
    res_breach = recent & (
        (resolved & (j.resolved_s - j.created_s > sla_res))
        | (~resolved & (age > sla_res))
    )

    def only(condition: ir.BooleanValue, value: ir.NumericValue) -> ir.NumericValue:
        # The value or NULL, not ``where=``: Spark's percentile takes no filter.
        return condition.ifelse(value, ibis.null().cast("float64"))

    def count(condition: ir.BooleanValue) -> ir.IntegerValue:
        # CASE, not a cast: PostgreSQL casts booleans to int4 only.
        return condition.ifelse(1, 0).sum()

    return j.group_by("customer_id", "cut_no").aggregate(
        tickets_total=j.count(),
        tickets_30d=count(age <= 30 * _DAY),
        tickets_90d=count(age <= 90 * _DAY),
        responded_tickets=count(recent & responded),
        resolved_tickets=count(recent & resolved),
        reopened_tickets=count(reopened),
        open_tickets=count(is_open),
        rated_tickets=count(rated),
        bad_ratings=count(rated & (j.satisfaction < bad_below)),
        first_response_sla_breaches=count(fr_breach),
        resolution_sla_breaches=count(res_breach),
        first_response_hours_median=only(recent & responded, response_h).median(),
        first_response_hours_mean=only(recent & responded, response_h).mean(),
        resolution_hours_median=only(recent & resolved, resolution_h).median(),
        resolution_hours_mean=only(recent & resolved, resolution_h).mean(),
        oldest_open_days=only(is_open, age.cast("float64")).max() / _DAY,
        satisfaction_mean=only(rated, j.satisfaction).mean(),
        **{
            name: count(recent & j.channel.isin(values))
            for name, values in channels.items()
        },
    )


def _slug(channel: str) -> str:
    return "channel_" + (re.sub(r"[^0-9a-z]+", "_", channel.lower()).strip("_") or "x")


def _assemble(
    measures: pd.DataFrame,
    grid: pd.DataFrame,
    wanted: list[str] | None,
    period: str | None,
) -> pd.DataFrame:
    keys = ["customer_id", "cut_no"]
    if wanted is not None:
        full = pd.MultiIndex.from_product(
            [wanted, range(len(grid))], names=keys
        ).to_frame(index=False)
        measures = full.merge(measures, on=keys, how="left")
    channel_columns = sorted(c for c in measures.columns if c.startswith("channel_"))
    for column in (*COUNT_COLUMNS, *channel_columns):
        measures[column] = measures[column].fillna(0).astype("int64")
    for column in VALUE_COLUMNS:
        measures[column] = pd.to_numeric(measures[column]).astype("float64")
    lead = ["customer_id", "as_of"]
    if period is not None:
        lead = ["customer_id", "period_start", "period_end", "as_of"]
    table = measures.merge(
        grid.drop(columns="cut_s").reset_index(names="cut_no"), on="cut_no"
    )
    table["as_of"] = pd.to_datetime(table["as_of"]).astype("datetime64[us]")
    table["customer_id"] = table["customer_id"].astype(str)
    table = table.sort_values(["customer_id", "as_of"], kind="stable")
    columns = [*lead, *COUNT_COLUMNS, *VALUE_COLUMNS, *channel_columns]
    return table[columns].reset_index(drop=True)


def _empty(period: str | None) -> pd.DataFrame:
    lead = ["customer_id", "as_of"]
    if period is not None:
        lead = ["customer_id", "period_start", "period_end", "as_of"]
    frame = pd.DataFrame({c: [] for c in (*lead, *COUNT_COLUMNS, *VALUE_COLUMNS)})
    for column in COUNT_COLUMNS:
        frame[column] = frame[column].astype("int64")
    return frame
