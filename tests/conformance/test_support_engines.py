"""support_measures computes the same table on every engine as the oracle."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from churnlens.metrics.support import support_measures
from oracle.support_reference import reference_support

T0 = datetime(2024, 1, 1)


def _rows() -> list[dict[str, Any]]:
    """Awkward on purpose: events exactly at the cut, an even count for the
    median, a ticket resolved after the cut, a missing channel."""
    h = lambda n: T0 + timedelta(hours=n)  # noqa: E731
    return [
        dict(
            customer_id="a",
            created_at=h(0),
            first_response_at=h(3),
            resolved_at=h(30),
            satisfaction=5.0,
            reopens="1",
            channel="email",
        ),
        dict(
            customer_id="a",
            created_at=h(10),
            first_response_at=h(11),
            resolved_at=h(40),
            satisfaction=2.0,
            reopens="two",
            channel="Chat",
        ),
        dict(
            customer_id="a",
            created_at=h(50),
            first_response_at=h(75),
            resolved_at=None,
            satisfaction=None,
            reopens=None,
            channel="email",
        ),
        dict(
            customer_id="b",
            created_at=h(20),
            first_response_at=h(72),
            resolved_at=h(72),
            satisfaction=1.0,
            reopens="2",
            channel=None,
        ),
        dict(
            customer_id="b",
            created_at=h(71),
            first_response_at=None,
            resolved_at=None,
            satisfaction=None,
            reopens=None,
            channel="phone",
        ),
        dict(
            customer_id="c",
            created_at=h(72),
            first_response_at=h(73),
            resolved_at=h(74),
            satisfaction=4.0,
            reopens="0",
            channel="web",
        ),
    ]


def test_every_engine_agrees_with_the_oracle(engine: Any) -> None:
    rows = _rows()
    frame = pd.DataFrame(rows)
    cut = T0 + timedelta(hours=72)
    actual = support_measures(
        frame, as_of=cut, engine=engine, sla_first_response_hours=4
    ).set_index("customer_id")
    expected = reference_support(rows, cut, sla_first_response_hours=4)
    assert sorted(actual.index) == sorted(expected)
    for customer, want in expected.items():
        for name, value in want.items():
            got = actual.loc[customer]
            if name == "channels":
                assert {
                    c[len("channel_") :]: int(got[c])
                    for c in actual.columns
                    if c.startswith("channel_") and got[c]
                } == value
            elif value is None:
                assert math.isnan(got[name]), (customer, name)
            else:
                assert got[name] == pytest.approx(value, rel=1e-9), (customer, name)


def test_period_rows_are_the_same_on_every_engine(engine: Any) -> None:
    frame = pd.DataFrame(_rows())
    here = support_measures(frame, period="day")
    there = support_measures(frame, period="day", engine=engine)
    pd.testing.assert_frame_equal(here, there, check_exact=False, rtol=1e-12)
