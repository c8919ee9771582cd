"""A deliberately naive reference for the support measures (docs/support.md).

No churnlens code: for one cut instant ``t`` it walks over every ticket of every
customer and applies the definitions as they are worded. A ticket is a dict with
``customer_id``, ``created_at`` and optional ``first_response_at``,
``resolved_at``, ``satisfaction``, ``reopens`` and ``channel`` (naive UTC
datetimes, whole seconds).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

__all__ = ["reference_support"]


def _hours(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def reference_support(
    tickets: Iterable[dict[str, Any]],
    cut: datetime,
    *,
    window_days: float | None = None,
    sla_first_response_hours: float = 24.0,
    sla_resolution_hours: float = 72.0,
    bad_rating_below: float = 3.0,
) -> dict[str, dict[str, Any]]:
    """customer_id -> measures at ``cut``, for customers with a ticket before it."""
    by_customer: dict[str, list[dict[str, Any]]] = {}
    for ticket in tickets:
        if ticket["created_at"] < cut:
            by_customer.setdefault(ticket["customer_id"], []).append(ticket)
    result = {}
    for customer, own in by_customer.items():
        row: dict[str, Any] = {
            "tickets_total": 0,
            "tickets_30d": 0,
            "tickets_90d": 0,
            "responded_tickets": 0,
            "resolved_tickets": 0,
            "reopened_tickets": 0,
            "open_tickets": 0,
            "rated_tickets": 0,
            "bad_ratings": 0,
            "first_response_sla_breaches": 0,
            "resolution_sla_breaches": 0,
            "channels": {},
        }
        responses, resolutions, ratings, open_ages = [], [], [], []
        for ticket in own:
            created = ticket["created_at"]
            response = ticket.get("first_response_at")
            resolved = ticket.get("resolved_at")
            age = cut - created
            row["tickets_total"] += 1
            if age <= timedelta(days=30):
                row["tickets_30d"] += 1
            if age <= timedelta(days=90):
                row["tickets_90d"] += 1
            is_resolved = resolved is not None and resolved < cut
            is_responded = response is not None and response < cut
            if not is_resolved:
                row["open_tickets"] += 1
                open_ages.append(age.total_seconds() / 86400)
            if window_days is not None and age > timedelta(days=window_days):
                continue
            channel = ticket.get("channel")
            channel = "unknown" if channel is None else channel.strip().lower()
            row["channels"][channel] = row["channels"].get(channel, 0) + 1
            if is_responded:
                row["responded_tickets"] += 1
                responses.append(_hours(response, created))
                if _hours(response, created) > sla_first_response_hours:
                    row["first_response_sla_breaches"] += 1
            elif _hours(cut, created) > sla_first_response_hours:
                row["first_response_sla_breaches"] += 1
            if is_resolved:
                row["resolved_tickets"] += 1
                resolutions.append(_hours(resolved, created))
                if _hours(resolved, created) > sla_resolution_hours:
                    row["resolution_sla_breaches"] += 1
                # text in a store ("2"); text that is not a count counts nothing
                reopens = str(ticket.get("reopens") or "").strip()
                if reopens.isdigit() and int(reopens) > 0:
                    row["reopened_tickets"] += 1
                rating = ticket.get("satisfaction")
                if rating is not None:
                    row["rated_tickets"] += 1
                    ratings.append(rating)
                    if rating < bad_rating_below:
                        row["bad_ratings"] += 1
            elif _hours(cut, created) > sla_resolution_hours:
                row["resolution_sla_breaches"] += 1
        row["first_response_hours_median"] = (
            statistics.median(responses) if responses else None
        )
        row["first_response_hours_mean"] = (
            statistics.fmean(responses) if responses else None
        )
        row["resolution_hours_median"] = (
            statistics.median(resolutions) if resolutions else None
        )
        row["resolution_hours_mean"] = (
            statistics.fmean(resolutions) if resolutions else None
        )
        row["oldest_open_days"] = max(open_ages) if open_ages else None
        row["satisfaction_mean"] = statistics.fmean(ratings) if ratings else None
        result[customer] = row
    return result
