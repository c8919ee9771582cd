"""The price list over time and the mrr a customer pays for a plan."""

from __future__ import annotations

import numpy as np

from churnlens.demo import _params as p
from churnlens.demo._clock import Calendar
from churnlens.demo._customers import Customers

_ENTERPRISE = p.PLANS.index("enterprise")
_STARTER = p.PLANS.index("starter")
_BASE = np.array([p.LIST_PRICE[c] for c in p.CURRENCIES], dtype=np.float64)
_MIN_SEATS = np.array(p.MIN_SEATS)


def price_change_times(cal: Calendar) -> list[int]:
    """The instants at which each of ``PRICE_CHANGES`` takes effect."""
    return [cal.month_offset(months) for months, _ in p.PRICE_CHANGES]


def list_mrr(
    customers: Customers,
    customer: np.ndarray,
    plan: np.ndarray,
    annual: np.ndarray,
    at: np.ndarray,
    cal: Calendar,
) -> np.ndarray:
    """The monthly amount, in cents-rounded currency units, at list price at ``at``.

    Starter is a flat price; the other plans are per seat (at least the plan's
    minimum). An annual plan is billed ten months a year, so its mrr is 10/12 of
    the monthly price.
    """
    multiplier = np.ones(len(customer))
    for change_at, (_, factors) in zip(
        price_change_times(cal), p.PRICE_CHANGES, strict=True
    ):
        multiplier *= np.where(at >= change_at, np.array(factors)[plan], 1.0)
    seats = np.maximum(customers.seats[customer], _MIN_SEATS[plan])
    amount = _BASE[customers.currency[customer], plan] * multiplier
    amount *= np.where(plan == _STARTER, 1, seats)
    amount *= np.where(plan == _ENTERPRISE, 1 - customers.discount[customer], 1.0)
    amount *= np.where(annual, p.ANNUAL_MONTHS_CHARGED / 12, 1.0)
    return np.round(amount, 2)
