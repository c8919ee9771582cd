"""Support covariates as step functions of time: the exact instants at which a
customer's support state changes, and the state from each of them on.

``support_measures`` reads the state at chosen cut instants; a model that only
sees it there holds a ticket that crossed seven days on Tuesday as "fine" until
the next cut, and its estimated effect comes out too small (the state is
misread for part of every period). Here every ticket contributes the instants
at which it enters and leaves each covariate, so a counting-process model can
cut its rows exactly there (docs/why.md, "Exact support covariates").

Definitions at an instant t (docs/support.md); W is ``window_days``:

- ``slow_first_response``: the mean first-response time of the tickets created
  in (t - W, t] and answered by t is above the SLA;
- ``low_satisfaction``: a rating below ``bad_rating_below`` given in (t - W, t]
  (ratings come with the resolution, so given = resolved);
- ``open_ticket_over_7d``: a ticket created 7 days or more before t and not
  resolved by t;
- ``sla_breach``: a ticket created in (t - W, t] whose first response took (or,
  still unanswered, has taken) longer than the SLA;
- ``reopened``: a ticket created in (t - W, t], resolved by t and reopened;
- ``log_tickets_90d``: log(1 + tickets created in (t - W, t]).

Each is a running count (or sum) of intervals ``[enter, leave)``, one per ticket,
so the whole table is one sort and one cumulative sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from churnlens.engines import EngineSpec
from churnlens.errors import ConfigError
from churnlens.metrics.support import ticket_times

__all__ = ["STEP_COVARIATES", "support_steps", "steps_from_tickets"]

STEP_COVARIATES = (
    "slow_first_response",
    "low_satisfaction",
    "open_ticket_over_7d",
    "sla_breach",
    "reopened",
    "log_tickets_90d",
)
_HOUR, _DAY = 3_600, 86_400
_OPEN_DAYS = 7
# Running sums behind the covariates; slow_first_response needs two (the summed
# excess over the SLA and the number of answered tickets).
_SUMS = {
    "slow_first_response": ("wait_excess", "answered"),
    "low_satisfaction": ("bad_ratings",),
    "open_ticket_over_7d": ("overdue",),
    "sla_breach": ("breaches",),
    "reopened": ("reopens",),
    "log_tickets_90d": ("tickets",),
}


def support_steps(
    data: Any,
    *,
    covariates: Sequence[str] = STEP_COVARIATES,
    sla_first_response_hours: float = 24.0,
    window_days: float = 90.0,
    bad_rating_below: float = 3.0,
    tz: str = "UTC",
    engine: EngineSpec = None,
) -> pd.DataFrame:
    """Columns ``customer_id``, ``at`` (naive UTC) and one per covariate: the
    values from ``at`` until the customer's next row, which is where one of them
    next changes. Before a customer's first row every covariate is 0.

    ``data`` is whatever ``support_measures`` takes (a store, a tickets file or
    table).

    >>> support_steps("churnlens.duckdb").head()  # doctest: +SKIP
    """
    return steps_from_tickets(
        ticket_times(data, engine=engine, tz=tz),
        covariates=covariates,
        sla_first_response_hours=sla_first_response_hours,
        window_days=window_days,
        bad_rating_below=bad_rating_below,
    )


def steps_from_tickets(
    tickets: pd.DataFrame,
    *,
    covariates: Sequence[str] = STEP_COVARIATES,
    sla_first_response_hours: float = 24.0,
    window_days: float = 90.0,
    bad_rating_below: float = 3.0,
) -> pd.DataFrame:
    """``support_steps`` from ``ticket_times``' frame (epoch seconds)."""
    chosen = list(dict.fromkeys(covariates))
    unknown = [c for c in chosen if c not in STEP_COVARIATES]
    if unknown:
        raise ConfigError(
            f"no step function for {', '.join(unknown)}",
            hint=f"use some of: {', '.join(STEP_COVARIATES)}",
        )
    if not window_days > 0 or not sla_first_response_hours >= 0:
        raise ConfigError(
            "window_days must be > 0 and sla_first_response_hours >= 0",
            hint="e.g. window_days=90, sla_first_response_hours=24",
        )
    sums = [s for c in chosen for s in _SUMS[c]]
    intervals = _intervals(
        tickets,
        sums,
        sla=sla_first_response_hours * _HOUR,
        window=window_days * _DAY,
        bad_below=bad_rating_below,
    )
    return _running(intervals, sums, chosen)


