"""Churn from two head counts: the back-of-the-envelope calculator.

Many glossaries compute churn as (start - end) / start. That is the net change in
head count: customers who join during the period hide the ones who leave. With
only the two head counts the churn rate is unknown; the calculator says what can
be said (a lower bound) and names the figure for what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from churnlens.errors import ConfigError
from churnlens.metrics._intervals import wilson_interval

__all__ = ["CountsResult", "churn_from_counts"]


@dataclass(frozen=True)
class CountsResult:
    customers_start: int
    lost: int | None = None
    customers_end: int | None = None

    @property
    def churn_rate(self) -> float | None:
        if self.lost is None:
            return None
        return self.lost / self.customers_start

    @property
    def net_change_rate(self) -> float | None:
        if self.customers_end is None:
            return None
        return (self.customers_end - self.customers_start) / self.customers_start

    @property
    def churn_rate_at_least(self) -> float | None:
        """Lower bound on churn from head counts: every net loss is a lost customer."""
        if self.customers_end is None:
            return None
        return max(self.customers_start - self.customers_end, 0) / self.customers_start

    def explain(self) -> str:
        if self.lost is not None:
            low, high = wilson_interval(
                np.array([self.lost]), np.array([self.customers_start])
            )
            return (
                f"Churn rate: {self.churn_rate:.1%} "
                f"({self.lost:,} of {self.customers_start:,} customers lost)\n"
                f"95% interval (Wilson): {low[0]:.1%} to {high[0]:.1%}\n"
            )
        assert self.customers_end is not None and self.net_change_rate is not None
        text = (
            f"Net change: {self.net_change_rate:+.1%} "
            f"(from {self.customers_start:,} to {self.customers_end:,} customers)\n"
            "This is not the churn rate: (start - end) / start nets the customers who "
            "joined against those who left, so new customers hide losses.\n"
        )
        if self.customers_end < self.customers_start:
            text += (
                f"At least {self.customers_start - self.customers_end:,} customers "
                f"were lost, so churn was at least {self.churn_rate_at_least:.1%}; "
                "more if anyone joined.\n"
            )
        else:
            text += (
                "The head count did not fall, so the churn rate cannot be bounded.\n"
            )
        return text + "For the churn rate, give the number lost: --lost N.\n"


def churn_from_counts(
    customers_start: int, *, lost: int | None = None, customers_end: int | None = None
) -> CountsResult:
    """Churn (with ``lost``) or net change (with ``customers_end``) from head counts.

    >>> churn_from_counts(1000, lost=200).churn_rate
    0.2
    """
    if customers_start <= 0:
        raise ConfigError(
            f"customers at the start must be positive, got {customers_start}"
        )
    if lost is not None and not 0 <= lost <= customers_start:
        raise ConfigError(
            f"lost customers ({lost}) must be between 0 and the "
            f"{customers_start} at the start",
            hint="only customers present at the start can be lost",
        )
    if customers_end is not None and customers_end < 0:
        raise ConfigError(
            f"customers at the end cannot be negative, got {customers_end}"
        )
    return CountsResult(customers_start, lost, customers_end)
