from __future__ import annotations

import pytest

from churnlens.errors import ConfigError
from churnlens.metrics.calculator import churn_from_counts


def test_churn_from_lost_customers() -> None:
    result = churn_from_counts(1000, lost=200)
    assert result.churn_rate == pytest.approx(0.2)
    text = result.explain()
    assert "Churn rate: 20.0%" in text
    assert "200 of 1,000" in text


def test_net_change_is_named_and_bounds_churn() -> None:
    result = churn_from_counts(1000, customers_end=200)
    assert result.net_change_rate == pytest.approx(-0.8)
    assert result.churn_rate is None
    assert result.churn_rate_at_least == pytest.approx(0.8)
    text = result.explain()
    assert "Net change: -80.0%" in text
    assert "not the churn rate" in text
    assert "at least 80.0%" in text


def test_growth_cannot_bound_churn() -> None:
    text = churn_from_counts(100, customers_end=150).explain()
    assert "+50.0%" in text
    assert "cannot be bounded" in text


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"customers_start": 0, "lost": 0}, "must be positive"),
        ({"customers_start": 10, "lost": 11}, "between 0 and the 10 at the start"),
        ({"customers_start": 10, "customers_end": -1}, "cannot be negative"),
    ],
)
def test_bad_counts_are_refused(kwargs: dict, match: str) -> None:
    start = kwargs.pop("customers_start")
    with pytest.raises(ConfigError, match=match):
        churn_from_counts(start, **kwargs)