def _intervals(
    t: pd.DataFrame, sums: list[str], *, sla: float, window: float, bad_below: float
) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per running sum: (sum name, customer, enter, leave, amount), one interval
    per ticket that has one; ``leave`` is inf for intervals that never end."""
    customer = t["customer_id"].to_numpy(dtype=object)
    created = t["created_s"].to_numpy("float64")
    response = t["response_s"].to_numpy("float64")
    resolved = t["resolved_s"].to_numpy("float64")
    rating = t["satisfaction"].to_numpy("float64")
    reopens = t["reopens"].to_numpy("float64")
    expires = created + window  # the ticket leaves the window
    wait = response - created  # NaN: not answered
    was_resolved = ~np.isnan(resolved)
    answered = response < expires  # NaN compares False
    overdue = created + _OPEN_DAYS * _DAY
    one = np.ones(len(t))
    specs = {
        "wait_excess": (answered, response, expires, wait - sla),
        "answered": (answered, response, expires, one),
        "bad_ratings": (
            (rating < bad_below) & was_resolved,
            resolved,
            resolved + window,
            one,
        ),
        # Open from its seventh day until resolved (never, while unresolved).
        "overdue": (
            ~(resolved <= overdue),
            overdue,
            np.where(was_resolved, resolved, np.inf),
            one,
        ),
        # A late (or missing) first response is a breach from the SLA's end.
        "breaches": (~(wait <= sla), created + sla, expires, one),
        "reopens": ((reopens > 0) & was_resolved, resolved, expires, one),
        "tickets": (one > 0, created, expires, one),
    }
    out = []
    for name in sums:
        keep, enter, leave, amount = specs[name]
        keep = keep & (enter < leave)
        out.append((name, customer[keep], enter[keep], leave[keep], amount[keep]))
    return out


def _running(intervals: list, sums: list[str], chosen: list[str]) -> pd.DataFrame:
    """One row per customer and change instant, with the covariates after it."""
    column = {name: k for k, name in enumerate(sums)}
    customers, times, deltas = [], [], []
    for name, customer, enter, leave, amount in intervals:
        ends = np.isfinite(leave)
        sides = (
            (enter, amount, customer),
            (leave[ends], -amount[ends], customer[ends]),
        )
        for at, signed, rows in sides:
            delta = np.zeros((len(at), len(sums)))
            delta[:, column[name]] = signed
            customers.append(rows)
            times.append(at)
            deltas.append(delta)
    if sum(len(c) for c in customers) == 0:
        return _empty(chosen)
    customer = np.concatenate(customers).astype(str)
    time = np.concatenate(times)
    delta = np.concatenate(deltas)
    order = np.lexsort((time, customer))
    customer, time, delta = customer[order], time[order], delta[order]
    totals = np.cumsum(delta, axis=0)
    starts = np.r_[True, customer[1:] != customer[:-1]]
    first = np.flatnonzero(starts)
    totals -= (totals[first] - delta[first])[np.cumsum(starts) - 1]
    # The state after the last change at each instant.
    last = np.r_[(customer[1:] != customer[:-1]) | (time[1:] != time[:-1]), True]
    totals, customer, time = totals[last], customer[last], time[last]
    frame = pd.DataFrame({"customer_id": customer})
    frame["at"] = pd.to_datetime(time, unit="s").astype("datetime64[us]")
    for name in chosen:
        frame[name] = _value(name, {s: totals[:, k] for s, k in column.items()})
    return _changes_only(frame, chosen)


def _changes_only(frame: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """Rows where some covariate takes a new value: a second ticket crossing
    seven days while the first is still open changes a count, not the state."""
    values = frame[chosen].to_numpy()
    customer = frame["customer_id"].to_numpy()
    new_customer = np.r_[True, customer[1:] != customer[:-1]]
    previous = np.vstack([np.zeros((1, len(chosen))), values[:-1]])
    previous[new_customer] = 0.0  # every covariate is 0 before the first ticket
    moved = (values != previous).any(axis=1)
    return frame[moved].reset_index(drop=True)


def _value(name: str, s: dict[str, np.ndarray]) -> np.ndarray:
    # Running sums of whole counts drift by float rounding: round them back.
    if name == "slow_first_response":
        # mean(wait) > SLA  <=>  sum(wait - SLA) > 0 over >= 1 answered ticket;
        # the sum is in seconds, so a margin far below one keeps rounding out.
        slow = (np.rint(s["answered"]) > 0) & (s["wait_excess"] > 1e-6)
        return slow.astype("float64")
    if name == "log_tickets_90d":
        return np.log1p(np.maximum(np.rint(s["tickets"]), 0))
    return (np.rint(s[_SUMS[name][0]]) > 0).astype("float64")


def _empty(chosen: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"customer_id": pd.Series(dtype="object")})
    frame["at"] = pd.Series(dtype="datetime64[us]")
    for name in chosen:
        frame[name] = pd.Series(dtype="float64")
    return frame
