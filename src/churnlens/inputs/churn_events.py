"""Churn events: an export with one row per departure (who, when, and perhaps a
reason code and feedback), applied to the subscriptions.

Some systems record a customer's leaving apart from the subscriptions: RavenStack
(``ravenstack_churn_events.csv``), a CRM's churn log. Where the subscriptions do
not end with it (RavenStack's accounts hold overlapping subscriptions that run
on after the account churned), churn measured from the subscriptions alone
misses it. The rule that joins the two:

* an event of customer ``c`` at instant ``d`` ends every subscription of ``c`` in
  force at ``d`` (started before ``d``, not ended before it): ``ended_at`` and
  ``canceled_at`` become ``d``, ``cancel_reason`` and ``cancel_feedback`` the
  event's;
* a subscription of ``c`` starting at or after ``d`` is a return;
* an event when ``c`` has no subscription in force (often: before their first)
  has nothing to end and is left out, counted in ``notes``.

>>> events = read_churn_events("events.csv", preset="ravenstack")  # doctest: +SKIP
>>> applied = apply_churn_events(subscriptions, events)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from churnlens.errors import ConfigError, SchemaError
from churnlens.inputs.plain_table import PlainTable, read_plain_table

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_PRESETS",
    "AppliedEvents",
    "ChurnEvents",
    "EventsFormat",
    "apply_churn_events",
    "read_churn_events",
]

EVENT_COLUMNS = ("customer_id", "canceled_at", "cancel_reason", "cancel_feedback")


@dataclass(frozen=True)
class EventsFormat:
    """How an export names the event columns (the first candidate present is
    used, ignoring case, spaces and punctuation) and which reason codes mean
    which stored code (lowercased keys; None: no reason given)."""

    name: str
    columns: Mapping[str, tuple[str, ...]]
    reasons: Mapping[str, str | None] = field(default_factory=dict)


# Names churn logs commonly use; the canonical ones first.
GENERIC = EventsFormat(
    "generic",
    columns={
        "customer_id": ("customer_id", "account_id", "customer", "account"),
        "canceled_at": (
            "canceled_at",
            "cancelled_at",
            "churned_at",
            "churn_date",
            "ended_at",
            "date",
        ),
        "cancel_reason": ("cancel_reason", "reason_code", "churn_reason", "reason"),
        "cancel_feedback": ("cancel_feedback", "feedback_text", "feedback", "comment"),
    },
)

# RavenStack (SOURCE.md of ravenstack_saas_synthetic): its six reason codes in
# the taxonomy of churnlens.explain.reasons. "budget" is a customer who cannot
# afford it, i.e. price; "unknown" is nobody having said, so the feedback text
# (or nothing) decides instead.
RAVENSTACK = EventsFormat(
    "ravenstack",
    columns={
        "customer_id": ("account_id",),
        "canceled_at": ("churn_date",),
        "cancel_reason": ("reason_code",),
        "cancel_feedback": ("feedback_text",),
    },
    reasons={
        "features": "missing_feature",
        "support": "poor_support",
        "budget": "price",
        "pricing": "price",
        "competitor": "switched_to_competitor",
        "unknown": None,
    },
)

EVENT_PRESETS: dict[str, EventsFormat] = {RAVENSTACK.name: RAVENSTACK}


@dataclass
class ChurnEvents:
    """Events with ``EVENT_COLUMNS`` (``canceled_at`` naive UTC), one per
    customer and instant; ``duplicates`` repeated ones were dropped."""

    frame: pd.DataFrame
    label: str | None = None
    duplicates: int = 0


@dataclass
class AppliedEvents:
    """The subscriptions with the events applied, and what happened to each."""

    subscriptions: pd.DataFrame
    n_events: int
    n_applied: int
    n_before_first: int
    n_changed: int
    notes: list[str] = field(default_factory=list)

    @property
    def n_left_out(self) -> int:
        return self.n_events - self.n_applied


def read_churn_events(
    source: Any,
    *,
    preset: str | EventsFormat | None = None,
    mapping: Mapping[str, str] | None = None,
    tz: str = "UTC",
) -> ChurnEvents:
    """Read a churn-events file (or table): ``customer_id`` and ``canceled_at``
    are required, ``cancel_reason`` and ``cancel_feedback`` optional. Columns are
    found by ``preset``'s names (``"ravenstack"``), else by common names
    (``account_id``, ``churn_date``, ``reason_code`` ...); ``mapping`` names
    them explicitly (``{"canceled_at": "left_on"}``)."""
    chosen = _format(preset)
    table = read_plain_table(source)
    columns = _columns(table, chosen, mapping or {})
    ids = table.text(columns["customer_id"])
    if ids.isna().any():
        raise table.error_at(
            columns["customer_id"],
            ids.isna(),
            "is not a customer: every event needs one",
            hint="fill in the customer or drop the row",
        )
    when = table.instants(columns["canceled_at"], tz=tz)
    if when.isna().any():
        raise table.error_at(
            columns["canceled_at"],
            when.isna(),
            "is not a date: every event needs one",
            hint="fill in the date of the departure or drop the row",
        )
    frame = pd.DataFrame({"customer_id": ids.astype("object"), "canceled_at": when})
    for name in ("cancel_reason", "cancel_feedback"):
        frame[name] = table.text(columns[name]) if name in columns else None
    if chosen.reasons:
        codes = frame["cancel_reason"].map(
            lambda v: v if v is None else chosen.reasons.get(v.lower(), v)
        )
        frame["cancel_reason"] = codes
    # The same departure twice says nothing more; the first row with a reason
    # is kept.
    said = frame["cancel_reason"].notna() | frame["cancel_feedback"].notna()
    frame = frame.assign(_said=~said).sort_values(
        ["customer_id", "canceled_at", "_said"], kind="stable"
    )
    unique = frame.drop_duplicates(["customer_id", "canceled_at"])
    unique = unique.drop(columns="_said").reset_index(drop=True)
    return ChurnEvents(unique, table.label, len(frame) - len(unique))


def apply_churn_events(subscriptions: Any, events: ChurnEvents) -> AppliedEvents:
    """End the subscriptions in force at each event (module docstring).

    ``subscriptions``: a table with ``customer_id``, ``started_at`` and
    ``ended_at`` (naive UTC, as the store holds them); other columns are kept.
    """
    subs = _frame(subscriptions)
    for name in ("canceled_at", "cancel_reason", "cancel_feedback"):
        if name not in subs.columns:
            subs[name] = pd.NaT if name == "canceled_at" else None
    ev = events.frame.rename(columns=lambda c: f"_event_{c}")
    ev["_event_at"] = ev["_event_canceled_at"].astype("datetime64[us]")
    ev["customer_id"] = ev["_event_customer_id"].astype("object")
    subs["_row"] = np.arange(len(subs))
    subs["customer_id"] = subs["customer_id"].astype("object")
    started = subs["started_at"].astype("datetime64[us]")
    # The first event after each subscription's start: the one that ends it,
    # if the subscription has not ended before.
    matched = (
        pd.merge_asof(
            subs[["_row", "customer_id"]].assign(_start=started).sort_values("_start"),
            ev.sort_values("_event_at"),
            left_on="_start",
            right_on="_event_at",
            by="customer_id",
            direction="forward",
            allow_exact_matches=False,
        )
        .set_index("_row")
        .sort_index()
    )
    ended = subs["ended_at"].astype("datetime64[us]")
    at = matched["_event_at"]
    hit = (at.notna() & (ended.isna() | (at <= ended))).to_numpy()
    out = subs.drop(columns="_row")
    out["ended_at"] = ended.where(~hit, at)
    out["canceled_at"] = out["canceled_at"].astype("datetime64[us]").where(~hit, at)
    for name in ("cancel_reason", "cancel_feedback"):
        out[name] = out[name].astype("object").where(~hit, matched[f"_event_{name}"])
    used = matched.loc[hit, ["customer_id", "_event_at"]].drop_duplicates()
    first = started.groupby(subs["customer_id"]).min()
    starts = ev["customer_id"].map(first)
    early = int((starts.isna() | (ev["_event_at"] <= starts)).sum())
    result = AppliedEvents(out, len(ev), len(used), early, int(hit.sum()))
    result.notes.append(_summary(result, events))
    return result


def _format(preset: str | EventsFormat | None) -> EventsFormat:
    if preset is None:
        return GENERIC
    if isinstance(preset, EventsFormat):
        return preset
    found = EVENT_PRESETS.get(str(preset).strip().lower())
    if found is None:
        raise ConfigError(
            f"unknown churn-events preset '{preset}'",
            hint=f"use one of: {', '.join(EVENT_PRESETS)}, or name the columns "
            "customer_id, canceled_at, cancel_reason, cancel_feedback",
        )
    return found


def _columns(
    table: PlainTable, chosen: EventsFormat, mapping: Mapping[str, str]
) -> dict[str, str]:
    by_squeezed = {_squeezed(c): c for c in reversed(table.columns)}
    found: dict[str, str] = {}
    for canonical, candidates in chosen.columns.items():
        if canonical in mapping:
            found[canonical] = table.find(mapping[canonical])
            continue
        for candidate in candidates:
            column = by_squeezed.get(_squeezed(candidate))
            if column is not None and column not in found.values():
                found[canonical] = column
                break
    for required in ("customer_id", "canceled_at"):
        if required not in found:
            names = ", ".join(chosen.columns[required])
            raise SchemaError(
                f"a churn-events table needs a column '{required}' (looked for: "
                f"{names}; columns found: {', '.join(table.columns)})",
                path=table.label,
                column=required,
                hint=f"rename the column, or use a preset: {', '.join(EVENT_PRESETS)}",
            )
    return found


def _frame(subscriptions: Any) -> pd.DataFrame:
    if isinstance(subscriptions, pd.DataFrame):
        frame = subscriptions.copy()
    elif isinstance(subscriptions, pa.Table) or hasattr(subscriptions, "to_pandas"):
        frame = subscriptions.to_pandas()
    else:
        raise TypeError(f"expected a table, got {type(subscriptions).__name__}")
    missing = [c for c in ("customer_id", "started_at", "ended_at") if c not in frame]
    if missing:
        raise ConfigError(
            f"the subscriptions lack {', '.join(missing)}",
            hint="pass the canonical subscriptions table (a store's, or read_table's)",
        )
    return frame.reset_index(drop=True)


def _summary(result: AppliedEvents, events: ChurnEvents) -> str:
    where = f"{events.label}: " if events.label else ""
    text = (
        f"{where}{result.n_applied:,} of {result.n_events:,} churn events ended "
        f"{result.n_changed:,} subscriptions"
    )
    if result.n_left_out:
        text += (
            f"; {result.n_left_out:,} fell when the customer had no subscription "
            f"in force ({result.n_before_first:,} before their first) and are "
            "left out"
        )
    if events.duplicates == 1:
        text += "; 1 repeated event was dropped"
    elif events.duplicates:
        text += f"; {events.duplicates:,} repeated events were dropped"
    return text


def _squeezed(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())
