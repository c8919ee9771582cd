"""support_measures pinned to the naive oracle, and its point-in-time property."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from churnlens.metrics.support import support_measures
from oracle.support_reference import reference_support

BASE = datetime(2024, 1, 1)
CUSTOMERS = ("a", "b", "c")
CHANNELS = (None, "email", "Chat", "phone")
MEASURES = (
    "tickets_total",
    "tickets_30d",
    "tickets_90d",
    "responded_tickets",
    "resolved_tickets",
    "reopened_tickets",
    "open_tickets",
    "rated_tickets",
    "bad_ratings",
    "first_response_sla_breaches",
    "resolution_sla_breaches",
    "first_response_hours_median",
    "first_response_hours_mean",
    "resolution_hours_median",
    "resolution_hours_mean",
    "oldest_open_days",
    "satisfaction_mean",
)


@st.composite
def tickets(draw: Any) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 14))
    rows = []
    for i in range(n):
        # Whole hours keep boundary cases (an event exactly at the cut) likely.
        created = BASE + timedelta(hours=draw(st.integers(0, 24 * 150)))
        response = draw(st.none() | st.integers(0, 24 * 10))
        resolved = draw(st.none() | st.integers(0, 24 * 40))
        rows.append(
            {
                "ticket_id": f"t{i}",
                "customer_id": draw(st.sampled_from(CUSTOMERS)),
                "created_at": created,
                "first_response_at": None
                if response is None
                else created + timedelta(hours=response),
                "resolved_at": None
                if resolved is None
                else created + timedelta(hours=resolved),
                "satisfaction": draw(st.none() | st.sampled_from([1.0, 2.0, 3.0, 5.0])),
                "reopens": draw(st.sampled_from([None, 0, 1, 2])),
                "channel": draw(st.sampled_from(CHANNELS)),
            }
        )
    return rows


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    for c in ("created_at", "first_response_at", "resolved_at"):
        out[c] = pd.to_datetime(out[c])
    out["reopens"] = out["reopens"].astype("Int64").astype("string")
    return out


def assert_matches(actual: pd.DataFrame, expected: dict[str, dict[str, Any]]) -> None:
    assert sorted(actual["customer_id"]) == sorted(expected)
    for _, row in actual.iterrows():
        want = expected[row["customer_id"]]
        for name in MEASURES:
            got, exp = row[name], want[name]
            if exp is None:
                assert math.isnan(got), (name, row["customer_id"], got)
            else:
                assert got == pytest.approx(exp, rel=1e-9, abs=1e-9), (
                    name,
                    row["customer_id"],
                    got,
                    exp,
                )
        channels = {
            c[len("channel_") :]: int(row[c])
            for c in actual.columns
            if c.startswith("channel_") and row[c]
        }
        assert channels == want["channels"]


OPTIONS = st.fixed_dictionaries(
    {
        "window_days": st.sampled_from([None, 7, 45]),
        "sla_first_response_hours": st.sampled_from([1.0, 24.0]),
        "sla_resolution_hours": st.sampled_from([5.0, 72.0]),
        "bad_rating_below": st.sampled_from([3.0, 5.0]),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=tickets(), cut_hours=st.integers(0, 24 * 160), options=OPTIONS)
def test_as_of_matches_the_oracle(rows, cut_hours, options):
    cut = BASE + timedelta(hours=cut_hours)
    actual = support_measures(frame(rows), as_of=cut, **options)
    assert_matches(actual, reference_support(rows, cut, **options))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=tickets(), period=st.sampled_from(["week", "month"]))
def test_each_period_end_matches_the_oracle(rows, period):
    actual = support_measures(frame(rows), period=period)
    assert len(actual)
    for as_of, part in actual.groupby("as_of"):
        cut = pd.Timestamp(as_of).to_pydatetime()
        assert_matches(part, reference_support(rows, cut))
    # one row per customer and period end from the customer's first ticket on
    for customer, part in actual.groupby("customer_id"):
        first = min(r["created_at"] for r in rows if r["customer_id"] == customer)
        assert part["as_of"].min() > first
        assert part["as_of"].is_monotonic_increasing


@st.composite
def later_changes(draw: Any, rows: list[dict[str, Any]], cut: datetime) -> list:
    """``rows`` with everything at or after ``cut`` changed: new tickets, and the
    later responses, resolutions and what comes with a resolution."""
    changed = []
    for row in rows:
        row = dict(row)
        for name in ("first_response_at", "resolved_at"):
            if row[name] is not None and row[name] >= cut:
                row[name] = draw(st.sampled_from([None, cut, cut + timedelta(days=3)]))
        if row["resolved_at"] is None or row["resolved_at"] >= cut:
            row["satisfaction"] = draw(st.none() | st.sampled_from([1.0, 4.0]))
            row["reopens"] = draw(st.sampled_from([None, 0, 5]))
        if row["created_at"] >= cut:
            row["created_at"] = cut + timedelta(hours=draw(st.integers(0, 100)))
        changed.append(row)
    for i in range(draw(st.integers(0, 3))):
        changed.append(
            {
                "ticket_id": f"late{i}",
                "customer_id": draw(st.sampled_from(CUSTOMERS)),
                "created_at": cut + timedelta(hours=draw(st.integers(0, 100))),
                "first_response_at": None,
                "resolved_at": None,
                "satisfaction": None,
                "reopens": None,
                "channel": "email",
            }
        )
    return changed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rows=tickets(), cut_hours=st.integers(0, 24 * 160))
def test_nothing_after_as_of_changes_the_values(data, rows, cut_hours):
    cut = BASE + timedelta(hours=cut_hours)
    changed = data.draw(later_changes(rows, cut))
    before = support_measures(frame(rows), as_of=cut)
    after = support_measures(frame(changed), as_of=cut)
    # A channel first seen after the cut adds a column of zeros, nothing more.
    channels = sorted({c for c in (*before.columns, *after.columns) if "channel_" in c})
    columns = [*before.columns[:2], *MEASURES, *channels]
    before, after = (
        t.reindex(columns=columns)
        .fillna({c: 0 for c in channels})
        .astype({c: "int64" for c in channels})
        for t in (before, after)
    )
    pd.testing.assert_frame_equal(before, after)
