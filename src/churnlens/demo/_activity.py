"""Product usage as weekly counts per customer and event.

Usage scales with seats and a customer's engagement and is noisy week to week.
Most customers who ask to cancel have been fading for a few weeks before they ask
(the signal a risk model should pick up); after the request usage drops further.
Each row sums one ISO week (Monday 00:00 UTC), stamped at the week's start or at
the spell's start, whichever is later, so no activity precedes a subscription.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from churnlens.demo import _params as p
from churnlens.demo._clock import Calendar, week_index
from churnlens.demo._customers import Customers
from churnlens.demo._simulation import Outcomes

_FIRST_MONDAY = 4 * p.DAY  # 1970-01-05, the origin of week_index
WEEKLY_NOISE_SHAPE = 6.0  # gamma noise on each customer-week, mean 1


@dataclass(frozen=True)
class Activity:
    customer: np.ndarray
    occurred_at: np.ndarray
    event: np.ndarray  # index into EVENTS
    quantity: np.ndarray


def weekly_activity(
    outcomes: Outcomes, customers: Customers, cal: Calendar, rng: np.random.Generator
) -> Activity:
    stop = np.minimum(outcomes.ended, cal.data_end)
    spell = np.flatnonzero(stop > outcomes.start)
    first = week_index(outcomes.start[spell])
    n_weeks = week_index(stop[spell] - 1) - first + 1
    row_spell = np.repeat(spell, n_weeks)
    offsets = np.arange(len(row_spell)) - np.repeat(
        np.cumsum(n_weeks) - n_weeks, n_weeks
    )
    week_start = _FIRST_MONDAY + (np.repeat(first, n_weeks) + offsets) * p.WEEK
    lo = np.maximum(week_start, outcomes.start[row_spell])
    hi = np.minimum(week_start + p.WEEK, stop[row_spell])
    level = (
        (hi - lo)
        / p.WEEK
        * _intent_level(outcomes, row_spell, (lo + hi) // 2, rng)
        * rng.gamma(WEEKLY_NOISE_SHAPE, 1 / WEEKLY_NOISE_SHAPE, len(row_spell))
    )
    customer = outcomes.customer[row_spell]
    per_user = np.array(p.WEEKLY_PER_USER)
    parts = []
    for e, name in enumerate(p.EVENTS):
        if name == "api_call":
            scale = np.full(len(customer), p.API_CALLS_PER_WEEK)
        else:
            scale = per_user[e] * customers.seats[customer]
        expected = scale * customers.engagement[customer] * level
        count = rng.poisson(expected * customers.adopted[customer, e])
        rows = np.flatnonzero(count > 0)
        parts.append((rows, np.full(len(rows), e), count[rows]))
    rows = np.concatenate([r for r, _, _ in parts])
    event = np.concatenate([e for _, e, _ in parts])
    order = np.lexsort((event, rows))
    return Activity(
        customer=customer[rows][order],
        occurred_at=lo[rows][order],
        event=event[order],
        quantity=np.concatenate([q for _, _, q in parts])[order],
    )


def _intent_level(
    outcomes: Outcomes, row_spell: np.ndarray, at: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Usage relative to normal: fading before a request, low after it."""
    n = len(outcomes.customer)
    asked = outcomes.canceled < p.NEVER
    decliner = asked & (rng.random(n) < p.DECLINER_P)
    lead_weeks = rng.uniform(*p.DECLINE_WEEKS, size=n)
    canceled = outcomes.canceled[row_spell]
    fade_start = canceled - (lead_weeks * p.WEEK).astype(np.int64)[row_spell]
    progress = np.clip((at - fade_start) / np.maximum(canceled - fade_start, 1), 0, 1)
    fading = decliner[row_spell]
    level = np.where(fading, 1 - (1 - p.DECLINE_FLOOR) * progress, 1.0)
    after_factor = np.where(fading, p.AFTER_CANCEL_FACTOR[0], p.AFTER_CANCEL_FACTOR[1])
    return np.where(at >= canceled, level * after_factor, level)
