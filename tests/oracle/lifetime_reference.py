"""A deliberately naive reference for customer lifetimes (docs/survival.md).

It shares no code with ``churnlens``: for each customer it sorts their
subscriptions, merges them into spells by hand (touching or overlapping ones join;
with a grace period, a gap shorter than the grace joins too) and measures each
chosen spell against the data end, one customer at a time, in plain Python.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["reference_lifetimes"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _whole_seconds(value: datetime) -> int:
    """Seconds since the epoch, truncated (floored) to a whole second."""
    delta = _aware(value) - _EPOCH
    return delta.days * 86400 + delta.seconds


def _spells(rows: list[dict], grace: timedelta) -> list[tuple[datetime, Any]]:
    """Merged (start, end) spells of one customer; end None while open."""
    positive = [
        (
            _aware(r["started_at"]),
            None if r["ended_at"] is None else _aware(r["ended_at"]),
        )
        for r in rows
        if r["ended_at"] is None or _aware(r["ended_at"]) > _aware(r["started_at"])
    ]
    positive.sort(key=lambda p: (p[0], p[1] is None, p[1]))
    spells: list[list[Any]] = []
    for start, end in positive:
        if spells:
            last_end = spells[-1][1]
            if last_end is None:
                joins = True
            elif grace > timedelta(0):
                joins = start < last_end + grace
            else:
                joins = start <= last_end
            if joins:
                if last_end is not None and (end is None or end > last_end):
                    spells[-1][1] = end
                continue
        spells.append([start, end])
    return [(s, e) for s, e in spells]


def reference_lifetimes(
    subscriptions: list[dict],
    *,
    grace_days: float = 0,
    now: datetime,
    spell: str = "first",
    segment_of: dict[str, Any] | None = None,
) -> dict[tuple[Any, int], list[int]]:
    """{(segment, duration in days): [n_events, n_censored]}.

    ``segment_of`` maps customer ids to segments (a customer missing there has
    the segment None); without it every lifetime has the segment None.
    """
    instants = [_aware(s["started_at"]) for s in subscriptions] + [
        _aware(s["ended_at"]) for s in subscriptions if s["ended_at"] is not None
    ]
    if not instants:
        return {}
    data_end = min(max(instants), _aware(now))
    by_customer: dict[str, list[dict]] = defaultdict(list)
    for row in subscriptions:
        by_customer[row["customer_id"]].append(row)
    counts: dict[tuple[Any, int], list[int]] = defaultdict(lambda: [0, 0])
    grace = timedelta(days=grace_days)
    for customer, rows in by_customer.items():
        spells = _spells(rows, grace)
        if spell == "first":
            spells = spells[:1]
        segment = (segment_of or {}).get(customer)
        for start, end in spells:
            if start >= data_end:
                continue
            churned = end is not None and end <= data_end
            stop = end if churned else data_end
            seconds = _whole_seconds(stop) - _whole_seconds(start)
            days = math.floor(seconds / 86400)
            counts[(segment, days)][0 if churned else 1] += 1
    return dict(counts)
