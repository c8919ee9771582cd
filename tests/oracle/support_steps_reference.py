"""A deliberately naive reference for the support covariates as step functions
(docs/why.md, "Exact support covariates").

No churnlens code: at one instant ``t`` it walks over a customer's tickets and
applies each definition as worded. Tickets are dicts with ``created_at`` and
optional ``first_response_at``, ``resolved_at``, ``satisfaction``, ``reopens``
(naive UTC datetimes). ``t`` should not coincide with a ticket event: the
reference says nothing about which side of a jump an instant belongs to.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

__all__ = ["reference_steps"]


def reference_steps(
    tickets: list[dict[str, Any]],
    t: datetime,
    *,
    window_days: float = 90,
    sla_first_response_hours: float = 24,
    bad_rating_below: float = 3,
) -> dict[str, float]:
    window = timedelta(days=window_days)
    sla = timedelta(hours=sla_first_response_hours)
    waits_hours = []
    low = overdue = breached = reopened = recent = 0
    for ticket in tickets:
        created = ticket["created_at"]
        response = ticket.get("first_response_at")
        resolved = ticket.get("resolved_at")
        rating = ticket.get("satisfaction")
        in_window = t - window < created <= t
        if in_window:
            recent += 1
            if response is not None and response <= t:
                waits_hours.append((response - created).total_seconds() / 3600)
            late = response is None or response - created > sla
            if late and t - created >= sla:
                breached += 1
            if (ticket.get("reopens") or 0) > 0 and resolved is not None:
                reopened += resolved <= t
        if (
            rating is not None
            and rating < bad_rating_below
            and resolved is not None
            and t - window < resolved <= t
        ):
            low += 1
        if created + timedelta(days=7) <= t and (resolved is None or resolved > t):
            overdue += 1
    slow = bool(waits_hours) and sum(waits_hours) / len(waits_hours) > (
        sla_first_response_hours
    )
    return {
        "slow_first_response": float(slow),
        "low_satisfaction": float(low > 0),
        "open_ticket_over_7d": float(overdue > 0),
        "sla_breach": float(breached > 0),
        "reopened": float(reopened > 0),
        "log_tickets_90d": math.log1p(recent),
    }
